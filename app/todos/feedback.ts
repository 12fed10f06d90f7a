import { useMemo, useState } from "react";
import type { TodoActionData, TodoActionError } from "./action-data";
import { useAnnouncer } from "./announcer";

/** How the page's forms report, with JavaScript, what became of a submission. */
export interface TodoFeedback {
  /** A change was sent: say it, and drop the message of any earlier attempt. */
  done(message: string): void;
  /** The browser refused a submission: show why beside its field. */
  refused(error: TodoActionError): void;
  /** A refused edit was abandoned or put back as it was: drop its message. */
  clear(): void;
}

/**
 * The page's one error and its spoken messages. The error comes from the
 * server after a post without JavaScript (`posted`: the page's summary says
 * it) until the first change made with JavaScript; from then on the browser
 * checks each submission itself, and every change sent clears the error, so
 * that no message outlives the attempt it was about.
 */
export function useTodoFeedback(actionData: TodoActionData | undefined) {
  const { said, announce } = useAnnouncer();
  const [browserError, setBrowserError] = useState<TodoActionError | null | undefined>(undefined);
  const postedError = browserError === undefined ? (actionData?.error ?? null) : null;
  const feedback = useMemo<TodoFeedback>(
    () => ({
      done(message) {
        setBrowserError(null);
        announce(message);
      },
      refused: setBrowserError,
      clear: () => setBrowserError(null),
    }),
    [announce],
  );
  return { said, error: postedError ?? browserError ?? null, posted: postedError !== null, feedback };
}
