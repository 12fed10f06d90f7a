import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { forwardCookies } from "../http/cookies.server";
import { redirectWithFlash } from "../http/flash.server";

/** Signing out is a POST only: a link or an image cannot end anyone's session. */
export function loader() {
  return redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { headers } = await context.services.auth.api.signOut({
    headers: request.headers,
    returnHeaders: true,
  });
  // better-auth clears the cookie even when it could not delete the session (it only logs that):
  // with the database out of reach, say so and keep the cookie, rather than leave a live session behind.
  if (!(await context.services.database.ping())) {
    context.logger.warn("database unreachable: sign-out not confirmed, answered 503");
    throw context.unavailable();
  }
  // Said on the page it lands on: without it, nothing shows that the click did anything.
  return redirectWithFlash(
    context,
    "/",
    { kind: "success", message: "You have signed out." },
    forwardCookies(headers),
  );
}
