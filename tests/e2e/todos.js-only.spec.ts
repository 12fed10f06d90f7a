import { type Page } from "@playwright/test";
import { appUrl } from "./support/app";
import { expect, test } from "./support/test";

/** Counts the document loads of the tab (a fetch from the page is not one). */
function countPageLoads(page: Page): { readonly count: number } {
  const loads = { count: 0 };
  page.on("request", (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) loads.count += 1;
  });
  return loads;
}

const historyLength = (page: Page) => page.evaluate(() => history.length);

test.beforeEach(async ({ app }) => {
  await app.signUpByPost();
});

test("adding a todo keeps the focus in the cleared field, ready for the next", async ({ todos, page }) => {
  await todos.newTodo.focus();
  await todos.submit(() => page.keyboard.type("Buy milk\n"));
  await expect(todos.newTodo).toBeFocused();
  await expect(todos.newTodo).toHaveValue("");

  // Straight on with the next one, without touching the mouse.
  await todos.submit(() => page.keyboard.type("Walk the dog\n"));
  await expect(todos.newTodo).toBeFocused();
  await expect(todos.newTodo).toHaveValue("");

  await todos.submit(async () => {
    await todos.newTodo.fill("Call mum");
    await todos.addButton.click();
  });
  await expect(todos.newTodo).toBeFocused();
  await expect(todos.newTodo).toHaveValue("");

  await todos.expectPersisted(async () => {
    await todos.expectList([
      { title: "Buy milk", completed: false },
      { title: "Walk the dog", completed: false },
      { title: "Call mum", completed: false },
    ]);
  });
});

test("changing todos updates the page in place, without loading a new one", async ({ todos, page }) => {
  await todos.addAll("Buy milk", "Walk the dog");
  const loads = countPageLoads(page);

  await todos.complete("Buy milk");
  await expect(todos.reopenButton("Buy milk")).toHaveAttribute("aria-pressed", "true");
  await todos.rename("Walk the dog", "Walk the cat");
  await expect(todos.titleInput("Walk the cat")).toHaveValue("Walk the cat");
  await todos.delete("Buy milk");
  await expect(todos.item("Buy milk")).toHaveCount(0);
  await expect(todos.count).toHaveText("1 item left");

  await expect(page).toHaveURL(appUrl("/todos"));
  expect(loads.count).toBe(0);
});

test("actions do not add one history entry each", async ({ todos, page }) => {
  await todos.addAll("Buy milk", "Walk the dog");
  const before = await historyLength(page);

  await todos.complete("Buy milk");
  await todos.reopen("Buy milk");
  await todos.toggleAll();
  await todos.reopen("Walk the dog");
  await todos.clearCompleted();
  await todos.rename("Walk the dog", "Walk the cat");
  await todos.add("Call mum");
  await todos.expectList([
    { title: "Walk the cat", completed: false },
    { title: "Call mum", completed: false },
  ]);

  expect(await historyLength(page)).toBe(before);
  await expect(page).toHaveURL(appUrl("/todos"));
});
