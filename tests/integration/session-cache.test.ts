import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as profile from "../../app/routes/settings.profile";
import * as todos from "../../app/routes/todos";
import type { Services } from "../../app/services.server";
import { session, user } from "../../db/schema";
import { signUpVerified } from "../support/accounts";
import { createTestServices, DATABASE_KINDS } from "../support/databases";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";

describe.each(DATABASE_KINDS)("the session cache on %s", (kind) => {
  let services: Services;
  beforeAll(async () => {
    services = await createTestServices(kind);
  });
  afterAll(() => services.close());

  it("answers a signed-in page from memory, and forgets a session the moment it is revoked", async () => {
    const { client, email } = await signUpVerified(services);
    expect((await client.get(todos.loader, "/todos")).status).toBe(200);
    const cookie = client.cookies.get(SESSION_COOKIE) ?? "";
    expect(services.sessionCache.get(cookie)?.user.email).toBe(email);

    const [row] = await services.database.db
      .select()
      .from(session)
      .innerJoin(user, eq(user.id, session.userId))
      .where(eq(user.email, email));
    if (!row) throw new Error("no session");
    await services.sessions
      .forOwner(row.user.id)
      .revoke(row.session.id, { ipAddress: null, userAgent: null });
    // A write outside any request: settled by hand, as the server layer does after each request.
    await services.sessionCache.settle();
    expect(services.sessionCache.get(cookie)).toBeNull();
    expect((await client.get(todos.loader, "/todos")).status).toBe(302);
  });

  it("shows a changed name at once, though the session was cached", async () => {
    const { client } = await signUpVerified(services, { name: "Before Change" });
    expect(JSON.stringify((await client.get(profile.loader, "/settings/profile")).data)).toContain(
      "Before Change",
    );
    expect((await client.post(profile.action, "/settings/profile", { name: "After Change" })).status).toBe(
      302,
    );
    expect(JSON.stringify((await client.get(profile.loader, "/settings/profile")).data)).toContain(
      "After Change",
    );
  });
});
