import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { HOME_PATH } from "../http/guards.server";
import { requireProvider, signInErrorPath, startSignIn } from "../http/oauth-flow.server";
import { RedirectToSchema } from "../auth/schemas";
import { readFormData } from "../http/form-data.server";
import { safeRedirect } from "../security/redirect";

/** The "Continue with …" buttons of /login and /signup post here; only `redirectTo` comes along. */
const StartSignInSchema = z.object({ redirectTo: RedirectToSchema });

/** Only the buttons' POST starts a sign-in: a GET goes to the sign-in page (or 404s for an unknown provider). */
export function loader({ params, context }: LoaderFunctionArgs) {
  requireProvider(context, params.provider);
  return redirect("/login");
}

/**
 * Starts a sign-in with the provider: a 302 to it, carrying better-auth's
 * state cookie, so that the button works as a plain form without JavaScript.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const provider = requireProvider(context, params.provider);
  await context.rateLimit("sign-in");
  const submission = parseWithZod(await readFormData(request), { schema: StartSignInSchema });
  if (submission.status !== "success") throw data("That request was not understood.", { status: 400 });
  const redirectTo = safeRedirect(submission.value.redirectTo, HOME_PATH);
  if (await context.getSession()) return redirect(redirectTo);
  return startSignIn(request, context, provider, {
    redirectTo,
    errorPath: signInErrorPath(provider.id, redirectTo, HOME_PATH),
  });
}

/** Never shown: the loader and the action always answer with a redirect or the 404 page. */
export default function ProviderSignIn() {
  return null;
}
