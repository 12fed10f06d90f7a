import { Form, useSubmit } from "@remix-run/react";
import type { FormEvent, RefObject } from "react";
import { TODO_TITLE_MAX } from "../../db/limits";
import type { TodoFeedback } from "./feedback";
import { FieldMessage } from "./field-message";
import { checkTitle } from "./title";

export const NEW_TODO_ID = "new-todo";
const ERROR_ID = "new-todo-error";

interface NewTodoFormProps {
  inputRef: RefObject<HTMLInputElement>;
  /** A refused title: what was typed and why. */
  error: { title: string; message: string } | null;
  /** The error came with the page, whose summary announces it. */
  posted: boolean;
  autoFocus: boolean;
  feedback: TodoFeedback;
}

/**
 * The field for a new todo. Without JavaScript a plain post; with it, the
 * browser checks the title, sends it in the background (several may be on
 * their way at once) and empties the field for the next one.
 */
export function NewTodoForm({ inputRef, error, posted, autoFocus, feedback }: NewTodoFormProps) {
  const submit = useSubmit();

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const input = inputRef.current;
    const typed = new FormData(form).get("title");
    const checked = checkTitle(typeof typed === "string" ? typed : "");
    if (checked.title === null) {
      feedback.refused({
        intent: "create",
        title: typeof typed === "string" ? typed : "",
        message: checked.message,
      });
      input?.focus();
      return;
    }
    submit(form, {
      method: "post",
      navigate: false,
      fetcherKey: `create:${crypto.randomUUID()}`,
      preventScrollReset: true,
    });
    if (input) {
      input.value = "";
      input.focus();
    }
    feedback.done(`Added “${checked.title}”`);
  }

  return (
    <Form method="post" className="new-todo" onSubmit={handleSubmit} preventScrollReset>
      <input type="hidden" name="intent" value="create" />
      <label htmlFor={NEW_TODO_ID} className="visually-hidden">
        What needs to be done?
      </label>
      <input
        ref={inputRef}
        id={NEW_TODO_ID}
        name="title"
        placeholder="What needs to be done?"
        autoComplete="off"
        autoFocus={autoFocus}
        maxLength={TODO_TITLE_MAX}
        defaultValue={error?.title ?? ""}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? ERROR_ID : undefined}
      />
      <button type="submit" className="button primary">
        Add
      </button>
      {/* Room for one line of message is kept, so that nothing below moves when one appears. */}
      <div className="new-todo-message">
        <FieldMessage id={ERROR_ID} message={error?.message ?? null} announce={!posted} />
      </div>
    </Form>
  );
}
