import { readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADDRESS_LIMITS } from "~/security/rate-limit.server";
import { MIGRATIONS_DIR } from "../../db/client.server";
import { STRONG_PASSWORD, uniqueEmail } from "../support/client";
import { createPostgresDatabase } from "../support/databases";
import { startInstances, type AppInstance } from "../support/instances";
import { startSmtpCatcher, type SmtpCatcher } from "../../harness/smtp";
import {
  Browser,
  createTally,
  errorCount,
  nextAddress,
  outcomeText,
  report,
  signUp,
  within,
  type Tally,
} from "./support/traffic";

const SESSION_COOKIE = "todo.session_token";
const NEW_PASSWORD = "a different passphrase entirely";

describe("two instances on one PostgreSQL database", () => {
  const tally: Tally = createTally();
  const propagation: Record<string, number> = {};
  let database: { url: string; drop(): Promise<void> };
  let smtp: SmtpCatcher;
  let one: AppInstance;
  let two: AppInstance;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    smtp = await startSmtpCatcher();
    // Both started at the same moment, on an empty database: each must migrate or wait for the other.
    const started = await Promise.all([
      startInstances(1, { databaseUrl: database.url, smtp }),
      startInstances(1, { databaseUrl: database.url, smtp }),
    ]);
    for (const { stop } of started) stops.push(stop);
    const [first, second] = started.flatMap(({ instances }) => instances);
    if (!first || !second) throw new Error("instances did not start");
    [one, two] = [first, second];
  });

  afterAll(async () => {
    await Promise.all(stops.map((stop) => stop()));
    await smtp?.stop();
    await database?.drop();
    report("two instances", tally, propagation);
  });

  /** The session of a browser, as the database knows it (its cookie carries the token, signed). */
  async function sessionIdOf(browser: Browser): Promise<string> {
    const signed = decodeURIComponent(browser.cookies.get(SESSION_COOKIE) ?? "");
    const token = signed.slice(0, signed.lastIndexOf("."));
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ id: string }[]>`select id from session where token = ${token}`;
      if (!row) throw new Error("no such session");
      return row.id;
    } finally {
      await sql.end();
    }
  }

  /** A second browser of the same account, signed in on `instance`. */
  async function signIn(instance: AppInstance, email: string, password = STRONG_PASSWORD) {
    const browser = new Browser(nextAddress(), tally);
    const signedIn = await browser.post(instance, "/login", { email, password });
    expect(outcomeText(signedIn)).toBe("302");
    return browser;
  }

  /** Uses the session on `instance` a few times, so that it is in that process's cache. */
  async function warm(browser: Browser, instance: AppInstance) {
    for (let i = 0; i < 3; i++) {
      const page = await browser.get(instance, "/todos");
      expect(page.ok && page.status).toBe(200);
    }
  }

  /** Polls `instance` until it sends `browser` to the sign-in page: the milliseconds that took (at most one second). */
  async function refusedWithinASecond(browser: Browser, instance: AppInstance): Promise<number> {
    return within(1000, async () => {
      const page = await browser.get(instance, "/todos");
      return page.ok && page.status === 302 && (page.headers.get("location") ?? "").startsWith("/login");
    });
  }

  it("both became ready, and migrated once", async () => {
    for (const instance of [one, two]) expect((await fetch(`${instance.origin}/readyz`)).status).toBe(200);
    const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, "meta/_journal.json"), "utf8")) as {
      entries: unknown[];
    };
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ hash: string; times: number }[]>`
        select hash, count(*)::int as times from drizzle.__drizzle_migrations group by hash`;
      expect(rows).toHaveLength(journal.entries.length);
      for (const row of rows) expect(row.times).toBe(1);
    } finally {
      await sql.end();
    }
  });

  it("a session made on one works on the other, and so does what it wrote", async () => {
    const browser = new Browser(nextAddress(), tally);
    await signUp(browser, one, smtp, uniqueEmail("both"));
    const created = await browser.post(one, "/todos", { intent: "create", title: "written on one" });
    expect(outcomeText(created)).toBe("302");
    tally.writesAcknowledged++;
    const page = await browser.get(two, "/todos");
    expect(page.ok && page.status).toBe(200);
    expect(page.ok && page.body).toContain("written on one");
    tally.writesFound++;
  });

  it("sign-out on one ends the session on the other within a second", async () => {
    const browser = new Browser(nextAddress(), tally);
    await signUp(browser, one, smtp, uniqueEmail("signout"));
    const cookie = browser.cookieHeader;
    await warm(browser, two);
    expect(outcomeText(await browser.post(one, "/logout", {}))).toBe("302");
    tally.writesAcknowledged++;
    // The old cookie, as someone who kept a copy would send it.
    const copy = new Browser(browser.address, tally);
    for (const pair of cookie.split("; ")) {
      const [name = "", value = ""] = pair.split("=");
      copy.cookies.set(name, value);
    }
    propagation["sign-out ms"] = await refusedWithinASecond(copy, two);
    tally.writesFound++;
  });

  it("revocation on one ends the session on the other within a second", async () => {
    const email = uniqueEmail("revoke");
    const owner = new Browser(nextAddress(), tally);
    await signUp(owner, one, smtp, email);
    const other = await signIn(two, email);
    await warm(other, two);
    const revoked = await owner.post(one, "/settings/sessions", {
      intent: "revoke",
      sessionId: await sessionIdOf(other),
    });
    expect(outcomeText(revoked)).toBe("302");
    tally.writesAcknowledged++;
    propagation["revocation ms"] = await refusedWithinASecond(other, two);
    tally.writesFound++;
    // The browser that revoked it is still signed in.
    const own = await owner.get(one, "/todos");
    expect(own.ok && own.status).toBe(200);
  });

  it("a password change on one ends the other sessions on the other within a second", async () => {
    const email = uniqueEmail("password");
    const owner = new Browser(nextAddress(), tally);
    await signUp(owner, one, smtp, email);
    const other = await signIn(two, email);
    await warm(other, two);
    const changed = await owner.post(one, "/settings/password", {
      currentPassword: STRONG_PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(outcomeText(changed)).toBe("302");
    tally.writesAcknowledged++;
    propagation["password change ms"] = await refusedWithinASecond(other, two);
    tally.writesFound++;
    // The new password works on the other instance; the old one does not.
    const again = new Browser(nextAddress(), tally);
    const withOld = await again.post(two, "/login", { email, password: STRONG_PASSWORD });
    expect(withOld.ok && withOld.status).toBe(400);
    expect(outcomeText(await again.post(two, "/login", { email, password: NEW_PASSWORD }))).toBe("302");
  });

  it("rate limits are shared: attempts on either count against one limit", async () => {
    const { limit } = ADDRESS_LIMITS["forgot-password"];
    const browser = new Browser(nextAddress(), tally);
    const instances = [one, two];
    for (let attempt = 0; attempt < limit; attempt++) {
      const answer = await browser.post(instances[attempt % 2] ?? one, "/forgot-password", {
        email: uniqueEmail("nobody"),
      });
      expect(answer.ok && answer.status, `attempt ${attempt + 1}`).not.toBe(429);
    }
    for (const instance of instances) {
      const over = await browser.post(instance, "/forgot-password", { email: uniqueEmail("nobody") });
      expect(over.ok && over.status).toBe(429);
      expect(over.ok && over.headers.get("retry-after")).toMatch(/^\d+$/);
    }
    expect(errorCount(tally)).toBe(0);
  });
});
