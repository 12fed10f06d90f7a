import type { LoaderFunctionArgs } from "@remix-run/node";
import { completeProviderCallback } from "../http/oauth-flow.server";

/**
 * `/api/auth/oauth2/callback/oidc`: where the OpenID Connect provider sends the
 * browser back (its registered redirect URI). Without that provider, a 404.
 */
export function loader({ request, params, context }: LoaderFunctionArgs) {
  return completeProviderCallback(request, context, params.providerId);
}

/** Never shown: the loader always redirects, or throws the 404 page (which needs a page route). */
export default function ProviderCallback() {
  return null;
}
