import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import {
  apiHandler,
  methodNotAllowed,
  parseOrThrow,
  readJson,
  requireApiUser,
} from "../http/api/request.server";
import { CreateTodoSchema, ListQuerySchema, toTodoJson } from "../http/api/schemas";

/** GET /api/todos?filter=all|active|completed: the caller's list, in the order created. */
export const loader = apiHandler(async function loader({ request, context }: LoaderFunctionArgs) {
  const userId = await requireApiUser(request, context);
  const { filter } = parseOrThrow(ListQuerySchema, Object.fromEntries(new URL(request.url).searchParams));
  const list = await context.services.todos.forOwner(userId).list(filter);
  return Response.json({
    todos: list.todos.map(toTodoJson),
    activeCount: list.activeCount,
    completedCount: list.completedCount,
  });
});

/** POST /api/todos `{ "title": … }`: 201 with the new todo and its Location. */
export const action = apiHandler(async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== "POST") throw methodNotAllowed(["GET", "POST"]);
  const userId = await requireApiUser(request, context);
  const { title } = await readJson(request, CreateTodoSchema);
  const created = await context.services.todos.forOwner(userId).create(title);
  return Response.json(toTodoJson(created), {
    status: 201,
    headers: { Location: `/api/todos/${created.id}` },
  });
});
