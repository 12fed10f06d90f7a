import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as profile from "~/routes/settings.profile";
import * as todos from "~/routes/todos";
import type { Services } from "~/services.server";
import { session, user } from "../../db/schema";
import { signUpVerified } from "../support/accounts";
import { uniqueEmail } from "../support/client";
import { createTestServices, DATABASE_KINDS } from "../support/databases";
import { signUpOn, withTwoInstances } from "../support/instances";
import { within } from "../support/wait";

describe.each(DATABASE_KINDS)("the session cache on %s", (kind) => {
  let services: Services;
  beforeAll(async () => {
    services = await createTestServices(kind);
  });
  afterAll(() => services.close());

  it("answers a signed-in page from memory, and forgets a session the moment it is revoked", async () => {
    const { client, email } = await signUpVerified(services);
    expect((await client.get(todos.loader, "/todos")).status).toBe(200);
    const cookie = client.cookies.get("todo.session_token") ?? "";
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
    await within(1000, async () => (await client.get(todos.loader, "/todos")).status === 302);
  });

  it("shows a changed name at once, though the session was cached", async () => {
    const { client } = await signUpVerified(services, { name: "Before Change" });
    expect(JSON.stringify((await client.get(profile.loader, "/settings/profile")).data)).toContain(
      "Before Change",
    );
    expect((await client.post(profile.action, "/settings/profile", { name: "After Change" })).status).toBe(
      302,
    );
    await within(1000, async () =>
      JSON.stringify((await client.get(profile.loader, "/settings/profile")).data).includes("After Change"),
    );
  });
});

describe.each(DATABASE_KINDS.filter((kind) => kind === "postgres"))(
  "the session cache across instances (%s)",
  () => {
    it(
      "refuses a revoked session on a second server process within one second",
      { timeout: 120_000 },
      async () => {
        await withTwoInstances(async ({ one, two, smtp }) => {
          const cookie = await signUpOn(one, smtp, uniqueEmail("cached"));
          // The session made on one works on the other, which now has it in memory.
          for (let i = 0; i < 3; i++) expect((await two.get("/todos", { cookie })).status).toBe(200);

          expect((await one.post("/logout", {}, { cookie })).status).toBe(302);
          const took = await within(1000, async () => (await two.get("/todos", { cookie })).status === 302);
          expect(took).toBeLessThan(1000);
          expect((await two.get("/todos", { cookie })).headers.get("location")).toMatch(/^\/login/);
        });
      },
    );
  },
);
