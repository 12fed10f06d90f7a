import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionView } from "../../app/auth/sessions.server";
import * as login from "../../app/routes/login";
import * as settingsSessions from "../../app/routes/settings.sessions";
import * as todos from "../../app/routes/todos";
import type { Services } from "../../app/services.server";
import { session, user } from "../../db/schema";
import { signUpVerified } from "../support/accounts";
import { TestClient } from "../support/client";
import { createTestServices, DATABASE_KINDS } from "../support/databases";

const FIREFOX_ON_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:131.0) Gecko/20100101 Firefox/131.0";

describe.each(DATABASE_KINDS)("the session list on %s", (kind) => {
  let services: Services;

  beforeAll(async () => {
    services = await createTestServices(kind);
  });
  afterAll(() => services.close());

  async function twoBrowsers() {
    const first = await signUpVerified(services);
    const second = new TestClient(services, "198.51.100.42", FIREFOX_ON_MAC);
    expect(
      (await second.post(login.action, "/login", { email: first.email, password: first.password })).status,
    ).toBe(302);
    return { first: first.client, second, email: first.email, password: first.password };
  }

  const list = async (client: TestClient) =>
    (await client.get<{ sessions: SessionView[] }>(settingsSessions.loader, "/settings/sessions")).data
      .sessions;

  it("lists every session with its browser, system and address, marks this device, and shows no token", async () => {
    const { first, second, email } = await twoBrowsers();
    const page = await first.get<{ sessions: SessionView[] }>(settingsSessions.loader, "/settings/sessions");
    const sessions = page.data.sessions;
    expect(sessions).toHaveLength(2);
    const other = sessions.find((item) => !item.current);
    expect(other).toMatchObject({ browser: "Firefox 131", os: "macOS 14.5", ipAddress: "198.51.100.42" });
    expect(sessions.filter((item) => item.current)).toHaveLength(1);

    const [owner] = await services.database.db.select().from(user).where(eq(user.email, email));
    const tokens = await services.database.db
      .select({ token: session.token })
      .from(session)
      .where(eq(session.userId, owner?.id ?? ""));
    const serialized = JSON.stringify(page.data);
    for (const { token } of tokens) expect(serialized).not.toContain(token);
    expect(second.cookies.size).toBeGreaterThan(0);
  });

  it("revokes another session, which is signed out on its next request", async () => {
    const { first, second } = await twoBrowsers();
    const other = (await list(first)).find((item) => !item.current);
    const result = await first.post(settingsSessions.action, "/settings/sessions", {
      intent: "revoke",
      sessionId: other?.id ?? "",
    });
    expect(result.status).toBe(302);
    const next = await second.get(todos.loader, "/todos");
    expect(next.status).toBe(302);
    expect(next.location).toMatch(/^\/login/);
    expect((await first.get(todos.loader, "/todos")).status).toBe(200);
    expect(await list(first)).toHaveLength(1);
  });

  it("revokes every other session at once and keeps this one", async () => {
    const { first, second, email } = await twoBrowsers();
    const third = new TestClient(services, "203.0.113.77");
    expect(
      (await third.post(login.action, "/login", { email, password: "correct horse battery staple" })).status,
    ).toBe(302);
    expect(await list(first)).toHaveLength(3);
    const result = await first.post(settingsSessions.action, "/settings/sessions", {
      intent: "revoke-others",
    });
    expect(result.status).toBe(302);
    expect((await second.get(todos.loader, "/todos")).status).toBe(302);
    expect((await first.get(todos.loader, "/todos")).status).toBe(200);
    expect((await third.get(todos.loader, "/todos")).status).toBe(302);
    expect(await list(first)).toHaveLength(1);
  });

  it("answers another user's session id with 404 and ends nothing", async () => {
    const { first } = await twoBrowsers();
    const intruder = await signUpVerified(services);
    const target = (await list(first)).find((item) => !item.current);
    const result = await intruder.client.post(settingsSessions.action, "/settings/sessions", {
      intent: "revoke",
      sessionId: target?.id ?? "",
    });
    expect(result.status).toBe(404);
    expect(await list(first)).toHaveLength(2);
  });

  it("refuses an unknown intent with 400", async () => {
    const { client } = await signUpVerified(services);
    const result = await client.post(settingsSessions.action, "/settings/sessions", {
      intent: "revoke-all-users",
    });
    expect(result.status).toBe(400);
  });
});
