import type { FormMetadata } from "@conform-to/react";
import { useActionData } from "@remix-run/react";
import { useEffect, useRef, useState, type FormEvent, type MouseEvent, type RefObject } from "react";

/** What each field is called in the error summary, in the order the form shows them. */
export type FieldLabels<Schema extends Record<string, unknown>> = { [Name in keyof Schema]?: string };

/** conform's own submissions (a field checked on leaving it) are posted by a button with this name. */
export const CONFORM_INTENT = "__intent__";

/**
 * When the summary shows and when it takes focus. It shows from the first
 * submission that failed (never while the user moves between fields) and
 * takes focus after each failed submission: the browser's check, or the
 * server's answer (also when the page was loaded with it).
 */
export function useErrorSummary(status: FormMetadata["status"]) {
  const [submitted, setSubmitted] = useState(status === "error");
  if (status === "error" && !submitted) setSubmitted(true);
  const summary = useRef<HTMLDivElement>(null);
  const focusPending = useRef(false);
  const [clientFailures, setClientFailures] = useState(0);
  const actionData = useActionData();

  useEffect(() => {
    focusPending.current = true;
  }, [actionData, clientFailures]);
  // Without dependencies: conform reports a server's answer one render after the answer arrives.
  useEffect(() => {
    if (!focusPending.current || status !== "error") return;
    focusPending.current = false;
    summary.current?.focus();
  });

  /** Call after conform's submit handler: a submission it stopped failed the browser's check. */
  const afterSubmit = (event: FormEvent<HTMLFormElement>) => {
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    if (event.defaultPrevented && submitter?.getAttribute("name") !== CONFORM_INTENT) {
      setClientFailures((count) => count + 1);
    }
  };
  return { shown: submitted, summaryRef: summary, afterSubmit };
}

/** Following a summary's link puts the cursor in the field, not just the field on screen. */
function focusField(event: MouseEvent<HTMLAnchorElement>, id: string) {
  const field = document.getElementById(id);
  if (!field) return;
  event.preventDefault();
  field.focus();
  field.scrollIntoView({ block: "center" });
}

/**
 * The summary at the top of a form that failed: announced to screen readers
 * and linking each message to its field.
 */
export function ErrorSummary<Schema extends Record<string, unknown>>({
  form,
  labels,
  shown,
  summaryRef,
}: {
  form: FormMetadata<Schema, string[]>;
  labels: FieldLabels<Schema>;
  /** False until a submission failed: leaving a field shows its message beside it only. */
  shown: boolean;
  summaryRef: RefObject<HTMLDivElement>;
}) {
  const formErrors = form.errors ?? [];
  const fieldset = form.getFieldset();
  const fieldErrors = (Object.keys(labels) as Array<keyof Schema>).flatMap((name) => {
    const field = fieldset[name];
    return (field.errors ?? []).map((message) => ({ id: field.id, label: labels[name], message }));
  });
  if (!shown || (formErrors.length === 0 && fieldErrors.length === 0)) return null;
  return (
    <div className="error-summary" role="alert" id={form.errorId} tabIndex={-1} ref={summaryRef}>
      {formErrors.map((message) => (
        <p key={message}>{message}</p>
      ))}
      {fieldErrors.length > 0 ? (
        <>
          <p>{fieldErrors.length === 1 ? "There is a problem:" : "There are problems:"}</p>
          <ul>
            {fieldErrors.map(({ id, label, message }) => (
              <li key={`${id}:${message}`}>
                <a href={`#${id}`} onClick={(event) => focusField(event, id)}>
                  {label}: {message}
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
