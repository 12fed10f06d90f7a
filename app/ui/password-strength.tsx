import { useEffect, useMemo, useState } from "react";
import { useJavaScriptRuns } from "./javascript";
import { type PasswordEstimate, STRENGTH_LEVELS, ratePassword } from "./password-strength-rating";

/**
 * A strength hint under a new-password field, for pages running JavaScript
 * only: the server's HTML has no trace of it, and without JavaScript the
 * server's own message after submitting is the whole story. It advises and
 * never blocks; the rules stay on the server.
 */

type Estimator = (password: string) => PasswordEstimate;

/** Loaded once per page, on first need (see password-strength-estimator.ts for why). */
let estimatorLoad: Promise<Estimator> | undefined;

function loadEstimator(): Promise<Estimator> {
  estimatorLoad ??= import("./password-strength-estimator").then(
    (module) => module.estimatePassword,
    (error: unknown) => {
      // A failed chunk (offline, or a deploy replaced it) gets another try on the next keystroke.
      estimatorLoad = undefined;
      throw error;
    },
  );
  return estimatorLoad;
}

const hintIdFor = (inputId: string) => `${inputId}-strength`;

/** The hint's id, for the input's `aria-describedby`; undefined where there is no hint. */
export function usePasswordStrengthHintId(inputId: string): string | undefined {
  return useJavaScriptRuns() ? hintIdFor(inputId) : undefined;
}

export function PasswordStrength({
  inputId,
  inputKey,
}: {
  inputId: string;
  /** The input element's React key: a new one is a new, empty input, so the hint starts afresh. */
  inputKey?: string;
}) {
  if (!useJavaScriptRuns()) return null;
  return <StrengthHint key={inputKey} inputId={inputId} />;
}

function StrengthHint({ inputId }: { inputId: string }) {
  // Undefined until the field is first focused: then the hint takes its place, before any rating.
  const [password, setPassword] = useState<string>();
  const [estimator, setEstimator] = useState<Estimator>();

  // The input belongs to the form (conform renders it, and may replace it), so
  // the hint listens at the document instead of holding a reference to it.
  useEffect(() => {
    let mounted = true;
    const follow = (event: Event) => {
      const input = event.target;
      if (!(input instanceof HTMLInputElement) || input.id !== inputId) return;
      setPassword(input.value);
      loadEstimator().then(
        (estimate) => {
          if (mounted) setEstimator(() => estimate);
        },
        () => {
          // No hint then: it is only advice, and the server still checks the password.
        },
      );
    };
    document.addEventListener("focusin", follow);
    document.addEventListener("input", follow);
    return () => {
      mounted = false;
      document.removeEventListener("focusin", follow);
      document.removeEventListener("input", follow);
    };
  }, [inputId]);

  const estimate = useMemo(
    () => (estimator && password ? estimator(password) : undefined),
    [estimator, password],
  );
  const rating = estimate && password ? ratePassword(password, estimate) : undefined;

  return (
    // Polite: read when the screen reader is free, not over the typing; atomic: label and advice together.
    <div className="password-strength" id={hintIdFor(inputId)} aria-live="polite" aria-atomic="true">
      {/* Meter and label line from the first focus on: zxcvbn arriving late then moves nothing below. */}
      {password === undefined ? null : (
        <>
          <div className="strength-meter" data-level={rating?.level} aria-hidden="true">
            {STRENGTH_LEVELS.map((levelName, level) => (
              <span key={levelName} className={rating && level <= rating.level ? "filled" : undefined} />
            ))}
          </div>
          <p className="strength-label">
            {rating ? (
              <>
                Strength: <strong>{rating.label}</strong>
              </>
            ) : (
              "\u00a0"
            )}
          </p>
        </>
      )}
      {estimate?.warning ? <p className="strength-warning">{estimate.warning}</p> : null}
      {estimate && estimate.suggestions.length > 0 ? (
        <ul className="strength-suggestions">
          {estimate.suggestions.map((suggestion) => (
            <li key={suggestion}>{suggestion}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
