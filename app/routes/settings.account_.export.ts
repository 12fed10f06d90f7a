import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireRecentAuth } from "../http/guards.server";

/**
 * The account as a JSON download. The export button posts `intent=export` to
 * /settings/account, which sends the browser here: a document post cannot
 * answer with a file, a GET can. The download itself is the sensitive step, so it checks the window too.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, session } = await requireRecentAuth(request, context);
  const document = await context.services.accounts.export(user.id, session.id);
  const day = new Date().toISOString().slice(0, 10);
  return new Response(JSON.stringify(document, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="todo-export-${day}.json"`,
    },
  });
}
