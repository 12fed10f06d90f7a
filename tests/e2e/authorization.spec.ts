import { App, newCredentials } from "./support/app";
import { APP_URL } from "./support/env";
import { expect, test } from "./support/test";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

test("another user's todo cannot be changed, renamed or deleted", async ({
  app,
  todos,
  browser,
  baseURL,
  javaScriptEnabled,
}) => {
  await app.signUpByPost(newCredentials("Alice"));
  await todos.add("Alice's plan");
  const id = await todos.idOf("Alice's plan");
  expect(id).toMatch(UUID);

  // Bob, in a browser of his own, replays Alice's forms with her todo's id.
  const bobsBrowser = await browser.newContext({ baseURL, javaScriptEnabled });
  try {
    const bob = new App(await bobsBrowser.newPage(), javaScriptEnabled);
    await bob.signUpByPost(newCredentials("Bob"));
    const forms: Array<Record<string, string>> = [
      { intent: "toggle", id },
      { intent: "update", id, title: "Bob was here" },
      { intent: "delete", id },
    ];
    for (const form of forms) {
      const response = await bob.page.request.post("/todos", {
        form,
        headers: { Origin: APP_URL },
        maxRedirects: 0,
      });
      expect(response.status(), `${form.intent} of another user's todo`).toBe(404);
    }
    // Bob's own list did not gain anything either.
    await bob.reload();
    await expect(bob.page.getByText("Nothing to do yet. Add your first todo above.")).toBeVisible();
  } finally {
    await bobsBrowser.close();
  }

  await todos.expectPersisted(async () => {
    await todos.expectList([{ title: "Alice's plan", completed: false }]);
  });

  // The very same request from Alice herself is accepted: the 404s were about the owner.
  const own = await app.page.request.post("/todos", {
    form: { intent: "toggle", id },
    headers: { Origin: APP_URL },
    maxRedirects: 0,
  });
  expect(own.status()).toBeGreaterThanOrEqual(300);
  expect(own.status()).toBeLessThan(400);
  expect(own.headers()["location"]).toBe("/todos");
  await app.reload();
  await todos.expectList([{ title: "Alice's plan", completed: true }]);
});
