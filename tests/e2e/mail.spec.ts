import { appUrl, newCredentials } from "./support/app";
import { MAILBOX_URL } from "./support/env";
import { linkIn, waitForMail } from "./support/mailbox";
import { expect, test } from "./support/test";

test.describe("mail journeys", () => {
  test("a forgotten password is reset from the link in the mail; the old one stops working", async ({
    app,
    page,
  }) => {
    const user = await app.signUpByPost(newCredentials("Reset"));
    await app.signOut();

    await app.goto("/login");
    await page.getByRole("link", { name: "Forgot password?" }).click();
    await expect(page).toHaveURL(appUrl("/forgot-password"));
    await app.hydrated();
    await app.field("Email").fill(user.email);
    await page.getByRole("button", { name: "Send me a link" }).click();
    await expect(page.getByRole("status")).toContainText(`If an account uses ${user.email}`);

    const mail = await waitForMail(page.request, user.email, "Reset your password");
    await app.goto(linkIn(mail, appUrl("/reset-password?token=")));
    // The token left the address at once (into the page's cookie).
    await expect(page).toHaveURL(appUrl("/reset-password"));
    await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
    const newPassword = `${user.password} renewed`;
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("Confirm new password").fill(newPassword);
    await page.getByRole("button", { name: "Change password" }).click();

    await expect(page).toHaveURL(appUrl("/login"));
    await expect(page.getByRole("status")).toContainText("Your password has been changed");
    await waitForMail(page.request, user.email, "Your password was changed");

    await app.hydrated();
    await app.submitLogin(user.email, user.password);
    await expect(app.alert).toContainText("The email address or password is not right.");
    await app.submitLogin(user.email, newPassword);
    await expect(page).toHaveURL(appUrl("/todos"));
    await expect(app.accountNav).toContainText(user.name);

    // The link worked once.
    await app.goto(linkIn(mail, appUrl("/reset-password?token=")));
    await expect(page.getByRole("heading", { name: "This link no longer works" })).toBeVisible();
  });

  test("an unconfirmed user is asked to confirm, and can have a new link sent", async ({ app, page }) => {
    const user = newCredentials("Pending");
    await app.goto("/signup");
    await app.submitSignup(user);
    await expect(page.getByRole("heading", { name: "Check your inbox" })).toBeVisible();
    await waitForMail(page.request, user.email, "Confirm your email address");

    await app.goto("/login");
    await app.submitLogin(user.email, user.password);
    await expect(app.alert).toContainText("Confirm your email address first");
    await page.getByRole("button", { name: "Send a new confirmation link" }).click();
    await expect(page).toHaveURL(appUrl("/verify-email"));
    await expect(page.getByRole("status")).toContainText(`If ${user.email} is waiting to be confirmed`);

    await expect
      .poll(async () => {
        const response = await page.request.get(
          `${MAILBOX_URL}/messages?to=${encodeURIComponent(user.email)}`,
        );
        return ((await response.json()) as unknown[]).length;
      })
      .toBe(2);
    const latest = await waitForMail(page.request, user.email, "Confirm your email address");
    await app.confirmSignUp(linkIn(latest, appUrl("/verify-email?token=")));
    await expect(page).toHaveURL(appUrl("/todos"));
  });

  test("a tampered confirmation link gets a page with a way to ask again", async ({ app, page }) => {
    await app.confirmSignUp("/verify-email?token=not-a-real-token");
    await expect(page.getByRole("heading", { name: "This link does not work" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Send a new link" })).toBeVisible();
  });
});
