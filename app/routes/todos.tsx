import { parseWithZod } from "@conform-to/zod/v4";
import { data, replace } from "@remix-run/node";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSubmit } from "@remix-run/react";
import { useRef, type FormEvent } from "react";
import { requireUser } from "../http/guards.server";
import { isDocumentRequest, readFormData } from "../http/form-data.server";
import type { TodoActionData, TodoActionError } from "../todos/action-data";
import { FilterSchema, TodoIntentSchema, type TodoFilter } from "../todos/schemas";
import { TodoItem } from "../todos/todo-item";
import { useOptimisticTodos } from "../todos/optimistic";
import { FieldErrors } from "../ui/form-controls";
import { TODO_TITLE_MAX } from "../../db/limits";

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
    const payload = submission.payload;
    const text = (value: unknown) => (typeof value === "string" ? value : null);
    const messages = Object.values(submission.error ?? {}).flatMap((errors) => errors ?? []);
    const error: TodoActionError = {
      intent: text(payload.intent),
      id: text(payload.id),
      title: text(payload.title),
      message: messages[0] ?? "That request was not understood.",
    };
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
  const actionData = useActionData<TodoActionData>();
  const { filter } = loaderData;
  const { todos, activeCount, completedCount } = useOptimisticTodos(loaderData);
  const submit = useSubmit();
  const newTodoRef = useRef<HTMLInputElement>(null);

  const error = actionData?.error ?? null;
  const createError = error?.intent === "create" ? error : null;
  const itemError = error?.intent === "update" ? error : null;
  const total = activeCount + completedCount;

  function handleCreate(event: FormEvent<HTMLFormElement>) {
    const form = event.currentTarget;
    const title = new FormData(form).get("title");
    // An empty title goes to the server as a normal post, which answers with the message.
    if (typeof title !== "string" || title.trim() === "") return;
    event.preventDefault();
    submit(form, {
      method: "post",
      navigate: false,
      fetcherKey: `create:${crypto.randomUUID()}`,
      preventScrollReset: true,
    });
    form.reset();
    newTodoRef.current?.focus();
  }

  return (
    <section className="todoapp">
      <h1>Your todos</h1>
      {error ? (
        <div className="error-summary" role="alert">
          <p>{error.message}</p>
        </div>
      ) : null}

      <Form method="post" className="new-todo" onSubmit={handleCreate} preventScrollReset>
        <input type="hidden" name="intent" value="create" />
        <label htmlFor="new-todo" className="visually-hidden">
          What needs to be done?
        </label>
        <input
          ref={newTodoRef}
          id="new-todo"
          name="title"
          placeholder="What needs to be done?"
          autoComplete="off"
          autoFocus
          maxLength={TODO_TITLE_MAX}
          defaultValue={createError?.title ?? ""}
          aria-invalid={createError ? true : undefined}
          aria-describedby={createError ? "new-todo-error" : undefined}
        />
        <button type="submit" className="button primary">
          Add
        </button>
        <FieldErrors id="new-todo-error" errors={createError ? [createError.message] : undefined} />
      </Form>

      {total > 0 ? (
        <Form method="post" className="toggle-all-form" preventScrollReset>
          <button type="submit" name="intent" value="toggle-all" className="button subtle small">
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
              error={itemError?.id === todo.id ? itemError : null}
            />
          ))}
        </ul>
      ) : (
        <p className="empty-state">{EMPTY_MESSAGES[filter]}</p>
      )}

      <footer className="todo-footer">
        <span className="todo-count" aria-live="polite">
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
          <Form method="post" preventScrollReset>
            <button type="submit" name="intent" value="clear-completed" className="button subtle small">
              Clear completed ({completedCount})
            </button>
          </Form>
        ) : null}
      </footer>
    </section>
  );
}
