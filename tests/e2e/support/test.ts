import { test as base } from "@playwright/test";
import { App } from "./app";
import { TodoList } from "./todos";

export { expect } from "@playwright/test";

/** `app`: the test's tab on the app; `todos`: the todo list page in that tab. */
export const test = base.extend<{ app: App; todos: TodoList }>({
  app: async ({ page, javaScriptEnabled }, provide) => {
    await provide(new App(page, javaScriptEnabled));
  },
  todos: async ({ app }, provide) => {
    await provide(new TodoList(app));
  },
});
