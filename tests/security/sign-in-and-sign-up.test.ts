import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { account, user } from "../../db/schema";
import { STRONG_PASSWORD, uniqueEmail } from "../support/client";
import type { HttpApp } from "../support/http-app";
import {
  APP_START_TIMEOUT_MS,
  Browser,
  mailsTo,
  median,
  sessionsOf,
  signIn,
  signUp,
  startApp,
  userByEmail,
  withoutVaryingParts,
} from "./support";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";
import { SESSION_COOKIE_PATTERN } from "../../harness/cookies";

const WRONG = "not the password at all";

describe("Sign-in and sign-up (ASVS 6.3, WSTG-ATHN, WSTG-IDNT)", () => {
  let app: HttpApp;
  /** The accounts of the production database as it starts, before any test signs up. */
  let atStart: { users: unknown[]; accounts: unknown[] };

  // In production mode, as deployed: the database starts empty.
  beforeAll(async () => {
    app = await startApp({ NODE_ENV: "production" });
    const { db } = app.services.database;
    atStart = { users: await db.select().from(user), accounts: await db.select().from(account) };
  }, APP_START_TIMEOUT_MS);
  afterAll(() => app.close());

  const cookieNames = (response: Response) =>
    response.headers
      .getSetCookie()
      .map((cookie) => cookie.split("=")[0])
      .sort();

  it("A wrong password and an unknown email give the same status, page and timing — the same status and page", async () => {
    const owner = await signUp(new Browser(app));
    const nobody = uniqueEmail("nobody");
    const wrong = await signIn(new Browser(app), { email: owner.email, password: WRONG });
    const unknown = await signIn(new Browser(app), { email: nobody, password: WRONG });
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(wrong.status);
    expect(cookieNames(unknown)).toEqual(cookieNames(wrong));
    const wrongPage = await wrong.text();
    expect(wrongPage).toContain("The email address or password is not right.");
    // Each page names its address as typed, in the field and in its "Forgot password?" link.
    expect(withoutVaryingParts(await unknown.text(), nobody, encodeURIComponent(nobody))).toBe(
      withoutVaryingParts(wrongPage, owner.email, encodeURIComponent(owner.email)),
    );
  });

  it("A wrong password and an unknown email give the same status, page and timing — /api/auth/*: the same status and answer", async () => {
    const owner = await signUp(new Browser(app));
    const wrong = await new Browser(app).postJson("/api/auth/sign-in/email", {
      email: owner.email,
      password: WRONG,
    });
    const unknown = await new Browser(app).postJson("/api/auth/sign-in/email", {
      email: uniqueEmail("nobody"),
      password: WRONG,
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(wrong.status);
    expect(await unknown.text()).toBe(await wrong.text());
    expect(cookieNames(unknown)).toEqual(cookieNames(wrong));
  });

  it("A wrong password and an unknown email give the same status, page and timing — the same timing", async () => {
    const owner = await signUp(new Browser(app));
    const timings = { wrong: [] as number[], unknown: [] as number[] };
    // Interleaved, each from a browser of its own; the medians resist a stray slow request.
    for (let attempt = 0; attempt < 5; attempt++) {
      for (const kind of ["wrong", "unknown"] as const) {
        const email = kind === "wrong" ? owner.email : uniqueEmail("nobody");
        const started = performance.now();
        const answer = await signIn(new Browser(app), { email, password: `${WRONG} ${attempt}` });
        timings[kind].push(performance.now() - started);
        expect(answer.status).toBe(400);
      }
    }
    // Checking a password costs a hash (tens of milliseconds); an unknown address that skipped it
    // would answer many times faster. A generous factor keeps the test steady on a busy machine.
    const ratio = median(timings.unknown) / median(timings.wrong);
    expect(ratio, JSON.stringify(timings)).toBeGreaterThan(1 / 3);
    expect(ratio, JSON.stringify(timings)).toBeLessThan(3);
  });

  it('Sign-up never tells whether an address already has an account: the same "check your inbox" answer; the owner gets a mail instead', async () => {
    const owner = await signUp(new Browser(app), { name: "First Owner" });
    const fresh = uniqueEmail("fresh");
    const form = (email: string) => ({
      name: "Someone Else",
      email,
      password: "another pass phrase",
      confirmPassword: "another pass phrase",
    });
    const [takenBrowser, freshBrowser] = [new Browser(app), new Browser(app)];
    const taken = await takenBrowser.post("/signup", form(owner.email));
    const brandNew = await freshBrowser.post("/signup", form(fresh));
    expect(taken.status).toBe(302);
    expect(brandNew.status).toBe(taken.status);
    expect(taken.headers.get("location")).toBe("/verify-email");
    expect(brandNew.headers.get("location")).toBe(taken.headers.get("location"));
    expect(cookieNames(taken)).toEqual(cookieNames(brandNew));

    // The page each lands on says the same, but for the address typed.
    const takenPage = await takenBrowser.get("/verify-email");
    const freshPage = await freshBrowser.get("/verify-email");
    expect(takenPage.status).toBe(200);
    expect(freshPage.status).toBe(200);
    const takenHtml = await takenPage.text();
    expect(takenHtml).toContain("Check your inbox");
    expect(withoutVaryingParts(takenHtml, owner.email)).toBe(
      withoutVaryingParts(await freshPage.text(), fresh),
    );

    // The owner hears of it; nobody gets a link for the taken address; the account is untouched.
    expect(await mailsTo(app, owner.email, "signup-attempt")).toHaveLength(1);
    expect(await mailsTo(app, owner.email, "verify-email")).toHaveLength(1);
    expect(await mailsTo(app, fresh, "verify-email")).toHaveLength(1);
    expect(await mailsTo(app, fresh, "signup-attempt")).toHaveLength(0);
    const rows = await app.services.database.db.select().from(user);
    expect(rows.filter((row) => row.email === owner.email)).toHaveLength(1);
    expect((await userByEmail(app, owner.email))?.name).toBe("First Owner");
    expect(
      (await signIn(new Browser(app), { email: owner.email, password: "another pass phrase" })).status,
    ).toBe(400);
  });

  it("Sign-up never tells whether an address already has an account — through /api/auth/* either", async () => {
    const owner = await signUp(new Browser(app));
    const ownerRow = await userByEmail(app, owner.email);
    const body = { name: "Api Someone", password: "another pass phrase" };
    const taken = await new Browser(app).postJson("/api/auth/sign-up/email", { ...body, email: owner.email });
    const brandNew = await new Browser(app).postJson("/api/auth/sign-up/email", {
      ...body,
      email: uniqueEmail("api"),
    });
    expect(taken.status).toBe(200);
    expect(brandNew.status).toBe(taken.status);
    const [takenBody, freshBody] = (await Promise.all([taken.json(), brandNew.json()])) as Array<{
      token: unknown;
      user: Record<string, unknown>;
    }>;
    expect(Object.keys(takenBody ?? {}).sort()).toEqual(Object.keys(freshBody ?? {}).sort());
    expect(Object.keys(takenBody?.user ?? {}).sort()).toEqual(Object.keys(freshBody?.user ?? {}).sort());
    expect(takenBody?.token).toBeNull();
    // Nothing of the real account shows through.
    expect(takenBody?.user.id).not.toBe(ownerRow?.id);
    expect(takenBody?.user.name).toBe("Api Someone");
    expect(takenBody?.user.emailVerified).toBe(false);
    expect(await mailsTo(app, owner.email, "signup-attempt")).toHaveLength(1);
  });

  it("Email addresses are compared without regard to case; the stored form is lower-case and trimmed.", async () => {
    const lower = uniqueEmail("mixed-case");
    const typed = `  ${lower.replace("mixed-case", "MiXeD-CaSe").replace("example.com", "Example.COM")}  `;
    const owner = await signUp(new Browser(app), { email: typed });
    expect(owner.email).toBe(lower);
    const stored = await userByEmail(app, lower);
    expect(stored?.email).toBe(lower);

    // Signing in, signing up again and asking for a reset find the one account whatever the case.
    expect(
      (await signIn(new Browser(app), { email: ` ${lower.toUpperCase()} `, password: owner.password }))
        .status,
    ).toBe(302);
    const again = await new Browser(app).post("/signup", {
      name: "Twin",
      email: lower.toUpperCase(),
      password: STRONG_PASSWORD,
      confirmPassword: STRONG_PASSWORD,
    });
    expect(again.status).toBe(302);
    expect(await mailsTo(app, lower, "signup-attempt")).toHaveLength(1);
    expect((await new Browser(app).post("/forgot-password", { email: typed })).status).toBe(302);
    expect(await mailsTo(app, lower, "reset-password")).toHaveLength(1);
    const rows = await app.services.database.db.select({ email: user.email }).from(user);
    expect(rows.filter((row) => row.email.toLowerCase().trim() === lower)).toEqual([{ email: lower }]);
  });

  it("Credentials travel only in POST bodies; a GET never signs anyone in or out.", async () => {
    const browser = new Browser(app);
    const owner = await signUp(browser);
    const query = new URLSearchParams({ email: owner.email, password: owner.password }).toString();

    // The forms post their credentials.
    for (const path of ["/login", "/signup"]) {
      const html = await (await new Browser(app).get(path)).text();
      const forms = html.match(/<form\b[^>]*>/g) ?? [];
      const own = forms.filter((form) => /id="(login|signup)"/.test(form));
      expect(own, path).toHaveLength(1);
      expect(own[0], path).toMatch(/method="post"/i);
    }

    // Credentials in a URL sign no one in.
    for (const path of [`/login?${query}`, `/api/auth/sign-in/email?${query}`, `/signup?name=X&${query}`]) {
      const visitor = new Browser(app);
      const answer = await visitor.get(path);
      expect(answer.headers.getSetCookie().join(), path).not.toContain(SESSION_COOKIE);
      expect(visitor.sessionToken, path).toBeNull();
      expect(await visitor.isSignedIn(), path).toBe(false);
    }

    // Nor does a GET sign anyone out, on the pages or the API.
    const before = await sessionsOf(app, owner.email);
    for (const path of [
      "/logout",
      "/api/auth/sign-out",
      "/api/auth/revoke-sessions",
      "/api/auth/revoke-other-sessions",
    ]) {
      const answer = await browser.get(path);
      expect(answer.headers.getSetCookie().join(), path).not.toMatch(
        new RegExp(`${SESSION_COOKIE_PATTERN}=;|${SESSION_COOKIE_PATTERN}=[^;]*;\\s*Max-Age=0`, "i"),
      );
      expect(await browser.isSignedIn(), path).toBe(true);
    }
    expect((await browser.request("/logout", { method: "HEAD" })).status).toBeLessThan(500);
    expect(await browser.isSignedIn()).toBe(true);
    expect((await sessionsOf(app, owner.email)).map((row) => row.token)).toEqual(
      before.map((row) => row.token),
    );
  });

  it("An address carried in ?email= between sign-in and forgot-password is written back only when it is one", async () => {
    const browser = new Browser(app);
    const address = uniqueEmail("carried");
    for (const path of ["/login", "/forgot-password"]) {
      const carried = await (await browser.get(`${path}?email=${encodeURIComponent(address)}`)).text();
      expect(carried, path).toContain(`value="${address}"`);
      for (const garbage of [
        '"><script>alert(1)</script>',
        "x@y",
        "javascript:alert(1)//@example.com",
        "a".repeat(300),
      ]) {
        const page = await browser.get(`${path}?email=${encodeURIComponent(garbage)}`);
        expect(page.status, `${path} ${garbage}`).toBe(200);
        const html = await page.text();
        expect(html, `${path} ${garbage}`).not.toContain("<script>alert(1)");
        // Neither the field nor a link to the other page carries it (the form's own action is the URL, encoded).
        const field = /<input[^>]*name="email"[^>]*>/.exec(html)?.[0] ?? "";
        expect(field, `${path} ${garbage}`).toMatch(/name="email"/);
        expect(field, `${path} ${garbage}`).not.toMatch(/value="[^"]/);
        expect(html, `${path} ${garbage}`).not.toMatch(/href="[^"]*\?email=/);
      }
    }
    // After sending, the "sent" page names only a well-formed address.
    const sent = await (
      await browser.get(`/forgot-password?sent=&email=${encodeURIComponent("<b>x</b>")}`)
    ).text();
    expect(sent).not.toContain("<b>x</b>");
    expect(sent).not.toContain("&lt;b&gt;x&lt;/b&gt;");
  });

  it("No default or demo accounts in production.", async () => {
    expect(app.services.config.isProduction).toBe(true);
    expect(atStart).toEqual({ users: [], accounts: [] });
    const guesses = [
      ["admin@example.com", "admin"],
      ["admin@localhost", "password"],
      ["demo@example.com", "demo"],
      ["test@example.com", "test"],
      ["user@example.com", STRONG_PASSWORD],
    ];
    for (const [email = "", password = ""] of guesses) {
      const answer = await signIn(new Browser(app), { email, password });
      expect(answer.status, email).toBe(400);
    }
  });
});
