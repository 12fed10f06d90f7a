import { appUrl, newCredentials } from "./support/app";
import { APP_URL, OIDC_NAME } from "./support/env";
import {
  callbackUrlFromProvider,
  continueWithProvider,
  createProviderIdentity,
  providerButton,
  signInAtProvider,
} from "./support/oidc";
import { expect, test } from "./support/test";

/**
 * Sign-in through a real OpenID Connect provider on loopback (the tests'
 * `oidc-provider`, support/oidc-server.ts): every step a plain page or form,
 * so each test runs with JavaScript off as well as on.
 */
test.describe("signing in with an OpenID Connect provider", () => {
  test.beforeEach(async ({ page }) => {
    // The provider's development pages import a web font; nothing leaves this machine.
    await page.route("https://fonts.googleapis.com/**", (route) => route.abort());
  });

  test("a new user signs up through the provider and lands where they meant to go; later they sign in again", async ({
    app,
    page,
  }) => {
    const identity = await createProviderIdentity(page.request);
    await continueWithProvider(app, identity, {
      start: "/login?redirectTo=%2Ftodos%3Ffilter%3Dactive",
      landing: "/todos?filter=active",
    });
    await expect(app.accountNav).toContainText(identity.name);

    await app.signOut();
    // The sign-up page offers the same button.
    await continueWithProvider(app, identity, { start: "/signup", landing: "/todos" });
    await expect(app.accountNav).toContainText(identity.name);

    await app.goto("/settings/security");
    await expect(page.getByRole("cell", { name: `Signed in with ${OIDC_NAME}` })).toHaveCount(2);
    await page
      .getByRole("navigation", { name: "Settings" })
      .getByRole("link", { name: "Connections" })
      .click();
    await expect(page).toHaveURL(appUrl("/settings/connections"));
    await expect(page.getByRole("list", { name: "Connected services" })).toContainText(OIDC_NAME);
  });

  test("a provider that vouches for the address of a confirmed account signs in to that account", async ({
    app,
    page,
  }) => {
    const user = await app.signUpByPost(newCredentials("Joined"));
    await app.signOut();
    const identity = await createProviderIdentity(page.request, { email: user.email, name: "Someone Else" });
    await continueWithProvider(app, identity, { start: "/login", landing: "/todos" });
    await expect(app.accountNav).toContainText(user.name);

    // The password still works as well.
    await app.signOut();
    await app.goto("/login");
    await app.submitLogin(user.email, user.password);
    await expect(page).toHaveURL(appUrl("/todos"));
  });

  test("a sign-up never confirmed is the address owner's once a provider vouches for it; the password chosen at it stops working", async ({
    app,
    page,
  }) => {
    // Someone signs the address up with a password of theirs and never confirms it.
    const squatter = newCredentials("Squatter");
    const signedUp = await page.request.post("/signup", {
      form: { ...squatter, confirmPassword: squatter.password },
      headers: { Origin: APP_URL },
      maxRedirects: 0,
    });
    expect(signedUp.status()).toBe(302);
    // Its owner continues with a provider that vouches for the address.
    const identity = await createProviderIdentity(page.request, { email: squatter.email, name: "The Owner" });
    await continueWithProvider(app, identity, { start: "/login", landing: "/todos" });
    await app.goto("/settings/connections");
    await expect(page.getByRole("list", { name: "Connected services" })).toContainText(OIDC_NAME);

    // The squatter's password opens nothing.
    await app.signOut();
    await app.goto("/login");
    await app.submitLogin(squatter.email, squatter.password);
    await expect(app.alert).toContainText("The email address or password is not right.");
  });

  test("a callback with a tampered state signs nobody in", async ({ app, page }) => {
    const identity = await createProviderIdentity(page.request);
    await app.goto("/login");
    await providerButton(page).click();
    const callback = new URL(await callbackUrlFromProvider(app, identity));
    callback.searchParams.set("state", `${callback.searchParams.get("state") ?? ""}tampered`);
    await app.goto(callback.toString());
    await expect(page).toHaveURL(appUrl("/login?error=state_mismatch"));
    await expect(app.alert).toContainText("did not work");
    await expect(app.accountNav.getByRole("link", { name: "Sign in" })).toBeVisible();
  });

  test("a code works once: neither the replayed callback nor its code under a new state signs anyone in", async ({
    app,
    page,
  }) => {
    const identity = await createProviderIdentity(page.request);
    await app.goto("/login");
    await providerButton(page).click();
    const first = await callbackUrlFromProvider(app, identity);
    await app.goto(first);
    await expect(page).toHaveURL(appUrl("/todos"));
    await app.signOut();

    await app.goto(first);
    await expect(page).toHaveURL(appUrl("/login?error=state_mismatch"));
    await expect(app.alert).toContainText("did not work");

    // A new sign-in in this browser, its callback carrying the spent code.
    await providerButton(page).click();
    const second = new URL(await callbackUrlFromProvider(app, identity));
    second.searchParams.set("code", new URL(first).searchParams.get("code") ?? "");
    await app.goto(second.toString());
    await expect(page).toHaveURL(appUrl("/login?provider=oidc&error=invalid_code"));
    await expect(app.alert).toContainText(`Signing in with ${OIDC_NAME} did not work`);
    await expect(app.accountNav.getByRole("link", { name: "Sign in" })).toBeVisible();
  });

  test("the last way to sign in cannot be disconnected; with a password set it can", async ({
    app,
    page,
  }) => {
    const identity = await createProviderIdentity(page.request);
    await app.goto("/login");
    await providerButton(page).click();
    await signInAtProvider(page, identity);
    await expect(page).toHaveURL(appUrl("/todos"));

    await app.goto("/settings/connections");
    const connected = page.getByRole("list", { name: "Connected services" });
    await page.getByRole("button", { name: `Disconnect ${OIDC_NAME}` }).click();
    await expect(app.alert).toContainText(`${OIDC_NAME} is the only way you can sign in`);
    await expect(connected).toContainText(OIDC_NAME);

    // No current password to give: the page asks for the new one only.
    const password = "a provider user's own passphrase";
    await app.goto("/settings/password");
    await expect(page.getByLabel("Current password")).toHaveCount(0);
    await page.getByLabel("New password", { exact: true }).fill(password);
    await page.getByLabel("Confirm new password").fill(password);
    await page.getByRole("button", { name: "Set password" }).click();
    await expect(page.getByRole("status")).toContainText("Your password is set");

    await app.goto("/settings/connections");
    await page.getByRole("button", { name: `Disconnect ${OIDC_NAME}` }).click();
    await expect(page.getByRole("status")).toContainText(`${OIDC_NAME} is disconnected`);
    await expect(connected).toHaveCount(0);
    await expect(page.getByRole("button", { name: `Connect ${OIDC_NAME}` })).toBeVisible();

    await app.goto("/settings/security");
    await expect(page.getByRole("cell", { name: "Password set" })).toBeVisible();
    await expect(page.getByRole("cell", { name: `${OIDC_NAME} disconnected` })).toBeVisible();

    await app.signOut();
    await app.goto("/login");
    await app.submitLogin(identity.email, password);
    await expect(page).toHaveURL(appUrl("/todos"));
    await expect(app.accountNav).toContainText(identity.name);
  });
});
