import { useFetcher } from "@remix-run/react";
import { useRef, type FocusEvent, type FormEvent, type KeyboardEvent } from "react";
import { TODO_TITLE_MAX } from "../../db/limits";
import { FieldErrors } from "../ui/form-controls";
import type { TodoActionData } from "./action-data";
import type { TodoView } from "./optimistic";
import type { TodoFilter } from "./schemas";

interface TodoItemProps {
  todo: TodoView;
  filter: TodoFilter;
  /** A failed edit of this todo, from a post without JavaScript. */
  error: { message: string; title: string | null } | null;
}

/**
 * Before an item leaves the list (deleted, or toggled out of the current
 * filter), send focus where a keyboard user expects it: the next item, else the
 * previous one, else the field for a new todo.
 */
function moveFocusFrom(item: HTMLElement | null) {
  const neighbour = item?.nextElementSibling ?? item?.previousElementSibling;
  const target =
    neighbour?.querySelector<HTMLElement>("button.toggle") ?? document.getElementById("new-todo");
  requestAnimationFrame(() => target?.focus());
}

/**
 * One todo. Each control is its own small form: without JavaScript it is a plain
 * post; with it, a fetcher that updates the list in place.
 */
export function TodoItem({ todo, filter, error: postedError }: TodoItemProps) {
  const toggleFetcher = useFetcher({ key: `toggle:${todo.id}` });
  const updateFetcher = useFetcher<TodoActionData>({ key: `update:${todo.id}` });
  const deleteFetcher = useFetcher({ key: `delete:${todo.id}` });
  const itemRef = useRef<HTMLLIElement>(null);
  const inputId = `todo-title-${todo.id}`;
  const errorId = `${inputId}-error`;
  const action = filter === "all" ? "/todos" : `/todos?filter=${filter}`;
  // A failed edit: from this item's fetcher (JavaScript), or from the page's post (without).
  const fetcherError = updateFetcher.state === "idle" ? (updateFetcher.data?.error ?? null) : null;
  const error = fetcherError ?? postedError;

  function handleToggle() {
    if (filter !== "all") moveFocusFrom(itemRef.current);
  }

  function handleDelete() {
    moveFocusFrom(itemRef.current);
  }

  function handleUpdateSubmit(event: FormEvent<HTMLFormElement>) {
    const title = new FormData(event.currentTarget).get("title");
    // Nothing changed: nothing to send.
    if (typeof title === "string" && title.trim() === todo.title) event.preventDefault();
  }

  function handleBlur(event: FocusEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    const title = input.value.trim();
    if (title === todo.title) return;
    if (title === "") {
      input.value = todo.title;
      return;
    }
    input.form?.requestSubmit();
  }

  function handleKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Escape") {
      event.currentTarget.value = todo.title;
      event.currentTarget.blur();
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
        preventScrollReset
      >
        <input type="hidden" name="id" value={todo.id} />
        <label htmlFor={inputId} className="visually-hidden">
          Title of “{todo.title}”
        </label>
        <input
          id={inputId}
          name="title"
          className="title"
          // Re-mount when the stored title changes, so the field shows it.
          key={todo.title}
          defaultValue={error?.title ?? todo.title}
          maxLength={TODO_TITLE_MAX}
          autoComplete="off"
          readOnly={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onBlur={handleBlur}
          onKeyDown={handleKeyDown}
        />
        <button type="submit" name="intent" value="update" className="button small save" disabled={disabled}>
          Save
        </button>
        {/* Without JavaScript the page's summary announces the error; with it, the message itself does. */}
        <FieldErrors
          id={errorId}
          errors={error ? [error.message] : undefined}
          announce={fetcherError !== null}
        />
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
