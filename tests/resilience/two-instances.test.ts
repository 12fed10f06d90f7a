import { readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADDRESS_LIMITS } from "../../app/security/rate-limit.server";
import { MIGRATIONS_DIR } from "../../db/client.server";
import { STRONG_PASSWORD, uniqueEmail } from "../support/client";
import { createPostgresDatabase } from "../support/databases";
import { startInstances, type AppInstance } from "../support/instances";
import { startSmtpCatcher, type SmtpCatcher } from "../../harness/smtp";
import { within } from "../support/wait";
import type { CountedBrowser, Outcome } from "./support/traffic";
import { errorCount, outcomeText, reportedScenario, signUp } from "./support/traffic";

const NEW_PASSWORD = "a different passphrase entirely";

describe("two instances on one PostgreSQL database", () => {
  const { tally, extra: propagation, newBrowser } = reportedScenario("two instances");
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
  });

  /** The session of a browser, as the database knows it (its cookie carries the token, signed). */
  async function sessionIdOf(browser: CountedBrowser): Promise<string> {
    const token = browser.cookies.sessionToken();
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
    const browser = newBrowser();
    const signedIn = await browser.post(instance, "/login", { email, password });
    expect(outcomeText(signedIn)).toBe("302");
    return browser;
  }

  /** Uses the session on `instance` a few times, so that it is in that process's cache. */
  async function warm(browser: CountedBrowser, instance: AppInstance) {
    for (let i = 0; i < 3; i++) {
      const page = await browser.get(instance, "/todos");
      expect(page.ok && page.status).toBe(200);
    }
  }

  /** Polls `instance` until it sends `browser` to the sign-in page: the milliseconds that took (at most one second). */
  async function refusedWithinASecond(browser: CountedBrowser, instance: AppInstance): Promise<number> {
    return within(1000, async () => {
      const page = await browser.get(instance, "/todos");
      return page.ok && page.status === 302 && (page.headers.get("location") ?? "").startsWith("/login");
    });
  }

  /** An account signed up on one, and another browser of it signed in on two, whose session two has cached. */
  async function ownerAndOther(prefix: string) {
    const email = uniqueEmail(prefix);
    const owner = newBrowser();
    await signUp(owner, one, smtp, email);
    const other = await signIn(two, email);
    await warm(other, two);
    return { email, owner, other };
  }

  /** A change on one, acknowledged (`answer`), and then seen on two: `browser` refused there within a second. */
  async function refusedOnTwoAfter(answer: Outcome, browser: CountedBrowser, figure: string) {
    expect(outcomeText(answer)).toBe("302");
    tally.writesAcknowledged++;
    propagation[figure] = await refusedWithinASecond(browser, two);
    tally.writesFound++;
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
    const browser = newBrowser();
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
    const browser = newBrowser();
    await signUp(browser, one, smtp, uniqueEmail("signout"));
    // The old cookie, as someone who kept a copy would send it.
    const copy = browser.copy();
    await warm(browser, two);
    await refusedOnTwoAfter(await browser.post(one, "/logout", {}), copy, "sign-out ms");
  });

  it("revocation on one ends the session on the other within a second", async () => {
    const { owner, other } = await ownerAndOther("revoke");
    const revoked = await owner.post(one, "/settings/sessions", {
      intent: "revoke",
      sessionId: await sessionIdOf(other),
    });
    await refusedOnTwoAfter(revoked, other, "revocation ms");
    // The browser that revoked it is still signed in.
    const own = await owner.get(one, "/todos");
    expect(own.ok && own.status).toBe(200);
  });

  it("a password change on one ends the other sessions on the other within a second", async () => {
    const { email, owner, other } = await ownerAndOther("password");
    const changed = await owner.post(one, "/settings/password", {
      currentPassword: STRONG_PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    await refusedOnTwoAfter(changed, other, "password change ms");
    // The new password works on the other instance; the old one does not.
    const again = newBrowser();
    const withOld = await again.post(two, "/login", { email, password: STRONG_PASSWORD });
    expect(withOld.ok && withOld.status).toBe(400);
    expect(outcomeText(await again.post(two, "/login", { email, password: NEW_PASSWORD }))).toBe("302");
  });

  it("rate limits are shared: attempts on either count against one limit", async () => {
    const { limit } = ADDRESS_LIMITS["forgot-password"];
    const browser = newBrowser();
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
