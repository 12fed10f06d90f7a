import { useEffect, useState } from "react";
import { CONFORM_INTENT } from "./error-summary";
import { useJavaScriptRuns } from "./javascript";

/**
 * Whether a password field shows what was typed, with the button that
 * switches it. Only where JavaScript runs: the server's page has no button.
 * Hidden again whenever its form is submitted, so that password managers
 * see a password field and nothing stays on screen.
 */
export function usePasswordVisibility(inputId: string) {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!shown) return;
    const form = document.getElementById(inputId)?.closest("form");
    const hide = (event: SubmitEvent) => {
      // conform checks a field by a submission of its own, which sends nothing.
      if (event.submitter?.getAttribute("name") !== CONFORM_INTENT) setShown(false);
    };
    form?.addEventListener("submit", hide);
    return () => form?.removeEventListener("submit", hide);
  }, [inputId, shown]);
  return { shown, toggle: () => setShown((now) => !now) };
}

export function PasswordVisibilityToggle({
  inputId,
  shown,
  onToggle,
}: {
  inputId: string;
  shown: boolean;
  onToggle: () => void;
}) {
  if (!useJavaScriptRuns()) return null;
  return (
    <button
      type="button"
      className="button password-toggle"
      aria-controls={inputId}
      aria-pressed={shown}
      // The word shown starts the name read out, so that a spoken "click Show" finds it too.
      aria-label={shown ? "Hide password" : "Show password"}
      onClick={onToggle}
    >
      {shown ? "Hide" : "Show"}
    </button>
  );
}
