import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_ABSOLUTE_SECONDS } from "../../app/auth/session.server";
import * as authApi from "../../app/routes/api.auth.$";
import * as login from "../../app/routes/login";
import * as todos from "../../app/routes/todos";
import type { Services } from "../../app/services.server";
import { session, user } from "../../db/schema";
import { signUpVerified } from "../support/accounts";
import { TestClient } from "../support/client";
import { createTestServices, DATABASE_KINDS } from "../support/databases";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";

describe.each(DATABASE_KINDS)("session lifetimes on %s", (kind) => {
  let services: Services;

  beforeAll(async () => {
    services = await createTestServices(kind);
  });
  afterAll(() => services.close());

  const sessionsOf = async (email: string) => {
    const [owner] = await services.database.db.select().from(user).where(eq(user.email, email));
    return services.database.db
      .select()
      .from(session)
      .where(eq(session.userId, owner?.id ?? ""));
  };

  it("ends a session past its absolute lifetime, however recently it was used", async () => {
    const { client, email } = await signUpVerified(services);
    expect((await client.get(todos.loader, "/todos")).status).toBe(200);
    const [row] = await sessionsOf(email);
    const signedInLongAgo = new Date(Date.now() - (SESSION_ABSOLUTE_SECONDS + 60) * 1000);
    await services.database.db
      .update(session)
      .set({ createdAt: signedInLongAgo, updatedAt: new Date() })
      .where(eq(session.id, row?.id ?? ""));

    // A write outside any request: settled by hand, as the server layer does after each request.
    await services.sessionCache.settle();
    const page = await client.get(todos.loader, "/todos");
    expect(page.status).toBe(302);
    expect(page.location).toMatch(/^\/login/);
    expect(await sessionsOf(email)).toEqual([]);
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it("ends a session past its absolute lifetime on /api/auth/* too", async () => {
    const { client, email } = await signUpVerified(services);
    const [row] = await sessionsOf(email);
    await services.database.db
      .update(session)
      .set({ createdAt: new Date(Date.now() - (SESSION_ABSOLUTE_SECONDS + 60) * 1000) })
      .where(eq(session.id, row?.id ?? ""));

    const answer = await client.get(authApi.loader, "/api/auth/get-session");
    expect(answer.status).toBe(200);
    expect(answer.data).toBeNull();
    expect(await sessionsOf(email)).toEqual([]);
  });

  it("never sends a session token in /api/auth/get-session or /api/auth/list-sessions", async () => {
    const { client, email, password } = await signUpVerified(services);
    const elsewhere = new TestClient(services);
    expect((await elsewhere.post(login.action, "/login", { email, password })).status).toBe(302);
    const tokens = (await sessionsOf(email)).map((row) => row.token);
    expect(tokens).toHaveLength(2);

    const current = await client.get<{ user: { email: string } }>(authApi.loader, "/api/auth/get-session");
    expect(current.data.user.email).toBe(email);
    const listed = await client.get<unknown[]>(authApi.loader, "/api/auth/list-sessions");
    expect(listed.data).toHaveLength(2);
    for (const answer of [current, listed]) {
      const body = JSON.stringify(answer.data);
      for (const token of tokens) expect(body).not.toContain(token);
      expect(body).not.toMatch(/"token"/);
    }
  });

  it("ends the session already in the browser when another account signs in there", async () => {
    const first = await signUpVerified(services);
    const second = await signUpVerified(services);
    // The first user's browser signs in as the second user.
    const result = await first.client.post(login.action, "/login", {
      email: second.email,
      password: second.password,
    });
    expect(result.status).toBe(302);
    expect(await sessionsOf(first.email)).toEqual([]);
    expect(await sessionsOf(second.email)).toHaveLength(2);
  });
});
