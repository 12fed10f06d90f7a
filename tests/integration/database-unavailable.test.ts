import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "../../db/outage";
import { uniqueEmail } from "../support/client";
import { formPost, signUpOverHttp, startHttpApp, type HttpApp } from "../support/http-app";
import { freePort } from "../../harness/process";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";

/** The error a call gave, or a failure if it gave none. */
async function errorOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

describe("an unreachable database", () => {
  let app: HttpApp;
  let cookie: string;
  let token: string;
  beforeAll(async () => {
    app = await startHttpApp();
    ({ cookie } = await signUpOverHttp(app, uniqueEmail("unreachable")));
    const issued = await fetch(app.url("/api/auth/token"), { headers: { cookie } });
    ({ token } = (await issued.json()) as { token: string });
    // Verified once, so that the keys are in memory and the database is all that is missing.
    const listed = await fetch(app.url("/api/todos"), { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(200);
    await app.services.database.close();
  });
  afterAll(() => app.close().catch(() => {}));

  const expectRetryAfter = (response: Response) =>
    expect(response.headers.get("retry-after")).toMatch(/^\d+$/);

  it("is a 503 page with Retry-After, for reading and writing alike", async () => {
    for (const response of [
      await fetch(app.url("/todos"), { headers: { cookie } }),
      await formPost(app, "/todos", { intent: "create", title: "lost in the outage" }, { cookie }),
    ]) {
      expect(response.status).toBe(503);
      expectRetryAfter(response);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html).toContain("cannot reach its database");
      expect(html).not.toMatch(/PGlite|drizzle|node_modules|\bat .+\.(js|ts):\d+/i);
    }
  });

  it("is a 503 after a client-side navigation too", async () => {
    const response = await fetch(app.url("/todos.data"), { headers: { cookie } });
    expect(response.status).toBe(503);
    expectRetryAfter(response);
    expect(await response.text()).toContain("cannot reach its database");
  });

  it("is a small 503 page from a route without a page of its own", async () => {
    const response = await fetch(app.url("/settings/account/export"), { headers: { cookie } });
    expect(response.status).toBe(503);
    expectRetryAfter(response);
    const html = await response.text();
    expect(html).toContain("Temporarily unavailable");
    expect(html).toContain(response.headers.get("x-request-id") ?? "missing");
  });

  it("is a 503 problem document on the JSON API", async () => {
    const response = await fetch(app.url("/api/todos"), { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(503);
    expectRetryAfter(response);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ type: "/problems/service-unavailable", status: 503 });
  });

  it("is a 503 problem document from better-auth's own API too, never its 500", async () => {
    const answers = [
      await fetch(app.url("/api/auth/list-sessions"), { headers: { cookie } }),
      await fetch(app.url("/api/auth/sign-out"), {
        method: "POST",
        headers: { cookie, origin: app.origin, "content-type": "application/json" },
        body: "{}",
      }),
      await fetch(app.url("/api/auth/sign-in/email"), {
        method: "POST",
        headers: { origin: app.origin, "content-type": "application/json" },
        body: JSON.stringify({ email: uniqueEmail("outage"), password: "a pass phrase of some length" }),
      }),
    ];
    for (const response of answers) {
      expect(response.status, response.url).toBe(503);
      expectRetryAfter(response);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
  });

  it("does not claim a sign-out it could not make: 503, and the cookie stays", async () => {
    const response = await formPost(app, "/logout", {}, { cookie });
    expect(response.status).toBe(503);
    expectRetryAfter(response);
    expect(response.headers.getSetCookie().filter((line) => line.startsWith(`${SESSION_COOKIE}=`))).toEqual(
      [],
    );
  });

  it("makes /readyz say 503 while /healthz says the process is alive", async () => {
    expect((await fetch(app.url("/readyz"))).status).toBe(503);
    expect((await fetch(app.url("/healthz"))).status).toBe(200);
  });

  it("is logged as a warning with the driver's words, never the query's parameters", () => {
    const lines = app.logLines.filter((line) => line.includes('"msg":"database unreachable: answered 503"'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(JSON.parse(line)).toMatchObject({ level: 40, reason: { message: "PGlite is closed" } });
    }
    const cookieValue = cookie
      .split("; ")
      .find((pair) => pair.startsWith(`${SESSION_COOKIE}=`))
      ?.slice(`${SESSION_COOKIE}=`.length);
    const sessionToken = decodeURIComponent(cookieValue ?? "").split(".")[0] ?? "";
    expect(sessionToken.length).toBeGreaterThan(16);
    expect(app.logLines.join("")).not.toContain(sessionToken);
  });
});

describe("telling an unreachable database from other failures", () => {
  it("recognises postgres.js failing to connect", async () => {
    const port = await freePort();
    const sql = postgres(`postgres://nobody@127.0.0.1:${port}/nothing`, {
      max: 1,
      connect_timeout: 2,
      onnotice: () => {},
    });
    try {
      expect(isDatabaseUnavailable(await errorOf(() => sql`select 1`))).toBe(true);
    } finally {
      await sql.end({ timeout: 0 });
    }
  });

  it("recognises a closed PGlite, but not a query PostgreSQL refuses", { timeout: 60_000 }, async () => {
    const db = await PGlite.create();
    expect(isDatabaseUnavailable(await errorOf(() => db.query("select * from no_such_table")))).toBe(false);
    await db.close();
    expect(isDatabaseUnavailable(await errorOf(() => db.query("select 1")))).toBe(true);
  });

  it("does not take a failed fetch (say, to an OAuth provider) for the database", async () => {
    const port = await freePort();
    const error = await errorOf(() => fetch(`http://127.0.0.1:${port}/`));
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(isDatabaseUnavailable(new Error("plain"))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
