import { and, eq, sql } from "drizzle-orm";
import { expect } from "vitest";
import { mailOutbox, session, user } from "../../db/schema";
import { latestMail } from "../support/accounts";
import { CHROME_ON_LINUX, HttpClient, type HeaderFields } from "../../harness/client";
import { send } from "../../harness/http";
import { signUpAndConfirm } from "../../harness/sign-up";
import { STRONG_PASSWORD, uniqueEmail } from "../support/client";
import { createPostgresDatabase } from "../support/databases";
import { startHttpApp, type HttpApp } from "../support/http-app";
import { linkIn } from "../../harness/smtp";

/**
 * Helpers of the security suite. Everything goes through the real HTTP server
 * (Express layer and production Remix build), with the harness's client and
 * transport (node:http: every header exactly as given, as a browser or an
 * attacker would send it).
 */

export { type HeaderFields } from "../../harness/client";
export const FIREFOX_ON_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:131.0) Gecko/20100101 Firefox/131.0";

/** Starting the app (a fresh database, migrations, the build) can take long on a busy machine. */
export const APP_START_TIMEOUT_MS = 180_000;

/**
 * The app for one test file, behind a trusted proxy on loopback so that every
 * simulated browser has a client address of its own (as real visitors do, and
 * so that per-address limits meet each browser separately). On PostgreSQL when
 * `TEST_DATABASE_URL` is set (as in CI), else on the embedded database.
 */
export async function startApp(env: Record<string, string> = {}): Promise<HttpApp> {
  if (!process.env.TEST_DATABASE_URL) return startHttpApp({ TRUST_PROXY: "loopback", ...env });
  const database = await createPostgresDatabase();
  const app = await startHttpApp({ TRUST_PROXY: "loopback", DATABASE_URL: database.url, ...env }).catch(
    async (error: unknown) => {
      await database.drop();
      throw error;
    },
  );
  return {
    ...app,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

/** The origin the app is published at (`APP_URL`), which is not where the test server listens when it is https. */
export const appOrigin = (app: HttpApp) => app.services.config.appUrl.origin;

let browsers = 0;

/**
 * A browser without JavaScript on the app of one test file (harness/client.ts),
 * from an address of its own.
 */
export class Browser extends HttpClient {
  constructor(
    readonly app: HttpApp,
    userAgent = CHROME_ON_LINUX,
  ) {
    browsers += 1;
    super({
      origin: app.origin,
      appOrigin: appOrigin(app),
      address: `198.18.${Math.floor(browsers / 250) % 250}.${(browsers % 250) + 1}`,
      userAgent,
    });
  }

  /** The session token in this browser's cookie (the part before its signature), if any. */
  get sessionToken(): string | null {
    return this.cookies.sessionToken();
  }

  /** Whether this browser is signed in, as the todo page sees it. */
  async isSignedIn(): Promise<boolean> {
    const page = await this.get("/todos");
    expect([200, 302]).toContain(page.status);
    return page.status === 200;
  }
}

/** A 15-minute access token for the JSON API, traded for the browser's session. */
export async function accessToken(browser: Browser): Promise<string> {
  const answer = await browser.get("/api/auth/token");
  expect(answer.status).toBe(200);
  const { token } = (await answer.json()) as { token?: unknown };
  if (typeof token !== "string") throw new Error("no access token");
  return token;
}

/** A call to the JSON todo API as a program makes it: a bearer token, no cookie, no Origin. */
export function apiCall(
  app: HttpApp,
  token: string,
  method: string,
  path: string,
  body?: string,
  headers: HeaderFields = {},
) {
  return send(app.origin, path, {
    method,
    body,
    headers: {
      host: new URL(appOrigin(app)).host,
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
  });
}

/** The path (with its query) of the newest link of a kind mailed to an address, checked to point at `APP_URL`. */
export async function mailLink(app: HttpApp, to: string, kind: string, prefix: string): Promise<string> {
  const link = new URL(linkIn(await latestMail(app.services, to, kind), `${appOrigin(app)}${prefix}`));
  return `${link.pathname}${link.search}`;
}

export interface Account {
  email: string;
  password: string;
}

/** Signs up through the form and opens the link in the confirmation mail: the browser ends up signed in. */
export async function signUp(
  browser: Browser,
  {
    email = uniqueEmail("security"),
    password = STRONG_PASSWORD,
    name = "Security Tester",
    // Where the confirmation link is read: the outbox, unless the test's mail leaves by SMTP.
    confirmationLink = (to: string) => mailLink(browser.app, to, "verify-email", "/verify-email?token="),
  }: {
    email?: string;
    password?: string;
    name?: string;
    confirmationLink?: (to: string) => Promise<string>;
  } = {},
): Promise<Account> {
  await signUpAndConfirm(browser, { name, email, password }, confirmationLink);
  const stored = email.trim().toLowerCase();
  return { email: stored, password };
}

/**
 * Signs up through the form in a browser of its own and leaves the address unconfirmed; answers
 * its confirmation link and that browser (where the link confirms at once).
 */
export async function signUpPending(
  app: HttpApp,
  { email = uniqueEmail("pending"), password = STRONG_PASSWORD, name = "Pending Tester" } = {},
) {
  const browser = new Browser(app);
  const answer = await browser.post("/signup", { name, email, password, confirmPassword: password });
  expect(answer.status).toBe(302);
  return {
    link: await mailLink(app, email.trim().toLowerCase(), "verify-email", "/verify-email?token="),
    browser,
  };
}

/** Signs in through the form; answers the response (302 on success). */
export const signIn = (browser: Browser, { email, password }: Account, fields: Record<string, string> = {}) =>
  browser.post("/login", { email, password, ...fields });

export async function userByEmail(app: HttpApp, email: string) {
  const [row] = await app.services.database.db.select().from(user).where(eq(user.email, email));
  return row;
}

export async function sessionsOf(app: HttpApp, email: string) {
  const owner = await userByEmail(app, email);
  return app.services.database.db
    .select()
    .from(session)
    .where(eq(session.userId, owner?.id ?? "none"));
}

export const mailsTo = (app: HttpApp, to: string, kind: string) =>
  app.services.database.db
    .select()
    .from(mailOutbox)
    .where(and(eq(mailOutbox.to, to), eq(mailOutbox.kind, kind)));

/** Every session token the database holds, of every user. */
export async function allSessionTokens(app: HttpApp): Promise<string[]> {
  const rows = await app.services.database.db.select({ token: session.token }).from(session);
  return rows.map((row) => row.token);
}

/** The log so far, once every response sent so far has been logged. */
export const logsOf = async (app: HttpApp) => {
  await app.quiet();
  return app.logLines.join("");
};

/**
 * A page's HTML without what differs from one response to the next, however
 * alike the answers: the CSP nonce, the request id, and the given strings
 * (such as the address typed into a form).
 */
export function withoutVaryingParts(html: string, ...typed: string[]): string {
  let text = html
    .replace(/nonce="[^"]*"/g, 'nonce=""')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<id>");
  for (const value of typed) text = text.split(value).join("<typed>");
  return text;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Runs `action` while the todo table is missing, so that a request touching it
 * fails inside the app as it would on a database fault: a genuine server error
 * whose message names internals (the table) that must never reach the page.
 */
export async function whileTodoTableIsMissing<T>(app: HttpApp, action: () => Promise<T>): Promise<T> {
  const { db } = app.services.database;
  await db.execute(sql`alter table "todo" rename to "todo_away"`);
  try {
    return await action();
  } finally {
    await db.execute(sql`alter table "todo_away" rename to "todo"`);
  }
}

/**
 * Moves the last authentication of a browser's session `secondsAgo` into the past (signed in
 * then, re-authenticated then or never), as if that much time had gone by.
 */
export async function ageSession(
  app: HttpApp,
  browser: Browser,
  secondsAgo: number,
  { reauthenticatedSecondsAgo }: { reauthenticatedSecondsAgo?: number } = {},
) {
  const now = Date.now();
  const changed = await app.services.database.db
    .update(session)
    .set({
      createdAt: new Date(now - secondsAgo * 1000),
      reauthenticatedAt:
        reauthenticatedSecondsAgo === undefined ? null : new Date(now - reauthenticatedSecondsAgo * 1000),
    })
    .where(eq(session.token, browser.sessionToken ?? "none"))
    .returning({ id: session.id });
  if (changed.length === 0) throw new Error("the browser has no session");
  // A write outside any request: settled by hand, as the server layer does after each request.
  await app.services.sessionCache.settle();
}
