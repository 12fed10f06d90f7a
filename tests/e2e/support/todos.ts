import { expect, type Locator, type Page, type Response } from "@playwright/test";
import type { App } from "./app";

export type Filter = "all" | "active" | "completed";

export const FILTER_PATHS: Record<Filter, string> = {
  all: "/todos",
  active: "/todos?filter=active",
  completed: "/todos?filter=completed",
};

const EMPTY_MESSAGES: Record<Filter, string> = {
  all: "Nothing to do yet. Add your first todo above.",
  active: "Nothing left to do. Well done!",
  completed: "No completed todos yet.",
};

const FILTER_LABELS: Record<Filter, string> = { all: "All", active: "Active", completed: "Completed" };

/** The screens the todo page is checked on: a phone held upright, and a laptop. */
export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;

/** A POST to the todo page: a plain form post (no JavaScript) or a Remix fetch (`/todos.data`). */
const isTodoPost = (response: Response) =>
  response.request().method() === "POST" && new URL(response.url()).pathname.startsWith("/todos");

/** The todo list page, located by roles and labels as a person (or screen reader) finds things. */
export class TodoList {
  readonly page: Page;

  constructor(readonly app: App) {
    this.page = app.page;
  }

  async goto(filter: Filter = "all"): Promise<void> {
    await this.app.goto(FILTER_PATHS[filter]);
  }

  get newTodo(): Locator {
    return this.page.getByRole("textbox", { name: "What needs to be done?" });
  }

  get addButton(): Locator {
    return this.page.getByRole("button", { name: "Add", exact: true });
  }

  /** The todos of the visible list (the list is absent when empty). */
  get items(): Locator {
    return this.page
      .getByRole("list", { name: /todos$/ })
      .getByRole("listitem")
      .filter({ has: this.page.getByRole("button", { name: /^Mark as (complete|active): / }) });
  }

  titleInput(title: string): Locator {
    return this.page.getByRole("textbox", { name: `Title of “${title}”`, exact: true });
  }

  item(title: string): Locator {
    return this.items.filter({ has: this.titleInput(title) });
  }

  completeButton(title: string): Locator {
    return this.page.getByRole("button", { name: `Mark as complete: ${title}`, exact: true });
  }

  reopenButton(title: string): Locator {
    return this.page.getByRole("button", { name: `Mark as active: ${title}`, exact: true });
  }

  deleteButton(title: string): Locator {
    return this.page.getByRole("button", { name: `Delete: ${title}`, exact: true });
  }

  get toggleAllButton(): Locator {
    return this.page.getByRole("button", { name: /^Mark all as (complete|active)$/ });
  }

  get clearCompletedButton(): Locator {
    return this.page.getByRole("button", { name: /^Clear completed/ });
  }

  filterLink(filter: Filter): Locator {
    return this.page
      .getByRole("navigation", { name: "Filter todos" })
      .getByRole("link", { name: FILTER_LABELS[filter], exact: true });
  }

  /** The page's polite live region, where each change is said to screen reader users. */
  get announcements(): Locator {
    return this.page.locator('[aria-live="polite"]');
  }

  get count(): Locator {
    return this.page.getByText(/^\d+ items? left$/);
  }

  emptyState(filter: Filter): Locator {
    return this.page.getByText(EMPTY_MESSAGES[filter], { exact: true });
  }

  /**
   * Runs a user action that posts to /todos and waits until the server has
   * answered the post, so that a reload afterwards shows what was stored.
   */
  async submit(action: () => Promise<void>): Promise<void> {
    const answered = this.page.waitForResponse(isTodoPost);
    await action();
    await answered;
  }

  /**
   * Runs a user action whose input is invalid: with JavaScript the page refuses
   * it at once, with nothing sent; without, the server's answer is awaited.
   */
  async refuse(action: () => Promise<void>): Promise<void> {
    if (this.app.javaScriptEnabled) await action();
    else await this.submit(action);
  }

  async add(title: string): Promise<void> {
    await this.submit(async () => {
      await this.newTodo.fill(title);
      await this.addButton.click();
    });
    await expect(this.item(title.trim())).toHaveCount(1);
    // With JavaScript the item shows at once, busy until the server has stored it.
    await expect(this.item(title.trim())).not.toHaveAttribute("aria-busy", "true");
  }

  async addAll(...titles: string[]): Promise<void> {
    for (const title of titles) await this.add(title);
  }

  async complete(title: string): Promise<void> {
    await this.submit(() => this.completeButton(title).click());
  }

  async reopen(title: string): Promise<void> {
    await this.submit(() => this.reopenButton(title).click());
  }

  async delete(title: string): Promise<void> {
    await this.submit(() => this.deleteButton(title).click());
  }

  async rename(from: string, to: string): Promise<void> {
    await this.submit(async () => {
      await this.titleInput(from).fill(to);
      await this.titleInput(from).press("Enter");
    });
  }

  async toggleAll(): Promise<void> {
    await this.submit(() => this.toggleAllButton.click());
  }

  async clearCompleted(): Promise<void> {
    await this.submit(() => this.clearCompletedButton.click());
  }

  /** The hidden `id` every per-todo form carries. */
  async idOf(title: string): Promise<string> {
    return this.item(title).locator('input[type="hidden"][name="id"]').first().inputValue();
  }

  /** The visible list, in order: each title and whether it is completed. */
  async expectList(expected: Array<{ title: string; completed: boolean }>): Promise<void> {
    await expect(this.items).toHaveCount(expected.length);
    for (const [index, { title, completed }] of expected.entries()) {
      const item = this.items.nth(index);
      await expect(item.getByRole("textbox", { name: `Title of “${title}”`, exact: true })).toHaveValue(
        title,
      );
      const toggle = `${completed ? "Mark as active" : "Mark as complete"}: ${title}`;
      await expect(item.getByRole("button", { name: toggle, exact: true, pressed: completed })).toBeVisible();
    }
  }

  /** Checks the page, reloads it, and checks again: what the page showed is what the server stored. */
  async expectPersisted(check: () => Promise<void>): Promise<void> {
    await check();
    await this.app.reload();
    await check();
  }
}
