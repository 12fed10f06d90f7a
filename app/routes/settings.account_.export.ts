import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";

/**
 * The account as a JSON download. The export button posts `intent=export` to
 * /settings/account, which sends the browser here: a document post cannot
 * answer with a file, a GET can.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, session } = await requireUser(request, context);
  const document = await context.services.accounts.export(user.id, session.id);
  const day = new Date().toISOString().slice(0, 10);
  return new Response(JSON.stringify(document, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="todo-export-${day}.json"`,
    },
  });
}
