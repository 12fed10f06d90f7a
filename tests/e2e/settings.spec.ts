import { appUrl, newCredentials } from "./support/app";
import { waitForMail } from "./support/mailbox";
import { expect, test } from "./support/test";

test.describe("settings", () => {
  test("a new name is saved and shown in the header", async ({ app, page }) => {
    await app.signUpByPost(newCredentials("Named"));
    await (await app.openAccountMenu()).getByRole("link", { name: "Settings" }).click();
    await expect(page).toHaveURL(appUrl("/settings/profile"));
    await app.hydrated();
    await page.getByLabel("Name").fill("Ada Byron");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toContainText("Your name has been saved.");
    await expect(app.accountNav).toContainText("Ada Byron");
  });

  test("a password change needs the current password, and keeps this browser signed in", async ({
    app,
    page,
    javaScriptEnabled,
  }) => {
    const user = await app.signUpByPost(newCredentials("Changer"));
    await app.goto("/settings/password");
    const newPassword = `${user.password} changed`;

    await page.getByLabel("Current password").fill("not my password");
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("Confirm new password").fill(newPassword);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(app.alert).toContainText("That is not your current password");
    await expect(page.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");
    // The server never sends a password back; with JavaScript the browser simply keeps what was typed.
    if (!javaScriptEnabled) await expect(page.getByLabel("Current password")).toHaveValue("");

    await page.getByLabel("Current password").fill(user.password);
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("Confirm new password").fill(newPassword);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByRole("status")).toContainText("Your password has been changed.");
    await waitForMail(page.request, user.email, "Your password was changed");

    await app.goto("/todos");
    await expect(page).toHaveURL(appUrl("/todos"));
    await app.signOut();
    await app.goto("/login");
    await app.submitLogin(user.email, newPassword);
    await expect(page).toHaveURL(appUrl("/todos"));
  });
});
