/**
 * What a failed submission tells the page, by the form it came from, so that
 * the message shows beside that form: the field for a new todo, one todo's
 * edit form, or (for a request no form of the page sends) the summary alone.
 */
export type TodoActionError =
  | { intent: "create"; title: string; message: string }
  | { intent: "update"; id: string; title: string; message: string }
  | { intent: "other"; message: string };

/** What the /todos action answers a fetch (a document post gets a redirect); null error is success. */
export interface TodoActionData {
  error: TodoActionError | null;
}

/** The failure of a submission that did not parse, from what was posted and the first message. */
export function failureOf(payload: Record<string, unknown>, message: string): TodoActionError {
  const text = (name: string) => {
    const value = payload[name];
    return typeof value === "string" ? value : null;
  };
  const intent = text("intent");
  const id = text("id");
  if (intent === "create") return { intent, title: text("title") ?? "", message };
  if (intent === "update" && id !== null) return { intent, id, title: text("title") ?? "", message };
  return { intent: "other", message };
}
