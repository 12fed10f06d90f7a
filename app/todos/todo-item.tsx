import { useFetcher } from "@remix-run/react";
import { useEffect, useRef, type FocusEvent, type FormEvent, type KeyboardEvent } from "react";
import { TODO_TITLE_MAX } from "../../db/limits";
import type { TodoActionData } from "./action-data";
import type { TodoFeedback } from "./feedback";
import { FieldMessage } from "./field-message";
import { NEW_TODO_ID } from "./new-todo-form";
import type { TodoView } from "./optimistic";
import type { TodoFilter } from "./schemas";
import { checkTitle } from "./title";

export const titleInputId = (id: string) => `todo-title-${id}`;

interface TodoItemProps {
  todo: TodoView;
  filter: TodoFilter;
  /** A refused edit of this todo: what was typed and why. */
  error: { title: string; message: string } | null;
  /** The error came with the page (a post without JavaScript), whose summary announces it. */
  posted: boolean;
  feedback: TodoFeedback;
}

/**
 * Before an item leaves the list (deleted, or toggled out of the current
 * filter), send focus where a keyboard user expects it: the next item, else the
 * previous one, else the field for a new todo.
 */
function moveFocusFrom(item: HTMLElement | null) {
  const neighbour = item?.nextElementSibling ?? item?.previousElementSibling;
  const target =
    neighbour?.querySelector<HTMLElement>("button.toggle") ?? document.getElementById(NEW_TODO_ID);
  requestAnimationFrame(() => target?.focus());
}

/**
 * One todo. Each control is its own small form: without JavaScript it is a plain
 * post; with it, a fetcher that updates the list in place. The title shows as
 * text that wraps; the field that edits it takes its place while it has focus
 * (a click on the text focuses it) or while it holds a refused title.
 */
export function TodoItem({ todo, filter, error, posted, feedback }: TodoItemProps) {
  const toggleFetcher = useFetcher({ key: `toggle:${todo.id}` });
  const updateFetcher = useFetcher<TodoActionData>({ key: `update:${todo.id}` });
  const deleteFetcher = useFetcher({ key: `delete:${todo.id}` });
  const itemRef = useRef<HTMLLIElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const shownTitle = useRef(todo.title);
  const inputId = titleInputId(todo.id);
  const errorId = `${inputId}-error`;
  const action = filter === "all" ? "/todos" : `/todos?filter=${filter}`;

  // The field keeps its node (and so the focus) when the title changes; only its value follows.
  useEffect(() => {
    if (shownTitle.current === todo.title) return;
    shownTitle.current = todo.title;
    if (inputRef.current) inputRef.current.value = todo.title;
  }, [todo.title]);

  // The server refusing an edit the browser let through (it checks with the same schema).
  const refusedByServer = updateFetcher.state === "idle" ? (updateFetcher.data?.error ?? null) : null;
  useEffect(() => {
    if (refusedByServer) feedback.refused(refusedByServer);
  }, [refusedByServer, feedback]);

  function handleToggle(event: FormEvent<HTMLFormElement>) {
    feedback.done(`Marked “${todo.title}” as ${todo.completed ? "active" : "complete"}`);
    if (filter !== "all") moveFocusFrom(itemRef.current);
    // The toggle stays: so does the focus (Safari does not give a clicked button the focus).
    else event.currentTarget.querySelector("button")?.focus();
  }

  function handleDelete() {
    feedback.done(`Deleted “${todo.title}”`);
    moveFocusFrom(itemRef.current);
  }

  function handleUpdateSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const input = inputRef.current;
    const typed = input?.value ?? "";
    const checked = checkTitle(typed);
    if (checked.title === null) {
      feedback.refused({ intent: "update", id: todo.id, title: typed, message: checked.message });
      input?.focus();
      return;
    }
    // Saved from this form (Enter, or its button): the edited title keeps the focus.
    if (form.contains(document.activeElement)) input?.focus();
    if (input) input.value = checked.title;
    if (checked.title === todo.title) {
      if (error) feedback.clear();
      return;
    }
    updateFetcher.submit(form, { method: "post", action, preventScrollReset: true });
    feedback.done(`Renamed “${todo.title}” to “${checked.title}”`);
  }

  // Leaving the edit (focus going anywhere outside this form) saves it, as Enter does.
  function handleFormBlur(event: FocusEvent<HTMLFormElement>) {
    const form = event.currentTarget;
    const input = inputRef.current;
    if (!input || (event.relatedTarget instanceof Node && form.contains(event.relatedTarget))) return;
    const title = input.value.trim();
    if (title === todo.title && !error) return;
    if (title === "") {
      input.value = todo.title;
      if (error) feedback.clear();
      return;
    }
    form.requestSubmit();
  }

  // Escape puts the title back as it is stored; the focus stays, as it does after Enter.
  function handleKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Escape") {
      event.currentTarget.value = todo.title;
      if (error) feedback.clear();
    }
  }

  const disabled = todo.pending === true;
  const stateLabel = todo.completed ? "Mark as active" : "Mark as complete";

  return (
    <li
      ref={itemRef}
      className={todo.completed ? "todo completed" : "todo"}
      aria-busy={disabled || undefined}
    >
      <toggleFetcher.Form method="post" action={action} onSubmit={handleToggle} preventScrollReset>
        <input type="hidden" name="id" value={todo.id} />
        <button
          type="submit"
          name="intent"
          value="toggle"
          className="toggle"
          aria-pressed={todo.completed}
          aria-label={`${stateLabel}: ${todo.title}`}
          title={stateLabel}
          disabled={disabled}
        >
          <span aria-hidden="true">{todo.completed ? "✓" : ""}</span>
        </button>
      </toggleFetcher.Form>

      <updateFetcher.Form
        method="post"
        action={action}
        className="edit-form"
        onSubmit={handleUpdateSubmit}
        onBlur={handleFormBlur}
        preventScrollReset
      >
        <input type="hidden" name="id" value={todo.id} />
        {/* Hidden rather than on the button, so that a save on leaving the field says it too. */}
        <input type="hidden" name="intent" value="update" />
        <input
          ref={inputRef}
          id={inputId}
          name="title"
          className="title"
          aria-label={`Title of “${todo.title}”`}
          defaultValue={error?.title ?? todo.title}
          maxLength={TODO_TITLE_MAX}
          autoComplete="off"
          // After a refused edit without JavaScript, the page opens on this field.
          autoFocus={error !== null && posted}
          readOnly={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onKeyDown={handleKeyDown}
        />
        {/* The title as people read it, whole; the field above is what assistive technology meets. */}
        <label htmlFor={inputId} className="title-text" aria-hidden="true">
          {todo.title}
        </label>
        <button type="submit" className="button small save" disabled={disabled}>
          Save
        </button>
        {/* Without JavaScript the page's summary announces the error; with it, the message itself does. */}
        <FieldMessage id={errorId} message={error?.message ?? null} announce={!posted} />
      </updateFetcher.Form>

      <deleteFetcher.Form method="post" action={action} onSubmit={handleDelete} preventScrollReset>
        <input type="hidden" name="id" value={todo.id} />
        <button
          type="submit"
          name="intent"
          value="delete"
          className="destroy"
          aria-label={`Delete: ${todo.title}`}
          title="Delete"
          disabled={disabled}
        >
          <span aria-hidden="true">×</span>
        </button>
      </deleteFetcher.Form>
    </li>
  );
}
