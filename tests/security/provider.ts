import { afterAll, beforeAll, expect } from "vitest";
import { uniqueEmail } from "../support/client";
import type { HttpApp } from "../support/http-app";
import { oidcEnv } from "../support/oauth";
import { signInAtProvider, startTestOidcProvider, type TestOidcProvider } from "../support/oidc-provider";
import { APP_START_TIMEOUT_MS, appOrigin, startApp, type Browser } from "./support";

/** Where the app is published, as in production (https): the provider sends browsers back there. */
export const APP_URL = "https://todo.example.com";
export const CALLBACK_PATH = "/api/auth/oauth2/callback/oidc";

let subjects = 0;
/** A subject (and so an identity) the provider has never signed in. */
const newSubject = () => `security-${process.pid}-${Date.now().toString(36)}-${++subjects}`;

/**
 * For the describe block it is called in: a real OpenID Connect provider
 * (`oidc-provider` on loopback) and the app configured to use it, started
 * before its tests and stopped after them; and the steps of a sign-in through
 * it, driven as a browser without JavaScript drives them: the "Continue with …"
 * button posts to `/auth/oidc`, the app redirects to the provider, whose sign-in
 * redirects back to the app's callback, which the browser follows with its cookies.
 */
export function withProvider(env: Record<string, string> | (() => Record<string, string>) = {}) {
  let app: HttpApp | undefined;
  let idp: TestOidcProvider | undefined;

  beforeAll(async () => {
    // Claims in the ID token as well as from userinfo, as Google and most providers send them.
    idp = await startTestOidcProvider({
      redirectUris: [`${APP_URL}${CALLBACK_PATH}`],
      claimsInIdToken: true,
    });
    const provider = idp;
    const extra = typeof env === "function" ? env() : env;
    app = await startApp({ APP_URL, ...oidcEnv(provider), ...extra }).catch(async (error: unknown) => {
      await provider.close();
      throw error;
    });
  }, APP_START_TIMEOUT_MS);
  afterAll(async () => {
    await app?.close();
    await idp?.close();
  });

  const started = () => {
    if (!app || !idp) throw new Error("the app and its provider start in beforeAll");
    return { app, idp };
  };

  /** An identity at the provider whose address it vouches for, or not. */
  function identity(verified: boolean, email = uniqueEmail("idp")) {
    const sub = newSubject();
    started().idp.setIdentity(sub, { email, email_verified: verified, name: "Ada Lovelace" });
    return { sub, email };
  }

  /** Checks a redirect to the provider; answers its authorization URL. */
  function toProvider(response: Response): string {
    expect(response.status).toBe(302);
    const location = response.headers.get("location") ?? "";
    expect(new URL(location).origin).toBe(started().idp.issuer);
    return location;
  }

  /** Presses "Continue with Test IdP": answers the provider's authorization URL the browser is sent to. */
  const pressProviderButton = async (browser: Browser, redirectTo?: string) =>
    toProvider(await browser.post("/auth/oidc", redirectTo === undefined ? {} : { redirectTo }));

  /** Signs in at the provider as `sub`: answers the callback URL it sends the browser back to (not yet followed). */
  async function atProvider(authorizationUrl: string, sub: string): Promise<URL> {
    const callback = new URL(await signInAtProvider(authorizationUrl, sub));
    expect(callback.origin).toBe(appOrigin(started().app));
    expect(callback.pathname).toBe(CALLBACK_PATH);
    expect(callback.searchParams.get("code")).toBeTruthy();
    return callback;
  }

  /** The provider's redirect back, followed by `browser` (a top-level navigation from the provider's site). */
  const followCallback = (browser: Browser, callback: URL) =>
    browser.get(`${callback.pathname}${callback.search}`, { "sec-fetch-site": "cross-site" });

  return {
    newSubject,
    app: () => started().app,
    idp: () => started().idp,
    identity,
    toProvider,
    pressProviderButton,
    atProvider,
    followCallback,
    /** The whole sign-in through the provider as `sub`, from the button to the app's answer to the callback. */
    signInThroughProvider: async (browser: Browser, sub: string) =>
      followCallback(browser, await atProvider(await pressProviderButton(browser), sub)),
    /** After any redirect to the provider (a link, a re-authentication): sign in there as `sub` and come back. */
    throughProvider: async (browser: Browser, redirect: Response, sub: string) =>
      followCallback(browser, await atProvider(toProvider(redirect), sub)),
  };
}
