import { redirect, type AppLoadContext } from "@remix-run/node";
import type { AuthSession } from "./auth.server";

/** Where a signed-in user lands by default. */
export const HOME_PATH = "/todos";

/**
 * The signed-in session, or a redirect to the sign-in page that brings the user
 * back here afterwards. Throws, so a loader reads top to bottom.
 */
export async function requireUser(request: Request, context: AppLoadContext): Promise<AuthSession> {
  const session = await context.getSession();
  if (session) return session;
  const url = new URL(request.url);
  const here = `${url.pathname}${url.search}`;
  const search = here === "/" ? "" : `?${new URLSearchParams({ redirectTo: here })}`;
  throw redirect(`/login${search}`);
}

/** For the sign-in and sign-up pages: a signed-in user has nothing to do there. */
export async function requireAnonymous(context: AppLoadContext): Promise<void> {
  if (await context.getSession()) throw redirect(HOME_PATH);
}
