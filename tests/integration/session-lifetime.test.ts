import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_ABSOLUTE_SECONDS } from "~/auth/auth.server";
import * as login from "~/routes/login";
import * as todos from "~/routes/todos";
import type { Services } from "~/services.server";
import { session, user } from "../../db/schema";
import { signUpVerified } from "../support/accounts";
import { createTestServices, DATABASE_KINDS } from "../support/databases";

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

    const page = await client.get(todos.loader, "/todos");
    expect(page.status).toBe(302);
    expect(page.location).toMatch(/^\/login/);
    expect(await sessionsOf(email)).toEqual([]);
    expect(client.cookies.has("todo.session_token")).toBe(false);
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
