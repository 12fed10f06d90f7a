import { appUrl } from "./support/app";
import { expect, test } from "./support/test";

test("an unknown address answers 404 with a page that leads home", async ({ app, page }) => {
  const response = await app.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();

  await page.getByRole("link", { name: "Go to the home page" }).click();
  await expect(page).toHaveURL(appUrl("/"));
  await expect(page.getByRole("heading", { name: "Get things done." })).toBeVisible();
});

test("a signed-in user on an unknown address keeps their header and finds their list", async ({
  app,
  page,
}) => {
  const user = await app.signUpByPost();
  const response = await app.goto("/todos/nope");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(app.accountNav).toContainText(user.name);

  await page.getByRole("link", { name: "Go to the home page" }).click();
  await expect(page).toHaveURL(appUrl("/todos"));
  await expect(page.getByRole("heading", { name: "Your todos" })).toBeVisible();
});
