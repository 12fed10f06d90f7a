import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountExport } from "../../app/auth/account.server";
import * as forgotPassword from "../../app/routes/forgot-password";
import * as login from "../../app/routes/login";
import * as settingsAccount from "../../app/routes/settings.account";
import * as accountExport from "../../app/routes/settings.account_.export";
import * as todos from "../../app/routes/todos";
import type { Services } from "../../app/services.server";
import { account, auditEvent, session, todo, user, verification } from "../../db/schema";
import { latestMail, signUpVerified } from "../support/accounts";
import { TestClient } from "../support/client";
import { createTestServices, DATABASE_KINDS } from "../support/databases";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";

interface FormReply {
  result: { error?: Record<string, string[] | null> };
}

describe.each(DATABASE_KINDS)("export and deletion on %s", (kind) => {
  let services: Services;

  beforeAll(async () => {
    services = await createTestServices(kind);
  });
  afterAll(() => services.close());

  it("exports the user's profile, todos, sessions and events as a JSON download, without any token", async () => {
    const { client, email } = await signUpVerified(services, { name: "Exporter" });
    await client.post(todos.action, "/todos", { intent: "create", title: "Take me with you" });
    const asked = await client.post(settingsAccount.action, "/settings/account", { intent: "export" });
    expect(asked.status).toBe(303);
    expect(asked.location).toBe("/settings/account/export");
    const result = await client.get<AccountExport>(accountExport.loader, "/settings/account/export");
    expect(result.status).toBe(200);
    expect(result.headers.get("content-disposition")).toMatch(
      /^attachment; filename="todo-export-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(result.headers.get("content-type")).toMatch(/^application\/json/);
    const document = result.data;
    const raw = JSON.stringify(document);
    expect(document.profile).toMatchObject({ name: "Exporter", email, emailVerified: true });
    expect(document.todos.map((item) => item.title)).toEqual(["Take me with you"]);
    expect(document.signIn).toEqual({ password: true, connections: [], passkeys: [] });
    expect(document.sessions).toHaveLength(1);
    expect(document.securityEvents.map((event) => event.type)).toContain("email-verified");

    const tokens = await services.database.db.select({ token: session.token }).from(session);
    const [credential] = await services.database.db
      .select({ password: account.password })
      .from(account)
      .where(eq(account.userId, document.profile.id));
    for (const { token } of tokens) expect(raw).not.toContain(token);
    expect(raw).not.toContain(credential?.password ?? "missing");
  });

  it("refuses deletion without the right password or the confirmation, beside the field", async () => {
    const { client, email, password } = await signUpVerified(services);
    const wrong = await client.post<FormReply>(settingsAccount.action, "/settings/account", {
      intent: "delete-account",
      currentPassword: "not the password",
      confirm: "on",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.data.result.error?.currentPassword?.[0]).toMatch(/current password/);
    const unconfirmed = await client.post<FormReply>(settingsAccount.action, "/settings/account", {
      intent: "delete-account",
      currentPassword: password,
    });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.data.result.error?.confirm?.[0]).toMatch(/Tick the box/);
    expect(await services.database.db.select().from(user).where(eq(user.email, email))).toHaveLength(1);
  });

  it("deletes every row of the user at once, ends all sessions, says goodbye, and lets the address start afresh", async () => {
    const { client, email, password } = await signUpVerified(services, { name: "Leaver" });
    await client.post(todos.action, "/todos", { intent: "create", title: "Soon gone" });
    await new TestClient(services).post(forgotPassword.action, "/forgot-password", { email });
    const [owner] = await services.database.db.select().from(user).where(eq(user.email, email));
    const userId = owner?.id ?? "";
    const otherBrowser = new TestClient(services, "198.51.100.8");
    await otherBrowser.post(login.action, "/login", { email, password });

    const result = await client.post(settingsAccount.action, "/settings/account", {
      intent: "delete-account",
      currentPassword: password,
      confirm: "on",
    });
    expect(result.status).toBe(302);
    expect(result.location).toBe("/");
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);

    const { db } = services.database;
    expect(await db.select().from(user).where(eq(user.id, userId))).toEqual([]);
    expect(await db.select().from(session).where(eq(session.userId, userId))).toEqual([]);
    expect(await db.select().from(account).where(eq(account.userId, userId))).toEqual([]);
    expect(await db.select().from(todo).where(eq(todo.userId, userId))).toEqual([]);
    expect(await db.select().from(auditEvent).where(eq(auditEvent.userId, userId))).toEqual([]);
    expect(await db.select().from(verification).where(eq(verification.value, userId))).toEqual([]);
    expect((await otherBrowser.get(todos.loader, "/todos")).status).toBe(302);
    expect((await latestMail(services, email, "goodbye")).subject).toBe("Your account has been deleted");

    const again = await signUpVerified(services, { email, name: "Returner" });
    const list = await again.client.get<{ todos: unknown[] }>(todos.loader, "/todos");
    expect(list.data.todos).toEqual([]);
  });
});
