import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as todos from "../../app/routes/todos";
import type { TodoActionError } from "../../app/todos/action-data";
import type { Services } from "../../app/services.server";
import { todo, user } from "../../db/schema";
import { signUpVerified } from "../support/accounts";
import { TestClient, type FormFields } from "../support/client";
import { createTestServices, DATABASE_KINDS } from "../support/databases";

type TodoPage = Awaited<ReturnType<typeof todos.loader>>;
interface ActionError {
  error: TodoActionError;
}

describe.each(DATABASE_KINDS)("the todo list on %s", (kind) => {
  let services: Services;
  let client: TestClient;

  beforeAll(async () => {
    services = await createTestServices(kind);
  });
  afterAll(() => services.close());

  const newUser = async () => (await signUpVerified(services, { name: "Todo Tester" })).client;

  beforeEach(async () => {
    client = await newUser();
  });

  const page = async (path = "/todos", as = client) => {
    const result = await as.get<TodoPage>(todos.loader, path);
    expect(result.status).toBe(200);
    return result.data;
  };
  const post = (form: FormFields, path = "/todos", as = client) => as.post(todos.action, path, form);
  const create = async (title: string) => {
    const result = await post({ intent: "create", title });
    expect(result.status).toBe(302);
  };
  const idOf = async (title: string) => {
    const found = (await page()).todos.find((item) => item.title === title);
    if (!found) throw new Error(`no todo titled ${title}`);
    return found.id;
  };

  it("starts empty", async () => {
    const data = await page();
    expect(data.todos).toEqual([]);
    expect(data.activeCount).toBe(0);
    expect(data.completedCount).toBe(0);
    expect(data.filter).toBe("all");
  });

  it("creates todos in order, trimmed, kept exactly as typed", async () => {
    await create("  Buy milk  ");
    await create(`<script>alert("x")</script> & 'quotes' — ünïcödé 🎉`);
    const data = await page();
    expect(data.todos.map((item) => item.title)).toEqual([
      "Buy milk",
      `<script>alert("x")</script> & 'quotes' — ünïcödé 🎉`,
    ]);
    expect(data.activeCount).toBe(2);
  });

  it("redirects back to the filter the form was posted from, replacing the history entry", async () => {
    const result = await post({ intent: "create", title: "Filtered" }, "/todos?filter=active");
    expect(result.status).toBe(302);
    expect(result.location).toBe("/todos?filter=active");
    expect(result.headers.get("X-Remix-Replace")).toBe("true");
  });

  it("answers a script's fetch with data instead of a redirect, so the page revalidates in place", async () => {
    const request = client.buildRequest("/todos?filter=active", {
      method: "POST",
      form: { intent: "create", title: "Fetched" },
      headers: { "sec-fetch-mode": "cors" },
    });
    const result = await client.send(todos.action, request);
    expect(result.status).toBe(200);
    expect(result.location).toBeNull();
    expect((await page()).todos.map((item) => item.title)).toEqual(["Fetched"]);
  });

  it("refuses empty, blank and over-long titles with 400 and keeps what was typed", async () => {
    for (const title of ["", "   "]) {
      const result = await post({ intent: "create", title });
      expect(result.status).toBe(400);
      expect((result.data as ActionError).error.message).toMatch(/title/i);
    }
    const long = "x".repeat(501);
    const tooLong = await post({ intent: "create", title: long });
    expect(tooLong.status).toBe(400);
    expect((tooLong.data as ActionError).error).toMatchObject({ intent: "create", title: long });
    await create("y".repeat(500));
    expect((await page()).todos).toHaveLength(1);
  });

  it("refuses hostile input with a 4xx and stores nothing", async () => {
    const cases: FormFields[] = [
      { intent: "create", title: "nul\u0000byte" },
      { intent: "create", title: ["one", "two"] },
      { intent: ["create", "delete"], title: "two intents" },
      { intent: "explode", title: "unknown intent" },
      { title: "no intent" },
      { intent: "toggle", id: "not-a-uuid" },
      { intent: "toggle" },
    ];
    for (const form of cases) {
      const result = await post(form);
      expect(result.status, JSON.stringify(form)).toBe(400);
    }
    // A request no form of the page sends is said in the summary alone.
    expect(((await post({ intent: "explode" })).data as ActionError).error.intent).toBe("other");
    expect((await page()).todos).toEqual([]);
  });

  it("ignores fields the form does not name (no mass assignment)", async () => {
    const other = await newUser();
    const [otherUser] = await services.database.db.select().from(user).limit(1);
    await post({
      intent: "create",
      title: "Mine",
      completed: "true",
      userId: otherUser?.id ?? "x",
      id: crypto.randomUUID(),
    });
    const data = await page();
    expect(data.todos).toHaveLength(1);
    expect(data.todos[0]).toMatchObject({ title: "Mine", completed: false });
    expect((await page("/todos", other)).todos).toHaveLength(0);
  });

  it("renames, toggles and deletes a todo", async () => {
    await create("Draft");
    const id = await idOf("Draft");

    expect((await post({ intent: "update", id, title: "  Final  " })).status).toBe(302);
    expect((await page()).todos[0]).toMatchObject({ id, title: "Final", completed: false });

    expect((await post({ intent: "toggle", id })).status).toBe(302);
    expect((await page()).todos[0]?.completed).toBe(true);
    expect((await post({ intent: "toggle", id })).status).toBe(302);
    expect((await page()).todos[0]?.completed).toBe(false);

    const emptyRename = await post({ intent: "update", id, title: " " });
    expect(emptyRename.status).toBe(400);
    // The failure says which todo's edit it was and keeps what was typed, for the page to show beside it.
    expect((emptyRename.data as ActionError).error).toEqual({
      intent: "update",
      id,
      title: " ",
      message: "Enter a title",
    });
    expect((await page()).todos[0]?.title).toBe("Final");

    expect((await post({ intent: "delete", id })).status).toBe(302);
    expect((await page()).todos).toEqual([]);
  });

  it("filters all, active and completed, with counts over the whole list", async () => {
    await create("One");
    await create("Two");
    await create("Three");
    await post({ intent: "toggle", id: await idOf("Two") });

    const all = await page("/todos?filter=all");
    expect(all.todos.map((item) => item.title)).toEqual(["One", "Two", "Three"]);
    const active = await page("/todos?filter=active");
    expect(active.todos.map((item) => item.title)).toEqual(["One", "Three"]);
    const completed = await page("/todos?filter=completed");
    expect(completed.todos.map((item) => item.title)).toEqual(["Two"]);
    for (const data of [all, active, completed]) {
      expect(data.activeCount).toBe(2);
      expect(data.completedCount).toBe(1);
    }
  });

  it("answers an unknown filter with 400", async () => {
    const result = await client.get(todos.loader, "/todos?filter=everything");
    expect(result.status).toBe(400);
  });

  it("toggles all: completes every todo, then reopens them all", async () => {
    await create("A");
    await create("B");
    await post({ intent: "toggle", id: await idOf("A") });

    await post({ intent: "toggle-all" });
    let data = await page();
    expect(data.todos.every((item) => item.completed)).toBe(true);
    expect(data.activeCount).toBe(0);

    await post({ intent: "toggle-all" });
    data = await page();
    expect(data.todos.every((item) => !item.completed)).toBe(true);
    expect(data.completedCount).toBe(0);
  });

  it("clears completed todos only", async () => {
    await create("Keep");
    await create("Done");
    await post({ intent: "toggle", id: await idOf("Done") });
    await post({ intent: "clear-completed" });
    expect((await page()).todos.map((item) => item.title)).toEqual(["Keep"]);
  });

  it("answers another user's todo with 404 and changes nothing", async () => {
    await create("Private");
    const id = await idOf("Private");
    const intruder = await newUser();
    const attempts: FormFields[] = [
      { intent: "toggle", id },
      { intent: "update", id, title: "Hacked" },
      { intent: "delete", id },
    ];
    for (const form of attempts) {
      const result = await post(form, "/todos", intruder);
      expect(result.status, String(form.intent)).toBe(404);
    }
    await post({ intent: "toggle-all" }, "/todos", intruder);
    await post({ intent: "clear-completed" }, "/todos", intruder);

    const [row] = await services.database.db.select().from(todo).where(eq(todo.id, id));
    expect(row).toMatchObject({ title: "Private", completed: false });
    expect((await page("/todos", intruder)).todos).toEqual([]);
  });

  it("sends a signed-out post to sign in and stores nothing", async () => {
    const anonymous = new TestClient(services);
    const result = await post({ intent: "create", title: "Anonymous" }, "/todos", anonymous);
    expect(result.status).toBe(302);
    expect(result.location).toMatch(/^\/login\?redirectTo=/);
    const rows = await services.database.db.select().from(todo).where(eq(todo.title, "Anonymous"));
    expect(rows).toEqual([]);
  });
});
