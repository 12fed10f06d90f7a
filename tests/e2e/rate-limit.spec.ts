import { expect, test } from "./support/test";

test("too many reset requests from one address get a page that says how long to wait", async ({
  app,
  page,
}) => {
  const email = "someone@example.com";
  // Five requests per quarter hour are allowed from one address; the sixth is refused.
  for (let request = 1; request <= 5; request++) {
    await app.goto("/forgot-password");
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: /send/i }).click();
    await expect(page.getByText(`If an account uses ${email}`)).toBeVisible();
  }
  await app.goto("/forgot-password");
  await page.getByLabel("Email").fill(email);
  const answered = page.waitForResponse((response) => response.request().method() === "POST");
  await page.getByRole("button", { name: /send/i }).click();
  const refusal = await answered;
  expect(refusal.status()).toBe(429);
  expect(Number(refusal.headers()["retry-after"])).toBeGreaterThan(0);
  await expect(page.getByRole("heading", { name: "Too many attempts" })).toBeVisible();
  await expect(page.getByText(/Try again in \d+ minutes?\./)).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to the home page" })).toBeVisible();
});
