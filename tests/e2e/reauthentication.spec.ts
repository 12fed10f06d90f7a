import { newCredentials, postSignup } from "./support/app";
import { REAUTH_APP_URL, REAUTH_MAX_AGE_SECONDS } from "./support/env";
import { expect, test } from "./support/test";

/**
 * Sudo mode as a person meets it, against the instance whose window is a few
 * seconds long (its database is in the server's memory: the only way out of
 * the window is for those seconds to pass).
 */
test.use({ baseURL: REAUTH_APP_URL });

test("a person outside the window is asked for the password before changing it, and comes back to the page", async ({
  page,
  app,
}) => {
  const user = await postSignup(page.request, newCredentials("Sudo"), REAUTH_APP_URL);
  const newPassword = `${user.password} renewed`;

  // The sign-in was an authentication: once the window has passed, the page asks again.
  await expect(async () => {
    await page.goto("/settings/password");
    expect(new URL(page.url()).pathname).toBe("/reauthenticate");
  }).toPass({ timeout: (REAUTH_MAX_AGE_SECONDS + 15) * 1000 });
  await app.hydrated();
  expect(page.url()).toBe(`${REAUTH_APP_URL}/reauthenticate?redirectTo=%2Fsettings%2Fpassword`);
  await expect(
    page.getByText(
      `Confirm it's you: enter your password to continue. We ask again after ${REAUTH_MAX_AGE_SECONDS} seconds.`,
    ),
  ).toBeVisible();
  const password = page.getByLabel("Password", { exact: true });
  await expect(password).toBeFocused();
  await expect(password).toHaveAttribute("autocomplete", "current-password");

  // A wrong password: said beside the field and in the summary, and not typed back.
  await password.fill("not my password at all");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert")).toContainText("That is not your current password");
  await expect(password).toHaveAttribute("aria-invalid", "true");
  if (!app.javaScriptEnabled) await expect(password).toHaveValue("");

  await password.fill(user.password);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(`${REAUTH_APP_URL}/settings/password`);
  await app.hydrated();

  await page.getByLabel("Current password").fill(user.password);
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Confirm new password").fill(newPassword);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toContainText("Your password has been changed.");
});

test("every page of sensitive changes asks for the password once the window has passed, and brings the person back", async ({
  page,
  app,
}) => {
  const user = await postSignup(page.request, newCredentials("SudoPages"), REAUTH_APP_URL);
  for (const [path, heading] of [
    ["/settings/email", "Email address"],
    ["/settings/connections", "Connections"],
    ["/settings/account", "Export your data"],
  ] as const) {
    await expect(async () => {
      await page.goto(path);
      expect(new URL(page.url()).pathname).toBe("/reauthenticate");
    }).toPass({ timeout: (REAUTH_MAX_AGE_SECONDS + 15) * 1000 });
    expect(page.url()).toBe(`${REAUTH_APP_URL}/reauthenticate?${new URLSearchParams({ redirectTo: path })}`);
    await app.hydrated();
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page).toHaveURL(`${REAUTH_APP_URL}${path}`);
    await expect(page.getByRole("heading", { name: heading, exact: true })).toBeVisible();
  }
  // Right after it, inside the window, the export downloads.
  await app.hydrated();
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download my data" }).click();
  expect((await download).suggestedFilename()).toMatch(/\.json$/);
});
