import { randomBytes } from "node:crypto";
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { appUrl, type App } from "./app";
import { OIDC_NAME, OIDC_URL } from "./env";

/** Who the test is at the provider: its subject and the claims the provider gives about it. */
export interface ProviderIdentity {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
}

/** Tells the tests' provider who `sub` is; the provider's sign-in form then takes `sub` as the login. */
export async function createProviderIdentity(
  request: APIRequestContext,
  {
    email = `idp-${randomBytes(6).toString("hex")}@example.com`,
    emailVerified = true,
    name = "Katherine Johnson",
  }: Partial<Omit<ProviderIdentity, "sub">> = {},
): Promise<ProviderIdentity> {
  const sub = `e2e-${randomBytes(8).toString("hex")}`;
  const response = await request.put(`${OIDC_URL}/test/identities/${sub}`, {
    data: { email, email_verified: emailVerified, name },
  });
  expect(response.status()).toBe(204);
  return { sub, email, emailVerified, name };
}

export const providerButton = (page: Page) =>
  page.getByRole("button", { name: `Continue with ${OIDC_NAME}` });

/**
 * On the provider's sign-in page (its own development form, plain HTML):
 * signs in as `identity`. The provider then redirects back to the app.
 */
export async function signInAtProvider(page: Page, identity: ProviderIdentity): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`^${OIDC_URL}/`));
  await page.getByPlaceholder("Enter any login").fill(identity.sub);
  await page.getByPlaceholder("and password").fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
}

/**
 * The whole sign-in through the provider, as a person does it: from the page at
 * `start`, presses "Continue with …", signs in there as `identity`, and is
 * brought back to `landing` (a page of the app, or `/login` with an error).
 */
export async function continueWithProvider(
  app: App,
  identity: ProviderIdentity,
  { start, landing }: { start: string; landing: string },
): Promise<void> {
  await app.goto(start);
  await providerButton(app.page).click();
  await signInAtProvider(app.page, identity);
  await expect(app.page).toHaveURL(appUrl(landing));
  await app.hydrated();
}

/**
 * Signs in at the provider, but stops the browser before it reaches the
 * app's callback; answers that callback URL (with its `code` and `state`).
 * Playwright cannot intercept the hops of a redirect chain, so the provider's
 * answer to its sign-in form is followed here, in the browser's cookie jar,
 * and the browser is shown a stand-in page instead.
 */
export async function callbackUrlFromProvider(app: App, identity: ProviderIdentity): Promise<string> {
  const { page } = app;
  let callback: string | undefined;
  const isProviderSignIn = (url: URL) => url.origin === OIDC_URL && url.pathname.startsWith("/interaction/");
  await page.route(isProviderSignIn, async (route) => {
    if (route.request().method() !== "POST") return route.fallback();
    let answer = await route.fetch({ maxRedirects: 0 });
    let at = route.request().url();
    for (let hop = 0; hop < 10 && callback === undefined; hop++) {
      const location = new URL(answer.headers()["location"] ?? "", at).toString();
      if (new URL(location).origin !== OIDC_URL) callback = location;
      else answer = await page.request.get((at = location), { maxRedirects: 0 });
    }
    await route.fulfill({
      status: 200,
      contentType: "text/html",
      body: "<p>Stopped before the callback.</p>",
    });
  });
  await signInAtProvider(page, identity);
  await expect.poll(() => callback, { message: "the provider's redirect to the callback" }).toBeDefined();
  await page.unroute(isProviderSignIn);
  return callback ?? "";
}
