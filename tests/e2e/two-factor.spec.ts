import { currentTotp } from "../../app/two-factor/totp.server";
import type { Page } from "@playwright/test";
import { appUrl, newCredentials, type App } from "./support/app";
import { continueWithProvider, createProviderIdentity } from "./support/oidc";
import { expect, test } from "./support/test";

const STEP_MS = 30_000;

/** Turns two-step sign-in on from its settings page, as a person with an authenticator app does. */
async function turnOn(app: App, page: Page) {
  await app.goto("/settings/two-factor");
  const secret = ((await page.locator("code.secret").textContent()) ?? "").replace(/\s/g, "");
  await page.getByLabel("Code", { exact: true }).fill(currentTotp(secret));
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  await expect(page.locator(".recovery-codes code")).toHaveCount(10);
  return { secret, codes: await page.locator(".recovery-codes code").allTextContents() };
}

/**
 * Two-step sign-in as a person meets it, with JavaScript on and off: the code
 * typed is made from the key the page shows, as an authenticator app makes it.
 */
test("two-step sign-in is turned on from the page, asked at the next sign-in, and a recovery code works once", async ({
  app,
  page,
}) => {
  const user = await app.signUpByPost(newCredentials("TwoStep"));
  await app.goto("/settings/two-factor");
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Open it in your authenticator app" })).toHaveAttribute(
    "href",
    /^otpauth:\/\/totp\//,
  );
  const secret = ((await page.locator("code.secret").textContent()) ?? "").replace(/\s/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);

  // A wrong code: said beside the field and in the summary; the code is not typed back.
  const code = page.getByLabel("Code", { exact: true });
  await expect(code).toHaveAttribute("autocomplete", "one-time-code");
  await code.fill("000000");
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  await expect(page.getByRole("alert")).toContainText("That code is not right");
  await expect(code).toHaveAttribute("aria-invalid", "true");
  if (!app.javaScriptEnabled) await expect(code).toHaveValue("");

  await code.fill(currentTotp(secret));
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  const heading = page.getByRole("heading", { name: "Save your recovery codes" });
  await expect(heading).toBeVisible();
  if (app.javaScriptEnabled) await expect(heading).toBeFocused();
  await expect(page.locator(".recovery-codes code")).toHaveCount(10);
  const codes = await page.locator(".recovery-codes code").allTextContents();
  await expect(page.getByRole("link", { name: "Download as a text file" })).toHaveAttribute(
    "download",
    "todo-recovery-codes.txt",
  );
  await page.getByRole("link", { name: "I have saved them" }).click();
  await expect(page.getByText("10 recovery codes are left.")).toBeVisible();

  // The next sign-in asks for a code after the password.
  await app.signOut();
  await app.goto("/login");
  await app.submitLogin(user.email, user.password);
  await expect(page).toHaveURL(appUrl("/login/two-factor"));
  await app.hydrated();
  const second = page.getByLabel("Code", { exact: true });
  await expect(second).toBeFocused();
  await second.fill(currentTotp(secret, Date.now() + STEP_MS));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(appUrl("/todos"));
  await expect(app.accountNav).toContainText(user.name);

  // A recovery code instead, once.
  for (const expected of ["/todos", "/login/two-factor"]) {
    await app.signOut();
    await app.goto("/login");
    await app.submitLogin(user.email, user.password);
    await expect(page).toHaveURL(appUrl("/login/two-factor"));
    await app.hydrated();
    await page.getByLabel("Code", { exact: true }).fill(codes[0] ?? "");
    await page.getByRole("button", { name: "Sign in" }).click();
    if (expected === "/todos") {
      await expect(page).toHaveURL(appUrl("/todos"));
    } else {
      await expect(page.getByRole("alert")).toContainText("That code is not right, or was already used");
      await expect(page).toHaveURL(appUrl(expected));
    }
  }
});

test("new recovery codes replace the old, and two-step sign-in is turned off with a code", async ({
  app,
  page,
}) => {
  const user = await app.signUpByPost(newCredentials("TwoStepOff"));
  const { codes: first } = await turnOn(app, page);
  await page.getByRole("link", { name: "I have saved them" }).click();
  await app.hydrated();

  await page.getByRole("button", { name: "Make new recovery codes" }).click();
  await expect(page.getByRole("status")).toContainText("Your old recovery codes no longer work.");
  await expect(page.locator(".recovery-codes code")).toHaveCount(10);
  const second = await page.locator(".recovery-codes code").allTextContents();
  expect(second.filter((code) => first.includes(code))).toEqual([]);
  await page.getByRole("link", { name: "I have saved them" }).click();
  await expect(page.getByText("10 recovery codes are left.")).toBeVisible();
  await app.hydrated();

  // An old code does not turn it off; a new one does.
  const code = page.getByLabel("Code", { exact: true });
  await code.fill(first[0] ?? "");
  await page.getByRole("button", { name: "Turn off two-step sign-in" }).click();
  await expect(page.getByRole("alert")).toContainText(
    "neither your app's current code nor an unused recovery code",
  );
  await code.fill(second[0] ?? "");
  await page.getByRole("button", { name: "Turn off two-step sign-in" }).click();
  await expect(page.getByRole("status")).toContainText("Two-step sign-in is off.");

  await app.signOut();
  await app.goto("/login");
  await app.submitLogin(user.email, user.password);
  await expect(page).toHaveURL(appUrl("/todos"));
});

test("a provider sign-in asks for the code too, then lands where it was going", async ({ app, page }) => {
  // The provider's development pages import a web font; nothing leaves this machine.
  await page.route("https://fonts.googleapis.com/**", (route) => route.abort());
  const identity = await createProviderIdentity(page.request);
  await continueWithProvider(app, identity, { start: "/login", landing: "/todos" });
  const { secret } = await turnOn(app, page);

  await app.signOut();
  await continueWithProvider(app, identity, {
    start: "/login?redirectTo=%2Fsettings%2Fprofile",
    landing: "/login/two-factor",
  });
  // A wrong code first: said beside the field, not typed back.
  const code = page.getByLabel("Code", { exact: true });
  await code.fill("000000");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("That code is not right");
  if (!app.javaScriptEnabled) await expect(code).toHaveValue("");
  await code.fill(currentTotp(secret, Date.now() + STEP_MS));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(appUrl("/settings/profile"));
  await app.goto("/settings/sessions");
  await expect(page.getByText(/Signed in with: .+ and authenticator app/)).toBeVisible();
});
