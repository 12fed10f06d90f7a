import type { TodoActionError } from "./action-data";
import { NEW_TODO_ID } from "./new-todo-form";
import { titleInputId } from "./todo-item";

/**
 * The summary of a refused post, at the top of the page it came back with
 * (without JavaScript): it says which form failed, and links to its field.
 */
export function TodoErrorSummary({
  error,
  todos,
}: {
  error: TodoActionError;
  todos: ReadonlyArray<{ id: string; title: string }>;
}) {
  let content;
  switch (error.intent) {
    case "create":
      content = <a href={`#${NEW_TODO_ID}`}>{error.message}</a>;
      break;
    case "update": {
      const todo = todos.find(({ id }) => id === error.id);
      content = todo ? (
        <>
          “{todo.title}” was not renamed: <a href={`#${titleInputId(todo.id)}`}>{error.message}</a>
        </>
      ) : (
        `The todo was not renamed: ${error.message}`
      );
      break;
    }
    case "other":
      content = error.message;
      break;
  }
  return (
    <div className="error-summary" role="alert">
      <p>{content}</p>
    </div>
  );
}
