import AxeBuilder from "@axe-core/playwright";
import { type Locator, type Page } from "@playwright/test";
import { appUrl } from "./support/app";
import { expect, test } from "./support/test";
import { VIEWPORTS, type TodoList } from "./support/todos";

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

test("Escape puts a refused edit back as stored, without its message, and keeps the focus", async ({
  todos,
}) => {
  await todos.addAll("Buy milk", "Walk the dog");
  const field = todos.titleInput("Walk the dog");
  await field.fill(" ");
  await field.press("Enter");
  await expect(field).toHaveAccessibleDescription("Enter a title");

  await field.press("Escape");
  await expect(field).toHaveValue("Walk the dog");
  await expect(field).toBeFocused();
  await expect(field).not.toHaveAttribute("aria-invalid", "true");
  await expect(todos.page.getByRole("alert")).toHaveCount(0);
});

/** Where a control is on the screen, to see that it has not moved. */
async function placeOf(locator: Locator) {
  const box = await locator.boundingBox();
  return box ? { x: Math.round(box.x), y: Math.round(box.y) } : null;
}

/** Tries to add an all-space title; the page refuses it with the message beside the field, which takes the focus. */
async function refuseEmptyTitle(todos: TodoList) {
  await todos.newTodo.fill("   ");
  await todos.addButton.click();
  await expect(todos.page.getByRole("alert")).toHaveText("Enter a title");
  await expect(todos.newTodo).toHaveAttribute("aria-invalid", "true");
  await expect(todos.newTodo).toBeFocused();
}

async function expectNoError(todos: TodoList) {
  await expect(todos.page.getByRole("alert")).toHaveCount(0);
  await expect(todos.page.getByText("Enter a title")).toHaveCount(0);
  await expect(todos.newTodo).not.toHaveAttribute("aria-invalid", "true");
  await expect(todos.newTodo).toHaveAccessibleDescription("");
}

for (const [device, viewport] of Object.entries(VIEWPORTS)) {
  test.describe(`on a ${device} (${viewport.width}×${viewport.height})`, () => {
    test.use({ viewport });

    test("a refused title leaves no stale error once a todo is added, completed or deleted", async ({
      todos,
    }) => {
      await todos.addAll("Buy milk", "Walk the dog");

      await refuseEmptyTitle(todos);
      await todos.add("Call mum");
      await expectNoError(todos);
      await expect(todos.newTodo).toBeFocused();
      await expect(todos.newTodo).toHaveValue("");

      await refuseEmptyTitle(todos);
      await todos.complete("Buy milk");
      await expectNoError(todos);

      await refuseEmptyTitle(todos);
      await todos.delete("Walk the dog");
      await expectNoError(todos);

      await todos.expectList([
        { title: "Buy milk", completed: true },
        { title: "Call mum", completed: false },
      ]);
    });

    test("nothing about to be clicked moves when an error appears", async ({ todos }) => {
      await todos.addAll("Buy milk", "Walk the dog");
      const watched = [
        todos.newTodo,
        todos.addButton,
        todos.toggleAllButton,
        todos.completeButton("Buy milk"),
      ];
      const before = await Promise.all(watched.map(placeOf));
      await refuseEmptyTitle(todos);
      expect(await Promise.all(watched.map(placeOf))).toEqual(before);

      const field = todos.titleInput("Walk the dog");
      await field.fill("");
      const save = todos.item("Walk the dog").getByRole("button", { name: "Save" });
      const edited = [save, todos.completeButton("Walk the dog"), todos.deleteButton("Walk the dog")];
      const beforeEdit = await Promise.all(edited.map(placeOf));
      await save.click();
      await expect(field).toHaveAttribute("aria-invalid", "true");
      await expect(field).toBeFocused();
      expect(await Promise.all(edited.map(placeOf))).toEqual(beforeEdit);
    });

    test("focus stays where the eye is after an edit, a toggle and toggling all", async ({ todos, page }) => {
      await todos.addAll("Buy milk", "Walk the dog", "Call mum");

      await todos.rename("Walk the dog", "Walk the cat");
      await expect(todos.titleInput("Walk the cat")).toBeFocused();
      await expect(todos.titleInput("Walk the cat")).toHaveValue("Walk the cat");

      // Leaving an edit with Tab, past its Save button, saves it too; the focus goes on.
      await todos.submit(async () => {
        await todos.titleInput("Buy milk").fill("Buy oat milk");
        await page.keyboard.press("Tab");
        await page.keyboard.press("Tab");
      });
      await expect(todos.deleteButton("Buy oat milk")).toBeFocused();

      await todos.complete("Walk the cat");
      await expect(todos.reopenButton("Walk the cat")).toBeFocused();
      await todos.submit(() => page.keyboard.press("Space"));
      await expect(todos.completeButton("Walk the cat")).toBeFocused();

      await todos.toggleAll();
      await expect(todos.toggleAllButton).toHaveText("Mark all as active");
      await expect(todos.toggleAllButton).toBeFocused();
      await todos.submit(() => page.keyboard.press("Enter"));
      await expect(todos.toggleAllButton).toHaveText("Mark all as complete");
      await expect(todos.toggleAllButton).toBeFocused();

      await todos.expectPersisted(() =>
        todos.expectList([
          { title: "Buy oat milk", completed: false },
          { title: "Walk the cat", completed: false },
          { title: "Call mum", completed: false },
        ]),
      );
    });

    test("focus moves to a neighbour after a delete, and to a control that stays after clearing", async ({
      todos,
    }) => {
      await todos.addAll("Buy milk", "Walk the dog", "Call mum");

      await todos.delete("Walk the dog");
      await expect(todos.completeButton("Call mum")).toBeFocused();
      await todos.delete("Call mum");
      await expect(todos.completeButton("Buy milk")).toBeFocused();
      await todos.delete("Buy milk");
      await expect(todos.newTodo).toBeFocused();

      await todos.addAll("Post the letter", "Water the plants");
      await todos.complete("Post the letter");
      await todos.clearCompleted();
      await expect(todos.items).toHaveCount(1);
      await expect(todos.toggleAllButton).toBeFocused();

      await todos.complete("Water the plants");
      await todos.clearCompleted();
      await expect(todos.emptyState("all")).toBeVisible();
      await expect(todos.newTodo).toBeFocused();
    });

    test("the list, with a refused add and a refused edit, passes axe's WCAG A and AA checks, light and dark", async ({
      todos,
      page,
    }) => {
      const wcagViolations = async () =>
        (await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze())
          .violations;
      await todos.addAll("Call the plumber about the dripping kitchen tap before the weekend", "Buy milk");
      await todos.complete("Buy milk");
      await refuseEmptyTitle(todos);
      await todos.titleInput("Buy milk").fill(" ");
      await todos.titleInput("Buy milk").press("Enter");
      await expect(todos.titleInput("Buy milk")).toHaveAttribute("aria-invalid", "true");
      for (const colorScheme of ["light", "dark"] as const) {
        // Switched on an open page: no transition may be caught half-way between the schemes.
        await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
        await page.evaluate(() =>
          Promise.all(document.getAnimations().map((animation) => animation.finished)),
        );
        expect(await wcagViolations()).toEqual([]);
      }
    });

    test("every change is said politely to screen reader users", async ({ todos }) => {
      const said = todos.announcements;
      await expect(said).toHaveCount(1);

      await todos.add("Buy milk");
      await expect(said).toHaveText("Added “Buy milk”");
      await todos.add("Walk the dog");
      await expect(said).toHaveText("Added “Walk the dog”");
      await todos.rename("Buy milk", "Buy oat milk");
      await expect(said).toHaveText("Renamed “Buy milk” to “Buy oat milk”");
      await todos.complete("Buy oat milk");
      await expect(said).toHaveText("Marked “Buy oat milk” as complete");
      await todos.reopen("Buy oat milk");
      await expect(said).toHaveText("Marked “Buy oat milk” as active");
      await todos.toggleAll();
      await expect(said).toHaveText("Marked all 2 todos as complete");
      await todos.clearCompleted();
      await expect(said).toHaveText("2 completed todos cleared");
      await todos.addAll("Call mum", "Post the letter");
      await todos.delete("Call mum");
      await expect(said).toHaveText("Deleted “Call mum”");
      await expect(todos.count).toHaveText("1 item left");
      await expect(said).toHaveCount(1);
    });
  });
}
