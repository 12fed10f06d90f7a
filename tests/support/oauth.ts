import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { expect } from "vitest";
import * as oauth2Callback from "../../app/routes/api.auth.oauth2.callback.$providerId";
import * as startSignIn from "../../app/routes/auth.$provider";
import * as connections from "../../app/routes/settings.connections";
import type { RouteResult, TestClient } from "./client";
import { TEST_APP_URL } from "./databases";
import { signInAtProvider, TEST_OIDC_CLIENT, type TestOidcProvider } from "./oidc-provider";

/** The app's redirect URI for the OpenID Connect provider, as the tests' provider registers it. */
export const OIDC_REDIRECT_URI = `${TEST_APP_URL}/api/auth/oauth2/callback/oidc`;

export const OIDC_NAME = "Test IdP";

/** The app's environment for the tests' OpenID Connect provider. */
export const oidcEnv = (provider: TestOidcProvider) => ({
  OIDC_ISSUER: provider.issuer,
  OIDC_CLIENT_ID: TEST_OIDC_CLIENT.clientId,
  OIDC_CLIENT_SECRET: TEST_OIDC_CLIENT.clientSecret,
  OIDC_NAME,
});

type Params = Record<string, string>;

/** A route function with the URL parameters Remix would have matched (TestClient passes none). */
export const withParams =
  <Args extends LoaderFunctionArgs | ActionFunctionArgs, Result>(
    handler: (args: Args) => Result,
    params: Params,
  ) =>
  (args: Args) =>
    handler({ ...args, params });

const startOidcSignIn = withParams(startSignIn.action, { provider: "oidc" });
const oidcCallback = withParams(oauth2Callback.loader, { providerId: "oidc" });

/** A path on the app from an absolute URL the provider redirected to. */
const appPath = (url: string) => {
  const parsed = new URL(url);
  expect(parsed.origin).toBe(TEST_APP_URL);
  return `${parsed.pathname}${parsed.search}`;
};

/** Presses "Continue with Test IdP" on /login: answers the provider's authorization URL. */
export async function startSignInWithProvider(client: TestClient, redirectTo?: string): Promise<string> {
  const started = await client.post(startOidcSignIn, "/auth/oidc", redirectTo ? { redirectTo } : {});
  expect(started.status).toBe(302);
  const location = started.location ?? "";
  expect(location.startsWith(TEST_APP_URL)).toBe(false);
  return location;
}

/** Signs in at the provider as `sub`: answers the callback URL the browser is sent back to (not yet followed). */
export const callbackFromProvider = (authorizationUrl: string, sub: string) =>
  signInAtProvider(authorizationUrl, sub);

/** The provider's redirect back, followed in `client`. */
export const followCallback = (client: TestClient, callbackUrl: string): Promise<RouteResult> =>
  client.get(oidcCallback, appPath(callbackUrl));

/** The whole sign-in through the provider as `sub`, from the button to the app's answer to the callback. */
export async function signInThroughProvider(
  client: TestClient,
  sub: string,
  redirectTo?: string,
): Promise<RouteResult> {
  const authorizationUrl = await startSignInWithProvider(client, redirectTo);
  return followCallback(client, await callbackFromProvider(authorizationUrl, sub));
}

/** Presses "Connect Test IdP" on /settings/connections and signs in at the provider as `sub`. */
export async function linkThroughProvider(client: TestClient, sub: string): Promise<RouteResult> {
  const started = await client.post(connections.action, "/settings/connections", {
    intent: "link",
    provider: "oidc",
  });
  expect(started.status).toBe(302);
  return followCallback(client, await callbackFromProvider(started.location ?? "", sub));
}

/** `?error=` of a redirect, the code better-auth (or the provider) answered with. */
export const errorCodeOf = (result: RouteResult) =>
  new URL(result.location ?? "/", TEST_APP_URL).searchParams.get("error");
