import { parseWithZod } from "@conform-to/zod/v4";
import { data, replace } from "@remix-run/node";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useRef } from "react";
import { requireUser } from "../http/guards.server";
import { isDocumentRequest, readFormData } from "../http/form-data.server";
import { failureOf, type TodoActionData } from "../todos/action-data";
import { Announcements } from "../todos/announcer";
import { TodoErrorSummary } from "../todos/error-summary";
import { useTodoFeedback } from "../todos/feedback";
import { NewTodoForm } from "../todos/new-todo-form";
import { FilterSchema, TodoIntentSchema, type TodoFilter } from "../todos/schemas";
import { TodoItem } from "../todos/todo-item";
import { useOptimisticTodos } from "../todos/optimistic";

export const meta: MetaFunction = () => [{ title: "Your todos · Todo" }];

function readFilter(request: Request): TodoFilter {
  const raw = new URL(request.url).searchParams.get("filter");
  if (raw === null) return "all";
  const parsed = FilterSchema.safeParse(raw);
  if (!parsed.success) throw data("Unknown filter: choose all, active or completed.", { status: 400 });
  return parsed.data;
}

const pathFor = (filter: TodoFilter) => (filter === "all" ? "/todos" : `/todos?filter=${filter}`);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireUser(request, context);
  const filter = readFilter(request);
  const list = await context.services.todos.forOwner(user.id).list(filter);
  return {
    filter,
    todos: list.todos.map(({ id, title, completed }) => ({ id, title, completed })),
    activeCount: list.activeCount,
    completedCount: list.completedCount,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireUser(request, context);
  const filter = readFilter(request);
  const submission = parseWithZod(await readFormData(request), { schema: TodoIntentSchema });
  if (submission.status !== "success") {
    const messages = Object.values(submission.error ?? {}).flatMap((errors) => errors ?? []);
    const error = failureOf(submission.payload, messages[0] ?? "That request was not understood.");
    return data<TodoActionData>({ error }, { status: 400 });
  }

  const todos = context.services.todos.forOwner(user.id);
  const form = submission.value;
  let found = true;
  // Said on the next page after a post without JavaScript, where the change is out of sight.
  let notice: string | null = null;
  switch (form.intent) {
    case "create":
      await todos.create(form.title);
      break;
    case "update":
      found = await todos.rename(form.id, form.title);
      break;
    case "toggle":
      found = await todos.toggle(form.id);
      break;
    case "delete": {
      const title = await todos.remove(form.id);
      found = title !== null;
      notice = `Deleted “${title}”.`;
      break;
    }
    case "toggle-all":
      await todos.toggleAll();
      break;
    case "clear-completed": {
      const cleared = await todos.clearCompleted();
      notice = `Cleared ${cleared} completed ${cleared === 1 ? "todo" : "todos"}.`;
      break;
    }
  }
  if (!found) throw data("That todo does not exist.", { status: 404 });
  // Without JavaScript: back to the same list; `replace` keeps one history entry per page, not per click.
  if (isDocumentRequest(request)) {
    if (!notice) return replace(pathFor(filter));
    const headers = new Headers({
      "Set-Cookie": await context.services.flash.serialize({ kind: "success", message: notice }),
    });
    return replace(pathFor(filter), { headers });
  }
  return { error: null } satisfies TodoActionData;
}

const FILTER_LABELS: Record<TodoFilter, string> = { all: "All", active: "Active", completed: "Completed" };

const EMPTY_MESSAGES: Record<TodoFilter, string> = {
  all: "Nothing to do yet. Add your first todo above.",
  active: "Nothing left to do. Well done!",
  completed: "No completed todos yet.",
};

export default function Todos() {
  const loaderData = useLoaderData<typeof loader>();
  const { filter } = loaderData;
  const { todos, activeCount, completedCount } = useOptimisticTodos(loaderData);
  const { said, error, posted, feedback } = useTodoFeedback(useActionData<TodoActionData>());
  const newTodoRef = useRef<HTMLInputElement>(null);
  const toggleAllRef = useRef<HTMLButtonElement>(null);
  const total = activeCount + completedCount;

  function handleToggleAll() {
    const state = activeCount === 0 ? "active" : "complete";
    feedback.done(`Marked all ${total} ${total === 1 ? "todo" : "todos"} as ${state}`);
    // The button stays (Safari does not give a clicked button the focus).
    toggleAllRef.current?.focus();
  }

  function handleClearCompleted() {
    feedback.done(`${completedCount} completed ${completedCount === 1 ? "todo" : "todos"} cleared`);
    // The button goes with the completed todos; "Mark all" stays while any todo is left.
    (activeCount > 0 ? toggleAllRef.current : newTodoRef.current)?.focus();
  }

  return (
    <section className="todoapp">
      <h1>Your todos</h1>
      {posted && error ? <TodoErrorSummary error={error} todos={loaderData.todos} /> : null}
      <Announcements said={said} />

      <NewTodoForm
        inputRef={newTodoRef}
        error={error?.intent === "create" ? error : null}
        posted={posted}
        autoFocus={error?.intent !== "update"}
        feedback={feedback}
      />

      {total > 0 ? (
        <Form method="post" className="toggle-all-form" onSubmit={handleToggleAll} preventScrollReset>
          <button
            ref={toggleAllRef}
            type="submit"
            name="intent"
            value="toggle-all"
            className="button subtle small"
          >
            {activeCount === 0 ? "Mark all as active" : "Mark all as complete"}
          </button>
        </Form>
      ) : null}

      {todos.length > 0 ? (
        <ul className="todo-list" aria-label={`${FILTER_LABELS[filter]} todos`}>
          {todos.map((todo) => (
            <TodoItem
              key={todo.id}
              todo={todo}
              filter={filter}
              error={error?.intent === "update" && error.id === todo.id ? error : null}
              posted={posted}
              feedback={feedback}
            />
          ))}
        </ul>
      ) : (
        <p className="empty-state">{EMPTY_MESSAGES[filter]}</p>
      )}

      <footer className="todo-footer">
        <span className="todo-count">
          <strong>{activeCount}</strong> {activeCount === 1 ? "item" : "items"} left
        </span>
        <nav aria-label="Filter todos">
          <ul className="filters">
            {(Object.keys(FILTER_LABELS) as TodoFilter[]).map((name) => (
              <li key={name}>
                <Link
                  to={pathFor(name)}
                  aria-current={name === filter ? "page" : undefined}
                  preventScrollReset
                >
                  {FILTER_LABELS[name]}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        {completedCount > 0 ? (
          <Form method="post" onSubmit={handleClearCompleted} preventScrollReset>
            <button type="submit" name="intent" value="clear-completed" className="button subtle small">
              Clear completed ({completedCount})
            </button>
          </Form>
        ) : null}
      </footer>
    </section>
  );
}
