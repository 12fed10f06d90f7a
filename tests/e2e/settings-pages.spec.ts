import { newCredentials, postSignup } from "./support/app";
import { OIDC_NAME, PASSKEY_APP_URL } from "./support/env";
import { expect, test } from "./support/test";

// A reader in Paris: December there is CET, an hour past UTC.
test.use({ timezoneId: "Europe/Paris" });

test("times are in UTC and say so without JavaScript; with it, in the reader's zone and how long ago", async ({
  app,
  page,
  javaScriptEnabled,
}) => {
  await app.signUpByPost(newCredentials("Times"));
  await app.goto("/settings/security");
  const firstEvent = page.getByRole("row").filter({ hasText: "Account created" }).locator("time");
  await expect(firstEvent).toHaveAttribute("datetime", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);

  if (!javaScriptEnabled) {
    await expect(firstEvent).toHaveText(/^\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC$/);
    return;
  }
  await expect(firstEvent).toHaveText(/^(just now|\d+ minutes? ago)$/);
  await expect(firstEvent).toHaveAttribute("title", /^\d{1,2} \w{3} \d{4}, \d{2}:\d{2} CET$/);
  // The browser has named its zone: the server now renders the page in it.
  const html = await (await page.request.get("/settings/security")).text();
  expect(html).toMatch(
    /<time dateTime="[^"]+" title="[^"]+ CET">\d{1,2} \w{3} \d{4}, \d{2}:\d{2} CET<\/time>/,
  );
  expect(html).not.toMatch(/ UTC<\/time>/);
});

test.describe("on a site with no sign-in services", () => {
  test.use({ baseURL: PASSKEY_APP_URL });

  test("Connections says there is nothing to connect and where to go instead", async ({ page }) => {
    await postSignup(page.request, newCredentials("Lonely"), PASSKEY_APP_URL);
    await page.goto("/settings/connections");
    await expect(page.getByTestId("no-providers")).toContainText("nothing to connect");
    await page.getByTestId("no-providers").getByRole("link", { name: "passkey" }).click();
    await expect(page).toHaveURL(`${PASSKEY_APP_URL}/settings/passkeys`);
  });
});

test("Connections offers the configured provider and no excuse", async ({ app, page }) => {
  await app.signUpByPost(newCredentials("Social"));
  await app.goto("/settings/connections");
  await expect(page.getByRole("button", { name: `Connect ${OIDC_NAME}` })).toBeVisible();
  await expect(page.getByTestId("no-providers")).toHaveCount(0);
});
