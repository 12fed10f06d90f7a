import type { Page } from "@playwright/test";
import { appUrl } from "./support/app";
import { expect, test } from "./support/test";
import { FILTER_PATHS, VIEWPORTS, type Filter, type TodoList } from "./support/todos";

/** How far the page can be scrolled sideways: 0 when everything fits the screen's width. */
const sidewaysScroll = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

// Every test works on the list of a user of its own.
test.beforeEach(async ({ app }) => {
  await app.signUpByPost();
});

test.describe("adding todos", () => {
  test("a new user's list is empty", async ({ todos }) => {
    await todos.expectPersisted(async () => {
      await expect(todos.emptyState("all")).toBeVisible();
      await expect(todos.items).toHaveCount(0);
      await expect(todos.count).toHaveText("0 items left");
      await expect(todos.toggleAllButton).toHaveCount(0);
      await expect(todos.clearCompletedButton).toHaveCount(0);
    });
  });

  test("a todo is added with its title trimmed", async ({ todos }) => {
    await todos.add("   Buy milk  ");
    await todos.expectPersisted(async () => {
      await todos.expectList([{ title: "Buy milk", completed: false }]);
      await expect(todos.count).toHaveText("1 item left");
      await expect(todos.emptyState("all")).toHaveCount(0);
    });

    await todos.add("Walk the dog");
    await todos.expectPersisted(async () => {
      await todos.expectList([
        { title: "Buy milk", completed: false },
        { title: "Walk the dog", completed: false },
      ]);
      await expect(todos.count).toHaveText("2 items left");
    });
  });

  test("HTML in a title is shown as text", async ({ todos, page }) => {
    const title = `<b>bold</b> & <img src=x onerror="document.title='owned'">`;
    await todos.add(title);
    await todos.expectPersisted(async () => {
      await todos.expectList([{ title, completed: false }]);
      await expect(todos.completeButton(title)).toBeVisible();
      await expect(page.locator("main b, main img")).toHaveCount(0);
      await expect(page).toHaveTitle("Your todos · Todo");
    });
  });

  for (const blank of ["", "   "]) {
    test(`an ${blank ? "all-space" : "empty"} title is refused with a message`, async ({ todos }) => {
      await todos.add("Existing todo");
      await todos.refuse(async () => {
        await todos.newTodo.fill(blank);
        await todos.addButton.click();
      });
      await expect(todos.page.getByRole("alert")).toHaveText("Enter a title");
      await expect(todos.newTodo).toHaveAttribute("aria-invalid", "true");
      await expect(todos.newTodo).toHaveAccessibleDescription("Enter a title");
      await todos.expectPersisted(async () => {
        await todos.expectList([{ title: "Existing todo", completed: false }]);
        await expect(todos.count).toHaveText("1 item left");
      });

      // A proper title then goes in, and the message goes away.
      await todos.newTodo.fill("");
      await todos.add("Second todo");
      await expect(todos.page.getByRole("alert")).toHaveCount(0);
      await expect(todos.newTodo).not.toHaveAttribute("aria-invalid", "true");
      await todos.expectList([
        { title: "Existing todo", completed: false },
        { title: "Second todo", completed: false },
      ]);
    });
  }
});

test.describe("changing todos", () => {
  test("a title is edited by typing and pressing Enter", async ({ todos }) => {
    await todos.addAll("Buy milk", "Walk the dog");
    await todos.rename("Buy milk", "  Buy oat milk ");
    await todos.expectPersisted(async () => {
      await todos.expectList([
        { title: "Buy oat milk", completed: false },
        { title: "Walk the dog", completed: false },
      ]);
    });
  });

  test("an emptied title is refused with a message beside the field, and the todo keeps its title", async ({
    todos,
  }) => {
    await todos.addAll("Buy milk", "Walk the dog");
    await todos.refuse(async () => {
      await todos.titleInput("Buy milk").fill("   ");
      await todos.titleInput("Buy milk").press("Enter");
    });
    await expect(todos.page.getByRole("alert")).toContainText("Enter a title");
    await expect(todos.titleInput("Buy milk")).toHaveAttribute("aria-invalid", "true");
    await expect(todos.titleInput("Buy milk")).toHaveAccessibleDescription("Enter a title");
    await expect(todos.titleInput("Walk the dog")).not.toHaveAttribute("aria-invalid", "true");

    await todos.app.reload();
    await todos.expectList([
      { title: "Buy milk", completed: false },
      { title: "Walk the dog", completed: false },
    ]);
  });

  test("a todo is completed and reopened", async ({ todos }) => {
    await todos.addAll("Buy milk", "Walk the dog");

    await todos.complete("Buy milk");
    await todos.expectPersisted(async () => {
      await todos.expectList([
        { title: "Buy milk", completed: true },
        { title: "Walk the dog", completed: false },
      ]);
      await expect(todos.count).toHaveText("1 item left");
      await expect(todos.clearCompletedButton).toHaveText("Clear completed (1)");
    });

    await todos.complete("Walk the dog");
    await todos.expectPersisted(async () => {
      await todos.expectList([
        { title: "Buy milk", completed: true },
        { title: "Walk the dog", completed: true },
      ]);
      await expect(todos.count).toHaveText("0 items left");
      await expect(todos.clearCompletedButton).toHaveText("Clear completed (2)");
    });

    await todos.reopen("Buy milk");
    await todos.expectPersisted(async () => {
      await todos.expectList([
        { title: "Buy milk", completed: false },
        { title: "Walk the dog", completed: true },
      ]);
      await expect(todos.count).toHaveText("1 item left");
    });
  });

  test("a todo is deleted", async ({ todos }) => {
    await todos.addAll("Buy milk", "Walk the dog", "Call mum");

    await todos.delete("Walk the dog");
    await todos.expectPersisted(async () => {
      await todos.expectList([
        { title: "Buy milk", completed: false },
        { title: "Call mum", completed: false },
      ]);
      await expect(todos.count).toHaveText("2 items left");
    });

    await todos.delete("Buy milk");
    await todos.delete("Call mum");
    await todos.expectPersisted(async () => {
      await expect(todos.items).toHaveCount(0);
      await expect(todos.emptyState("all")).toBeVisible();
      await expect(todos.count).toHaveText("0 items left");
    });
  });

  test("all todos are completed at once, then reopened at once", async ({ todos }) => {
    await todos.addAll("Buy milk", "Walk the dog", "Call mum");
    await todos.complete("Walk the dog");
    await expect(todos.toggleAllButton).toHaveText("Mark all as complete");

    await todos.toggleAll();
    await todos.expectPersisted(async () => {
      await todos.expectList([
        { title: "Buy milk", completed: true },
        { title: "Walk the dog", completed: true },
        { title: "Call mum", completed: true },
      ]);
      await expect(todos.count).toHaveText("0 items left");
      await expect(todos.toggleAllButton).toHaveText("Mark all as active");
    });

    await todos.toggleAll();
    await todos.expectPersisted(async () => {
      await todos.expectList([
        { title: "Buy milk", completed: false },
        { title: "Walk the dog", completed: false },
        { title: "Call mum", completed: false },
      ]);
      await expect(todos.count).toHaveText("3 items left");
      await expect(todos.toggleAllButton).toHaveText("Mark all as complete");
      await expect(todos.clearCompletedButton).toHaveCount(0);
    });
  });

  test("completed todos are cleared", async ({ todos }) => {
    await todos.addAll("Buy milk", "Walk the dog", "Call mum");
    await todos.complete("Buy milk");
    await todos.complete("Call mum");
    await expect(todos.clearCompletedButton).toHaveText("Clear completed (2)");

    await todos.clearCompleted();
    await todos.expectPersisted(async () => {
      await todos.expectList([{ title: "Walk the dog", completed: false }]);
      await expect(todos.count).toHaveText("1 item left");
      await expect(todos.clearCompletedButton).toHaveCount(0);
    });
  });
});

test.describe("filters", () => {
  const expectFilter = async (todos: TodoList, filter: Filter): Promise<void> => {
    await expect(todos.page).toHaveURL(appUrl(FILTER_PATHS[filter]));
    for (const other of ["all", "active", "completed"] as const) {
      if (other === filter) await expect(todos.filterLink(other)).toHaveAttribute("aria-current", "page");
      else await expect(todos.filterLink(other)).not.toHaveAttribute("aria-current");
    }
  };

  test("each filter shows its todos, and an empty state of its own", async ({ todos }) => {
    await expectFilter(todos, "all");
    await todos.filterLink("active").click();
    await expectFilter(todos, "active");
    await expect(todos.emptyState("active")).toBeVisible();
    await todos.filterLink("completed").click();
    await expectFilter(todos, "completed");
    await expect(todos.emptyState("completed")).toBeVisible();

    await todos.goto("all");
    await todos.addAll("Buy milk", "Walk the dog", "Call mum");
    await todos.complete("Walk the dog");

    await todos.filterLink("active").click();
    await todos.expectPersisted(async () => {
      await expectFilter(todos, "active");
      await todos.expectList([
        { title: "Buy milk", completed: false },
        { title: "Call mum", completed: false },
      ]);
      // The counts are over the whole list, whatever the filter.
      await expect(todos.count).toHaveText("2 items left");
      await expect(todos.clearCompletedButton).toHaveText("Clear completed (1)");
    });

    await todos.filterLink("completed").click();
    await todos.expectPersisted(async () => {
      await expectFilter(todos, "completed");
      await todos.expectList([{ title: "Walk the dog", completed: true }]);
      await expect(todos.count).toHaveText("2 items left");
    });

    await todos.filterLink("all").click();
    await todos.expectPersisted(async () => {
      await expectFilter(todos, "all");
      await todos.expectList([
        { title: "Buy milk", completed: false },
        { title: "Walk the dog", completed: true },
        { title: "Call mum", completed: false },
      ]);
    });
  });

  test("actions on the Active list stay on it", async ({ todos }) => {
    await todos.addAll("Buy milk", "Walk the dog");
    await todos.goto("active");

    await todos.complete("Buy milk");
    await todos.expectPersisted(async () => {
      await expectFilter(todos, "active");
      await todos.expectList([{ title: "Walk the dog", completed: false }]);
      await expect(todos.count).toHaveText("1 item left");
    });

    await todos.add("Call mum");
    await todos.expectPersisted(async () => {
      await expectFilter(todos, "active");
      await todos.expectList([
        { title: "Walk the dog", completed: false },
        { title: "Call mum", completed: false },
      ]);
    });

    await todos.rename("Call mum", "Call dad");
    await todos.expectPersisted(async () => {
      await expectFilter(todos, "active");
      await todos.expectList([
        { title: "Walk the dog", completed: false },
        { title: "Call dad", completed: false },
      ]);
    });

    await todos.toggleAll();
    await todos.expectPersisted(async () => {
      await expectFilter(todos, "active");
      await expect(todos.items).toHaveCount(0);
      await expect(todos.emptyState("active")).toBeVisible();
      await expect(todos.count).toHaveText("0 items left");
    });
  });

  test("actions on the Completed list stay on it", async ({ todos }) => {
    await todos.addAll("Buy milk", "Walk the dog", "Call mum");
    await todos.toggleAll();
    await todos.goto("completed");

    await todos.reopen("Buy milk");
    await todos.expectPersisted(async () => {
      await expectFilter(todos, "completed");
      await todos.expectList([
        { title: "Walk the dog", completed: true },
        { title: "Call mum", completed: true },
      ]);
      await expect(todos.count).toHaveText("1 item left");
    });

    await todos.delete("Walk the dog");
    await todos.expectPersisted(async () => {
      await expectFilter(todos, "completed");
      await todos.expectList([{ title: "Call mum", completed: true }]);
    });

    await todos.clearCompleted();
    await todos.expectPersisted(async () => {
      await expectFilter(todos, "completed");
      await expect(todos.items).toHaveCount(0);
      await expect(todos.emptyState("completed")).toBeVisible();
      await expect(todos.count).toHaveText("1 item left");
    });

    await todos.goto("all");
    await todos.expectList([{ title: "Buy milk", completed: false }]);
  });
});

for (const [device, viewport] of Object.entries(VIEWPORTS)) {
  test.describe(`on a ${device} (${viewport.width}×${viewport.height})`, () => {
    test.use({ viewport });

    test("long titles wrap and stay readable, without scrolling the page sideways", async ({
      todos,
      page,
    }) => {
      const long =
        "Call the plumber about the dripping kitchen tap before the weekend, and ask about the boiler too";
      const unbroken = "Pneumonoultramicroscopicsilicovolcanoconiosis".repeat(4);
      await todos.addAll(long, unbroken, "Short");

      await todos.expectPersisted(async () => {
        for (const title of [long, unbroken]) {
          const text = todos.item(title).getByText(title, { exact: true });
          await expect(text).toBeVisible();
          // Nothing of it cut off: not by its own box, nor by the edge of the screen.
          expect(await text.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
          const box = await text.boundingBox();
          expect(box).not.toBeNull();
          expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? Infinity) <= viewport.width).toBe(
            true,
          );
        }
        expect(await sidewaysScroll(page)).toBe(0);
      });

      // Nor does the message saying it was deleted (after a page load, without JavaScript).
      await todos.delete(unbroken);
      await expect(todos.items).toHaveCount(2);
      expect(await sidewaysScroll(page)).toBe(0);
    });

    test("a refused edit is shown beside its todo, which keeps the focus and what was typed", async ({
      todos,
      app,
    }) => {
      await todos.addAll("Buy milk", "Walk the dog");
      const field = todos.titleInput("Walk the dog");
      await todos.refuse(async () => {
        await field.fill("   ");
        await field.press("Enter");
      });

      await expect(field).toBeFocused();
      await expect(field).toHaveValue("   ");
      await expect(field).toHaveAttribute("aria-invalid", "true");
      await expect(field).toHaveAccessibleDescription("Enter a title");
      const alert = todos.page.getByRole("alert");
      await expect(alert).toContainText("Enter a title");
      // After a page load the summary at the top says which todo the message is about.
      if (!app.javaScriptEnabled) await expect(alert).toContainText("“Walk the dog”");
      // Not a failed add: the field for a new todo is untouched.
      await expect(todos.newTodo).not.toBeFocused();
      await expect(todos.newTodo).not.toHaveAttribute("aria-invalid", "true");
      await expect(todos.newTodo).toHaveAccessibleDescription("");
      await expect(todos.titleInput("Buy milk")).not.toHaveAttribute("aria-invalid", "true");

      // A proper title then goes in, and the message goes away.
      await todos.rename("Walk the dog", "Walk the cat");
      await expect(alert).toHaveCount(0);
      await todos.expectPersisted(async () => {
        await todos.expectList([
          { title: "Buy milk", completed: false },
          { title: "Walk the cat", completed: false },
        ]);
        await expect(todos.titleInput("Walk the cat")).not.toHaveAttribute("aria-invalid", "true");
      });
    });
  });
}

test("the page has one polite live region from the start, empty until something changes", async ({
  todos,
}) => {
  await todos.add("Buy milk");
  await todos.app.reload();
  await expect(todos.announcements).toHaveCount(1);
  await expect(todos.announcements).toHaveText("");
  await expect(todos.count).toHaveText("1 item left");
});
