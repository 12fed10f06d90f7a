/** What a failed submission tells the page: which form, which todo, what to say. */
export interface TodoActionError {
  intent: string | null;
  id: string | null;
  title: string | null;
  message: string;
}

/** What the /todos action answers a fetch (a document post gets a redirect); null error is success. */
export interface TodoActionData {
  error: TodoActionError | null;
}
