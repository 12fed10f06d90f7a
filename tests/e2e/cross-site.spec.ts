import { appUrl } from "./support/app";
import { APP_URL } from "./support/env";
import { serveOtherSite } from "./support/other-site";
import { expect, test } from "./support/test";

test.beforeEach(async ({ app, todos }) => {
  await app.signUpByPost();
  await todos.add("Keep me");
});

test("a post that does not come from the app's origin is refused and changes nothing", async ({
  app,
  todos,
  page,
}) => {
  const id = await todos.idOf("Keep me");
  const forgeries: Array<{ why: string; headers: Record<string, string> }> = [
    { why: "Origin of another site", headers: { Origin: "https://evil.example" } },
    { why: "Origin null", headers: { Origin: "null" } },
    { why: "only a Referer from another site", headers: { Referer: "https://evil.example/page" } },
    { why: "neither Origin nor Referer", headers: {} },
    { why: "Sec-Fetch-Site: cross-site", headers: { Origin: APP_URL, "Sec-Fetch-Site": "cross-site" } },
  ];
  for (const { why, headers } of forgeries) {
    const forms: Array<Record<string, string>> = [
      { intent: "create", title: "Forged" },
      { intent: "toggle", id },
      { intent: "toggle-all" },
      { intent: "delete", id },
    ];
    for (const form of forms) {
      const response = await page.request.post("/todos", { form, headers, maxRedirects: 0 });
      expect(response.status(), `${form.intent} with ${why}`).toBe(403);
    }
  }
  await app.reload();
  await todos.expectList([{ title: "Keep me", completed: false }]);

  // The same session and form from the app's own origin is accepted: the refusals were about the origin.
  const genuine = await page.request.post("/todos", {
    form: { intent: "create", title: "Sent from the app" },
    headers: { Origin: APP_URL },
    maxRedirects: 0,
  });
  expect(genuine.status()).toBeGreaterThanOrEqual(300);
  expect(genuine.status()).toBeLessThan(400);
  await app.reload();
  await todos.expectList([
    { title: "Keep me", completed: false },
    { title: "Sent from the app", completed: false },
  ]);
});

for (const host of ["127.0.0.1", "localhost"] as const) {
  test(`a form on another origin (${host}) cannot change the list of a signed-in user`, async ({
    todos,
    page,
  }) => {
    const id = await todos.idOf("Keep me");
    const site = await serveOtherSite(
      host,
      `<!doctype html><html lang="en"><head><title>You won!</title></head><body>
        <form method="post" action="${APP_URL}/todos">
          <input type="hidden" name="intent" value="create">
          <input type="hidden" name="title" value="Forged by another site">
          <button type="submit">Claim your prize</button>
        </form>
        <form method="post" action="${APP_URL}/todos">
          <input type="hidden" name="intent" value="delete">
          <input type="hidden" name="id" value="${id}">
          <button type="submit">Claim another prize</button>
        </form>
      </body></html>`,
    );
    try {
      for (const button of ["Claim your prize", "Claim another prize"]) {
        await page.goto(site.url);
        const answered = page.waitForResponse(
          (response) => response.url() === appUrl("/todos") && response.request().method() === "POST",
        );
        await page.getByRole("button", { name: button }).click();
        expect((await answered).status(), button).toBe(403);
        await expect(page.getByRole("heading", { name: "Request refused" })).toBeVisible();
      }
    } finally {
      await site.close();
    }

    await todos.goto();
    await todos.expectList([{ title: "Keep me", completed: false }]);
  });
}
