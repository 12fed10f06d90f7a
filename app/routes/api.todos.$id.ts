import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { problem } from "../http/api/problem.server";
import { apiHandler, methodNotAllowed, readJson, requireApiUser } from "../http/api/request.server";
import { toTodoJson, UpdateTodoSchema } from "../http/api/schemas";

const ALLOWED = ["GET", "PATCH", "DELETE"];

/** Not a todo id, or not one of the caller's: the same 404, so ids tell nothing. */
const notFound = () => problem("not-found", "You have no todo with that id.");

function todoIdOf(params: LoaderFunctionArgs["params"]): string {
  const id = z.uuid().safeParse(params.id);
  if (!id.success) throw notFound();
  return id.data;
}

/** GET /api/todos/:id */
export const loader = apiHandler(async function loader({ request, params, context }: LoaderFunctionArgs) {
  const userId = await requireApiUser(request, context);
  const found = await context.services.todos.forOwner(userId).get(todoIdOf(params));
  if (!found) throw notFound();
  return Response.json(toTodoJson(found));
});

/** PATCH /api/todos/:id `{ "title"?, "completed"? }`, DELETE /api/todos/:id */
export const action = apiHandler(async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== "PATCH" && request.method !== "DELETE") throw methodNotAllowed(ALLOWED);
  const userId = await requireApiUser(request, context);
  const todos = context.services.todos.forOwner(userId);
  const id = todoIdOf(params);
  if (request.method === "DELETE") {
    if ((await todos.remove(id)) === null) throw notFound();
    return new Response(null, { status: 204 });
  }
  const changes = await readJson(request, UpdateTodoSchema);
  const updated = await todos.update(id, changes);
  if (!updated) throw notFound();
  return Response.json(toTodoJson(updated));
});
