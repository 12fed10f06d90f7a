import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { session } from "../../db/schema";
import type { HttpApp } from "../support/http-app";
import {
  APP_START_TIMEOUT_MS,
  accessToken,
  allSessionTokens,
  apiCall,
  Browser,
  FIREFOX_ON_MAC,
  logsOf,
  mailLink,
  sessionsOf,
  signIn,
  signUp,
  signUpPending,
  startApp,
  userByEmail,
  type Account,
} from "./support";
import { STRONG_PASSWORD, uniqueEmail } from "../support/client";
import { SESSION_COOKIE, sessionCookieName } from "../../app/auth/session-cookie";
import { SESSION_COOKIE_PATTERN } from "../../harness/cookies";

const DAY = 24 * 60 * 60 * 1000;

/** The attributes of a `Set-Cookie` header, lower-cased, by name (`true` for flags). */
function cookieAttributes(header: string) {
  const [pair = "", ...parts] = header.split(";");
  const attributes = new Map<string, string | true>();
  for (const part of parts) {
    const [key = "", ...value] = part.trim().split("=");
    attributes.set(key.toLowerCase(), value.length ? value.join("=") : true);
  }
  return { name: pair.slice(0, pair.indexOf("=")).trim(), attributes };
}

const sessionCookieOf = (response: Response) => {
  const header = response.headers
    .getSetCookie()
    .find((cookie) => new RegExp(`^${SESSION_COOKIE_PATTERN}=[^;]`).test(cookie));
  expect(header, response.headers.getSetCookie().join("\n")).toBeDefined();
  return cookieAttributes(header ?? "");
};

describe("Sessions (ASVS 7, WSTG-SESS, ASVS 3.3)", () => {
  let app: HttpApp;

  // Served over https, as in production: the cookie is the one a real deployment sets.
  beforeAll(async () => {
    app = await startApp({ APP_URL: "https://todo.example.com" });
  }, APP_START_TIMEOUT_MS);
  afterAll(() => app.close());

  /** A browser holding exactly the given cookies, as a thief who copied them would. */
  const replaying = (cookies: Map<string, string>) => {
    const thief = new Browser(app);
    for (const [name, value] of cookies) thief.cookies.set(name, value);
    return thief;
  };

  /** An account signed in in two browsers. */
  async function twoBrowsers(): Promise<{ owner: Account; first: Browser; second: Browser }> {
    const first = new Browser(app);
    const owner = await signUp(first);
    const second = new Browser(app, FIREFOX_ON_MAC);
    expect((await signIn(second, owner)).status).toBe(302);
    return { owner, first, second };
  }

  it("Session cookie: `HttpOnly`, `SameSite=Lax`, `Path=/`, no `Domain`; `Secure` and a `__Secure-` or `__Host-` prefix over https.", async () => {
    const browser = new Browser(app);
    const owner = await signUp(browser);
    expect(browser.sessionToken).not.toBeNull();
    const answers = [
      await signIn(new Browser(app), owner),
      await new Browser(app).postJson("/api/auth/sign-in/email", owner),
    ];
    for (const answer of answers) {
      const { name, attributes } = sessionCookieOf(answer);
      expect([sessionCookieName(true), `__Host-${SESSION_COOKIE}`]).toContain(name);
      expect(attributes.get("secure")).toBe(true);
      expect(attributes.get("httponly")).toBe(true);
      expect(String(attributes.get("samesite")).toLowerCase()).toBe("lax");
      expect(attributes.get("path")).toBe("/");
      expect(attributes.has("domain")).toBe(false);
    }
    // The prefix is only worth something if the name without it means nothing.
    const forged = new Browser(app);
    for (const [name, value] of browser.cookies)
      forged.cookies.set(name.replace(/^__(Secure|Host)-/, ""), value);
    expect(await forged.isSignedIn()).toBe(false);
    expect(await browser.isSignedIn()).toBe(true);
  });

  it("A new session token at every sign-in; a session already in the browser is ended when another account signs in.", async () => {
    const browser = new Browser(app);
    const first = await signUp(browser);
    const tokens = [browser.sessionToken];
    const heldBefore = new Map(browser.cookies);

    // Signing in again in the same browser: a new token, and the old session is over.
    expect((await signIn(browser, first)).status).toBe(302);
    tokens.push(browser.sessionToken);
    expect(await replaying(heldBefore).isSignedIn()).toBe(false);

    // Another account signs in where the first one's session is: the first one's ends.
    const second = await signUp(new Browser(app));
    const heldByFirst = new Map(browser.cookies);
    expect((await signIn(browser, second)).status).toBe(302);
    tokens.push(browser.sessionToken);
    expect(await replaying(heldByFirst).isSignedIn()).toBe(false);
    expect(await sessionsOf(app, first.email)).toEqual([]);

    // A token planted in the browser beforehand (session fixation) is never the one signed in with.
    const planted = new Browser(app);
    planted.cookies.set(sessionCookieName(true), "attacker-chosen-token");
    expect((await signIn(planted, second)).status).toBe(302);
    tokens.push(planted.sessionToken);

    expect(tokens.every((token) => typeof token === "string" && token.length >= 32)).toBe(true);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(tokens).not.toContain("attacker-chosen-token");
  });

  it("A new session token at every sign-in; every way of creating a session (form, `/api/auth/*`, provider, mail link, passkey) ends the session that browser had, on the server. — `/api/auth/*` and a mail link", async () => {
    const browser = new Browser(app);
    const first = await signUp(browser);
    const second = await signUp(new Browser(app));

    // A JSON sign-in over the cookie the browser already has: that session ends on the server.
    const heldBefore = new Map(browser.cookies);
    expect((await browser.postJson("/api/auth/sign-in/email", second)).status).toBe(200);
    expect(await replaying(heldBefore).isSignedIn()).toBe(false);
    expect(await sessionsOf(app, first.email)).toEqual([]);

    // A confirmation link opened and confirmed in a browser that holds a session: that one ends too.
    const heldBySecond = new Map(browser.cookies);
    const secondsToken = browser.sessionToken;
    // Confirmed with the password chosen at sign-up, in a browser that holds another session.
    const { link } = await signUpPending(app);
    const { path } = await browser.openLink(link);
    expect((await browser.post(path, { intent: "confirm" })).status).toBe(200);
    expect(
      (await browser.post(path, { intent: "confirm-with-password", password: STRONG_PASSWORD })).status,
    ).toBe(302);
    expect(await replaying(heldBySecond).isSignedIn()).toBe(false);
    expect(await allSessionTokens(app)).not.toContain(secondsToken);
    expect(await browser.isSignedIn()).toBe(true);
  });

  it("Credentials travel only in POST bodies; a GET never signs anyone in or out (a mail link opens a page whose button acts)", async () => {
    const email = uniqueEmail("scanned");
    const { link, browser: person } = await signUpPending(app, { email });
    // A mail scanner follows the link, and its redirect, and reads the page.
    const scanner = new Browser(app);
    const { page } = await scanner.openLink(link);
    expect(page.status).toBe(200);
    expect(scanner.sessionToken).toBeNull();
    expect((await userByEmail(app, email))?.emailVerified).toBe(false);
    expect(await sessionsOf(app, email)).toEqual([]);
    // The person presses the button: confirmed and signed in.
    expect((await person.pressOnLinkPage(link, { intent: "confirm" })).headers.get("location")).toBe(
      "/todos",
    );
    expect((await userByEmail(app, email))?.emailVerified).toBe(true);
    expect(await person.isSignedIn()).toBe(true);
  });

  it("Sign-out ends the session on the server: the old cookie is worthless afterwards — the form", async () => {
    const browser = new Browser(app);
    const owner = await signUp(browser);
    const held = new Map(browser.cookies);
    const token = browser.sessionToken;
    const out = await browser.post("/logout", {});
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toBe("/");
    expect(browser.sessionToken).toBeNull();
    expect((await allSessionTokens(app)).includes(token ?? "")).toBe(false);
    expect(await sessionsOf(app, owner.email)).toEqual([]);
    const thief = replaying(held);
    expect(await thief.isSignedIn()).toBe(false);
    expect(await (await thief.get("/api/auth/get-session")).text()).toBe("null");
  });

  it("Sign-out ends the session on the server: the old cookie is worthless afterwards — /api/auth/sign-out", async () => {
    const browser = new Browser(app);
    await signUp(browser);
    const held = new Map(browser.cookies);
    const out = await browser.postJson("/api/auth/sign-out", {});
    expect(out.status).toBe(200);
    expect(await replaying(held).isSignedIn()).toBe(false);
  });

  it("Sessions expire when idle and after an absolute lifetime; both are documented.", async () => {
    // Documented: in the README, and the cookie says the same.
    const readme = readFileSync("README.md", "utf8");
    expect(readme).toMatch(/Idle lifetime: 7 days/);
    expect(readme).toMatch(/Absolute lifetime: 30 days/);
    const browser = new Browser(app);
    const owner = await signUp(browser);
    const { attributes } = sessionCookieOf(await signIn(browser, owner));
    expect(attributes.get("max-age")).toBe(String(7 * 24 * 60 * 60));

    const [row] = await sessionsOf(app, owner.email);
    const rowId = row?.id ?? "none";
    const age = async (values: { createdAt: Date; updatedAt: Date; expiresAt: Date }) => {
      await app.services.database.db.update(session).set(values).where(eq(session.id, rowId));
    };
    const now = Date.now();
    // 29 days after sign-in, used yesterday: still on.
    await age({
      createdAt: new Date(now - 29 * DAY),
      updatedAt: new Date(now - DAY),
      expiresAt: new Date(now + 6 * DAY),
    });
    expect(await browser.isSignedIn()).toBe(true);
    // Past the absolute lifetime, however recently used: over, and gone from the server.
    await age({
      createdAt: new Date(now - 30 * DAY - 60_000),
      updatedAt: new Date(now),
      expiresAt: new Date(now + 7 * DAY),
    });
    const held = new Map(browser.cookies);
    expect(await browser.isSignedIn()).toBe(false);
    expect(await sessionsOf(app, owner.email)).toEqual([]);
    expect(await replaying(held).isSignedIn()).toBe(false);

    // Idle: not used for more than 7 days, the session has expired.
    const idle = new Browser(app);
    expect((await signIn(idle, owner)).status).toBe(302);
    const [idleRow] = await sessionsOf(app, owner.email);
    await app.services.database.db
      .update(session)
      .set({
        createdAt: new Date(now - 8 * DAY),
        updatedAt: new Date(now - 8 * DAY),
        expiresAt: new Date(now - DAY),
      })
      .where(eq(session.id, idleRow?.id ?? "none"));
    expect(await idle.isSignedIn()).toBe(false);
  });

  it("Password change and password reset end every other session — change, on the form and through /api/auth/*", async () => {
    const { owner, first, second } = await twoBrowsers();
    const changed = await first.post("/settings/password", {
      currentPassword: owner.password,
      newPassword: "a changed pass phrase",
      confirmPassword: "a changed pass phrase",
    });
    expect(changed.status).toBe(302);
    expect(await first.isSignedIn()).toBe(true);
    expect(await second.isSignedIn()).toBe(false);
    expect(await sessionsOf(app, owner.email)).toHaveLength(1);

    // The API ends them too, even when asked not to.
    const third = new Browser(app);
    expect((await signIn(third, { email: owner.email, password: "a changed pass phrase" })).status).toBe(302);
    const viaApi = await first.postJson("/api/auth/change-password", {
      currentPassword: "a changed pass phrase",
      newPassword: "yet another pass phrase",
      revokeOtherSessions: false,
    });
    expect(viaApi.status).toBe(200);
    expect(await third.isSignedIn()).toBe(false);
  });

  it("Password change and password reset end every other session — reset ends them all, and signs no one in", async () => {
    const { owner, first, second } = await twoBrowsers();
    expect((await new Browser(app).post("/forgot-password", { email: owner.email })).status).toBe(302);
    const link = await mailLink(app, owner.email, "reset-password", "/reset-password?token=");
    const resetter = new Browser(app);
    const reset = await resetter.pressOnLinkPage(link, {
      password: "a reset pass phrase",
      confirmPassword: "a reset pass phrase",
    });
    expect(reset.status).toBe(302);
    for (const browser of [first, second, resetter]) expect(await browser.isSignedIn()).toBe(false);
    expect(await sessionsOf(app, owner.email)).toEqual([]);
  });

  it("Password change and password reset end every other session; deleting the account ends all of them — deletion", async () => {
    const { owner, first, second } = await twoBrowsers();
    const deleted = await first.post("/settings/account", {
      intent: "delete-account",
      currentPassword: owner.password,
      confirm: "on",
    });
    expect(deleted.status).toBe(302);
    for (const browser of [first, second]) expect(await browser.isSignedIn()).toBe(false);
    expect(await sessionsOf(app, owner.email)).toEqual([]);
  });

  it("The session list shows device, browser, address, created and last-active times; it never shows a token", async () => {
    const { first, second } = await twoBrowsers();
    const page = await first.get("/settings/sessions");
    expect(page.status).toBe(200);
    const html = await page.text();
    const data = await (await first.get("/settings/sessions.data")).text();
    expect(html).toContain("Chrome 156");
    expect(html).toContain("Linux");
    expect(html).toContain("Firefox 131");
    expect(html).toContain("macOS 14.5");
    expect(html).toContain(first.address);
    expect(html).toContain(second.address);
    // Times as <time>, in UTC and saying so until the browser has named its zone.
    const time = String.raw`<time dateTime="[^"]+Z" title="[^"]+">\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC</time>`;
    expect(html).toMatch(new RegExp(`signed in (<!-- -->)?${time}`));
    expect(html).toMatch(new RegExp(`last active(<!-- -->)? (<!-- -->)?${time}`));
    const tokens = await allSessionTokens(app);
    expect(tokens.length).toBeGreaterThan(1);
    for (const token of tokens) {
      expect(html).not.toContain(token);
      expect(data).not.toContain(token);
    }
    for (const value of [...first.cookies.values(), ...second.cookies.values()]) {
      expect(html).not.toContain(value);
      expect(data).not.toContain(value);
    }
  });

  it("The session list shows device, browser, address, created and last-active times; it never shows a token; a user can end only their own sessions — ending sessions", async () => {
    const { owner, first, second } = await twoBrowsers();
    const before = await sessionsOf(app, owner.email);
    const intruder = new Browser(app);
    await signUp(intruder);
    for (const { id } of before) {
      const attempt = await intruder.post("/settings/sessions", { intent: "revoke", sessionId: id });
      expect(attempt.status).toBe(404);
    }
    expect((await intruder.post("/settings/sessions", { intent: "revoke-others" })).status).toBe(302);
    // Not through the API either, even knowing a token.
    await intruder.postJson("/api/auth/revoke-session", { token: second.sessionToken });
    expect((await sessionsOf(app, owner.email)).map((row) => row.id).sort()).toEqual(
      before.map((row) => row.id).sort(),
    );
    expect(await second.isSignedIn()).toBe(true);

    // The owner can.
    const other = before.find((row) => row.token === second.sessionToken);
    expect(
      (await first.post("/settings/sessions", { intent: "revoke", sessionId: other?.id ?? "none" })).status,
    ).toBe(302);
    expect(await second.isSignedIn()).toBe(false);
    expect(await intruder.isSignedIn()).toBe(true);
  });

  it("Private pages are sent with `Cache-Control: no-store`.", async () => {
    const browser = new Browser(app);
    await signUp(browser);
    const exported = await browser.post("/settings/account", { intent: "export" });
    const paths = [
      "/todos",
      "/todos?filter=active",
      "/settings/profile",
      "/settings/email",
      "/settings/password",
      "/settings/sessions",
      "/settings/security",
      "/settings/account",
      exported.headers.get("location") ?? "/settings/account/export",
      "/todos.data",
      "/settings/sessions.data",
      "/api/auth/get-session",
    ];
    for (const path of paths) {
      const response = await browser.get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("cache-control"), path).toMatch(/(^|,\s*)no-store(\s*,|$)/);
    }
  });

  it("Tokens never appear in URLs (except single-use mail links), in page HTML, in route data or in logs.", async () => {
    const browser = new Browser(app);
    const seen: Array<{ path: string; location: string; body: string }> = [];
    const visit = async (path: string, answer: Promise<Response>) => {
      const response = await answer;
      seen.push({ path, location: response.headers.get("location") ?? "", body: await response.text() });
      return response;
    };
    const owner = await signUp(browser);
    const sessionTokens = new Set(await allSessionTokens(app));
    await visit("sign-in", signIn(browser, owner, { redirectTo: "/settings/sessions" }));
    for (const token of await allSessionTokens(app)) sessionTokens.add(token);
    for (const path of [
      "/todos",
      "/settings/profile",
      "/settings/sessions",
      "/settings/security",
      "/settings/account",
    ]) {
      await visit(path, browser.get(path));
      await visit(path, browser.get(`${path}.data`));
    }
    await visit("/login?redirectTo", new Browser(app).get("/login?redirectTo=%2Fsettings%2Fsessions"));
    // Nor what the browser's own scripts can read from the auth API with its cookie.
    for (const path of ["/api/auth/get-session", "/api/auth/list-sessions"])
      await visit(path, browser.get(path));

    // Mail links: a reset and an email change, each opened and used.
    await visit("forgot", new Browser(app).post("/forgot-password", { email: owner.email }));
    const oldReset = await mailLink(app, owner.email, "reset-password", "/reset-password?token=");
    const newEmail = `moved-${owner.email}`;
    await visit(
      "email change",
      browser.post("/settings/email", { newEmail, currentPassword: owner.password }),
    );
    const confirm = await mailLink(app, newEmail, "email-change", "/confirm-email?token=");
    const linkTokens = [oldReset, confirm].map(
      (link) => new URL(link, app.origin).searchParams.get("token") ?? "",
    );
    for (const link of [oldReset, confirm]) {
      const visitor = new Browser(app);
      const opened = await visit(link, visitor.get(link));
      const bare = opened.headers.get("location") ?? "";
      await visit(bare, visitor.get(bare));
      await visit(bare, visitor.get(bare.replace(/$/, ".data")));
      await visit(link, new Browser(app).get(link.replace("?", ".data?")));
    }
    for (const token of await allSessionTokens(app)) sessionTokens.add(token);
    const confirmer = new Browser(app);
    await confirmer.openLink(confirm);
    await visit(confirm, confirmer.post("/confirm-email", {}));
    // The address change voided the reset link mailed to the old address: ask again at the new one.
    await visit("forgot again", new Browser(app).post("/forgot-password", { email: newEmail }));
    const reset = await mailLink(app, newEmail, "reset-password", "/reset-password?token=");
    linkTokens.push(new URL(reset, app.origin).searchParams.get("token") ?? "");
    const resetter = new Browser(app);
    await visit(reset, resetter.get(reset));
    await resetter.openLink(reset);
    await visit(
      reset,
      resetter.post("/reset-password", {
        password: "a reset pass phrase",
        confirmPassword: "a reset pass phrase",
      }),
    );
    await visit("/settings/email", browser.get("/settings/email"));

    // A program's bearer tokens, used against the JSON API, are not logged either.
    const signedIn = new Browser(app);
    expect((await signIn(signedIn, { email: newEmail, password: "a reset pass phrase" })).status).toBe(302);
    const jwt = await accessToken(signedIn);
    expect((await apiCall(app, jwt, "GET", "/api/todos")).status).toBe(200);
    expect((await apiCall(app, signedIn.sessionToken ?? "", "GET", "/api/auth/get-session")).status).toBe(
      200,
    );
    for (const token of await allSessionTokens(app)) sessionTokens.add(token);

    const logs = await logsOf(app);
    expect(logs).not.toContain(jwt);
    expect(sessionTokens.size).toBeGreaterThan(1);
    for (const token of [...sessionTokens, ...linkTokens]) {
      expect(logs).not.toContain(token);
      for (const { path, location, body } of seen) {
        expect(location, path).not.toContain(token);
        expect(body, path).not.toContain(token);
      }
    }
  });

  it("Tokens never appear in URLs (except single-use mail links), in page HTML, in route data or in logs — nor in a failed query's logged error", async () => {
    const browser = new Browser(app);
    await signUp(browser);
    const [token] = await allSessionTokens(app);
    expect(token).toBeTruthy();
    // A query that fails with a token among its values, as an unexpected database error would.
    const failure: unknown = await app.services.database.db
      .insert(session)
      .values({ id: "duplicate", token: token ?? "", userId: "nobody", expiresAt: new Date() })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(Error);
    app.services.logger.error({ err: failure }, "request failed");

    const logs = await logsOf(app);
    expect(logs).toContain('insert into \\"session\\"');
    expect(logs).toContain("redacted");
    expect(logs).not.toContain(token);
  });

  it("Tokens never appear in URLs (except single-use mail links), in page HTML, in route data or in logs — nor in a browser's answer to a password change through /api/auth/*", async () => {
    const browser = new Browser(app);
    const owner = await signUp(browser);
    const changed = await browser.postJson("/api/auth/change-password", {
      currentPassword: owner.password,
      newPassword: "a pass phrase changed by script",
    });
    expect(changed.status).toBe(200);
    const body = await changed.text();
    const tokens = await allSessionTokens(app);
    for (const token of tokens) expect(body).not.toContain(token);
    expect(JSON.parse(body)).not.toHaveProperty("token");
    // The browser's own cookie carries the new session.
    expect(await browser.isSignedIn()).toBe(true);

    // Positive control: a program (bearer) gets the token of its new session, as it needs.
    const program = new Browser(app);
    expect(
      (await signIn(program, { email: owner.email, password: "a pass phrase changed by script" })).status,
    ).toBe(302);
    const programChange = await apiCall(
      app,
      program.sessionToken ?? "",
      "POST",
      "/api/auth/change-password",
      JSON.stringify({
        currentPassword: "a pass phrase changed by script",
        newPassword: "a pass phrase changed by a program",
      }),
    );
    expect(programChange.status).toBe(200);
    expect(await programChange.json()).toMatchObject({ token: expect.any(String) });
  });
});
