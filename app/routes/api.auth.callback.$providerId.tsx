import type { LoaderFunctionArgs } from "@remix-run/node";
import { completeProviderCallback } from "../http/oauth-flow.server";

/**
 * `/api/auth/callback/github|google`: where GitHub and Google send the browser
 * back. Only a configured provider has this route; any other is a 404.
 */
export function loader({ request, params, context }: LoaderFunctionArgs) {
  return completeProviderCallback(request, context, params.providerId);
}

/** Never shown: the loader always redirects, or throws the 404 page (which needs a page route). */
export default function ProviderCallback() {
  return null;
}
