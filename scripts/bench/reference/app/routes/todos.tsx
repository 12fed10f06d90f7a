import { Form, Link, useLoaderData } from "@remix-run/react";

export const meta = () => [{ title: "Your todos · Todo" }];

/** Fixed ids of the same form as ours (UUIDs), made once. */
const TODOS = Array.from({ length: 50 }, (_, index) => ({
  id: `00000000-0000-4000-8000-${String(index + 1).padStart(12, "0")}`,
  title: `Benchmark todo number ${index + 1}`,
  completed: false,
}));

/** The same shape as our /todos loader's data: 50 open todos, no database. */
export function loader() {
  return { filter: "all", todos: TODOS, activeCount: TODOS.length, completedCount: 0 };
}

export function action() {
  return null;
}

/** Our /todos' markup for 50 open todos: three small forms per item. */
export default function Todos() {
  const { todos, activeCount } = useLoaderData<typeof loader>();
  return (
    <section className="todoapp">
      <h1>Your todos</h1>
      <Form method="post" action="/todos" className="new-todo">
        <input type="hidden" name="intent" value="create" />
        <label htmlFor="new-todo" className="visually-hidden">
          What needs to be done?
        </label>
        <input
          id="new-todo"
          name="title"
          placeholder="What needs to be done?"
          autoComplete="off"
          autoFocus
          maxLength={500}
          defaultValue=""
        />
        <button type="submit" className="button primary">
          Add
        </button>
      </Form>
      <Form method="post" action="/todos" className="toggle-all-form">
        <button type="submit" name="intent" value="toggle-all" className="button subtle small">
          Mark all as complete
        </button>
      </Form>
      <ul className="todo-list" aria-label="All todos">
        {todos.map((todo) => (
          <li key={todo.id} className="todo">
            <form method="post" action="/todos">
              <input type="hidden" name="id" value={todo.id} />
              <button
                type="submit"
                name="intent"
                value="toggle"
                className="toggle"
                aria-pressed={todo.completed}
                aria-label={`Mark as complete: ${todo.title}`}
                title="Mark as complete"
              >
                <span aria-hidden="true"></span>
              </button>
            </form>
            <form method="post" action="/todos" className="edit-form">
              <input type="hidden" name="id" value={todo.id} />
              <label htmlFor={`todo-title-${todo.id}`} className="visually-hidden">
                Title of “{todo.title}”
              </label>
              <input
                id={`todo-title-${todo.id}`}
                name="title"
                className="title"
                maxLength={500}
                autoComplete="off"
                defaultValue={todo.title}
              />
              <button type="submit" name="intent" value="update" className="button small save">
                Save
              </button>
            </form>
            <form method="post" action="/todos">
              <input type="hidden" name="id" value={todo.id} />
              <button
                type="submit"
                name="intent"
                value="delete"
                className="destroy"
                aria-label={`Delete: ${todo.title}`}
                title="Delete"
              >
                <span aria-hidden="true">×</span>
              </button>
            </form>
          </li>
        ))}
      </ul>
      <footer className="todo-footer">
        <span className="todo-count" aria-live="polite">
          <strong>{activeCount}</strong> {activeCount === 1 ? "item" : "items"} left
        </span>
        <nav aria-label="Filter todos">
          <ul className="filters">
            <li>
              <Link to="/todos" aria-current="page">
                All
              </Link>
            </li>
            <li>
              <Link to="/todos?filter=active">Active</Link>
            </li>
            <li>
              <Link to="/todos?filter=completed">Completed</Link>
            </li>
          </ul>
        </nav>
      </footer>
    </section>
  );
}
