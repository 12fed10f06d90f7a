import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { forwardCookies } from "~/auth/cookies.server";

/** Signing out is a POST only: a link or an image cannot end anyone's session. */
export function loader() {
  return redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { headers } = await context.services.auth.api.signOut({
    headers: request.headers,
    returnHeaders: true,
  });
  return redirect("/", { headers: forwardCookies(headers) });
}
