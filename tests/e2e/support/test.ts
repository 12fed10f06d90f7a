import { test as base } from "@playwright/test";
import { App } from "./app";
import { TodoList } from "./todos";

export { expect } from "@playwright/test";

let clientCount = 0;

/**
 * `app`: the test's tab on the app; `todos`: the todo list page in that tab;
 * `clientAddress`: where the app sees the test's requests come from.
 * Every test comes from an address of its own (the server believes
 * X-Forwarded-For from loopback in these runs), as separate people would, so
 * that the rate limits per address count each test apart.
 */
export const test = base.extend<{ app: App; todos: TodoList; clientAddress: string }>({
  // Playwright reads a fixture's dependencies from its first parameter's pattern: none here.
  // eslint-disable-next-line no-empty-pattern
  clientAddress: async ({}, provide, testInfo) => {
    const n = clientCount++;
    await provide(`10.${testInfo.workerIndex % 256}.${(n >> 8) & 255}.${n & 255}`);
  },
  extraHTTPHeaders: async ({ extraHTTPHeaders, clientAddress }, provide) => {
    await provide({ ...extraHTTPHeaders, "X-Forwarded-For": clientAddress });
  },
  app: async ({ page, javaScriptEnabled }, provide) => {
    await provide(new App(page, javaScriptEnabled));
  },
  todos: async ({ app }, provide) => {
    await provide(new TodoList(app));
  },
});
