import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvent, recoveryCode, signInChallenge, twoFactor } from "../../db/schema";
import { currentTotp } from "../../app/two-factor/totp.server";
import { uniqueEmail } from "../support/client";
import { withProvider } from "./provider";
import {
  ageSession,
  Browser,
  mailLink,
  mailsTo,
  sessionsOf,
  signIn,
  signUp,
  userByEmail,
  type Account,
} from "./support";

/**
 * Two-step sign-in, driven as a browser without JavaScript and a program drive it, codes made as
 * an authenticator app makes them from the secret the page shows (docs/security.md, "Second factor").
 */
const RECOVERY_CODE = /^[2-9a-z]{4}-[2-9a-z]{4}-[2-9a-z]{4}-[2-9a-z]{4}$/;
const STEP_MS = 30_000;
/** Longer ago than the default re-authentication window (REAUTH_MAX_AGE, 600 s). */
const OUTSIDE_WINDOW_SECONDS = 700;

describe("Second factor (ASVS 6.3.3, 6.4.3, 6.5, 6.6)", () => {
  const provider = withProvider();
  const app = provider.app;
  const db = () => app().services.database.db;

  /** The text of every element of `tag` with `className` in a page. */
  const textsOf = (html: string, pattern: RegExp) =>
    [...html.matchAll(pattern)].map((match) => match[1] ?? "");

  /** Turns two-step sign-in on through the settings page; answers the secret and the recovery codes. */
  async function enrol(browser: Browser) {
    const page = await browser.get("/settings/two-factor");
    expect(page.status).toBe(200);
    const html = await page.text();
    const [grouped = ""] = textsOf(html, /<code class="secret">([^<]+)<\/code>/g);
    const secret = grouped.replace(/\s/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const enabled = await browser.post("/settings/two-factor", {
      intent: "enable",
      code: currentTotp(secret),
    });
    expect(enabled.status).toBe(200);
    const codes = textsOf(await enabled.text(), /<li><code>([^<]+)<\/code><\/li>/g);
    expect(codes).toHaveLength(10);
    return { secret, codes };
  }

  /** An account that signed up, confirmed, and turned two-step sign-in on. */
  async function enrolledAccount() {
    const browser = new Browser(app());
    const account = await signUp(browser);
    return { browser, account, ...(await enrol(browser)) };
  }

  /** As if the app's last accepted code were from long ago: the next code of any near step passes. */
  const forgetAcceptedSteps = async (email: string) => {
    const owner = await userByEmail(app(), email);
    await db()
      .update(twoFactor)
      .set({ lastStep: 0 })
      .where(eq(twoFactor.userId, owner?.id ?? "none"));
  };

  /** The first step in a new browser: answers the browser and the answer. */
  async function firstStep(account: Account, fields: Record<string, string> = {}) {
    const browser = new Browser(app());
    const answer = await signIn(browser, account, fields);
    return { browser, answer };
  }

  /** The two-step rows of an account, read fresh at each call. */
  async function rowsOf(email: string) {
    const id = (await userByEmail(app(), email))?.id ?? "";
    return {
      twoFactor: () => db().select().from(twoFactor).where(eq(twoFactor.userId, id)),
      recoveryCodes: () => db().select().from(recoveryCode).where(eq(recoveryCode.userId, id)),
      pendingSignIns: () => db().select().from(signInChallenge).where(eq(signInChallenge.userId, id)),
    };
  }

  const cookieNames = (response: Response) =>
    response.headers.getSetCookie().map((cookie) => cookie.slice(0, cookie.indexOf("=")));

  it("is turned on with a QR code drawn on the server, the secret as text and an otpauth link, and only after a right code", async () => {
    const browser = new Browser(app());
    const account = await signUp(browser);
    const page = await (await browser.get("/settings/two-factor")).text();
    expect(page).toMatch(
      /<div class="qr-code" role="img" aria-label="[^"]+"><svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    expect(page).not.toMatch(/<img|<script[^>]*src=/);
    const [grouped = ""] = textsOf(page, /<code class="secret">([^<]+)<\/code>/g);
    expect(grouped).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    const secret = grouped.replace(/ /g, "");
    const [uri = ""] = textsOf(page, /<a href="(otpauth:\/\/[^"]+)"/g);
    const parsed = new URL(uri.replace(/&amp;/g, "&"));
    expect(parsed.searchParams.get("secret")).toBe(secret);
    expect(parsed.searchParams.get("algorithm")).toBe("SHA1");
    expect(parsed.searchParams.get("digits")).toBe("6");
    expect(parsed.searchParams.get("period")).toBe("30");
    // A reload shows the same secret (a code already scanned keeps working).
    expect(await (await browser.get("/settings/two-factor")).text()).toContain(grouped);
    // Stored encrypted: the database does not hold the secret.
    const rows = await rowsOf(account.email);
    const [stored] = await rows.twoFactor();
    expect(stored?.secret).toBeTruthy();
    expect(stored?.secret).not.toContain(secret);
    expect(stored?.enabledAt).toBeNull();

    // A wrong code leaves it off; the right one turns it on.
    const wrong = await browser.post("/settings/two-factor", { intent: "enable", code: "000000" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That code is not right");
    const right = await browser.post("/settings/two-factor", { intent: "enable", code: currentTotp(secret) });
    expect(right.status).toBe(200);
    const shown = await right.text();
    const codes = textsOf(shown, /<li><code>([^<]+)<\/code><\/li>/g);
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
    expect(new Set(codes).size).toBe(10);
    expect(shown).toContain('download="todo-recovery-codes.txt"');
    // Only their hashes are kept, and the page never shows them again.
    const hashes = await rows.recoveryCodes();
    expect(hashes.map((row) => row.codeHash).sort()).toEqual(
      codes.map((code) => createHash("sha256").update(code.replace(/-/g, "")).digest("hex")).sort(),
    );
    const later = await (await browser.get("/settings/two-factor")).text();
    expect(later).toContain("10 recovery codes are left");
    for (const code of codes) expect(later).not.toContain(code);
    // Announced by mail and in the security activity.
    expect(await mailsTo(app(), account.email, "two-factor-notice")).toHaveLength(1);
    expect(await (await browser.get("/settings/security")).text()).toContain("Two-step sign-in turned on");
  });

  it("after a right password there is no session and no session cookie until a right code, and redirectTo survives", async () => {
    const { account, secret } = await enrolledAccount();
    const before = (await sessionsOf(app(), account.email)).length;
    const { browser, answer } = await firstStep(account, { redirectTo: "/settings/sessions" });
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toBe("/login/two-factor");
    expect(cookieNames(answer).some((name) => name.endsWith("session_token"))).toBe(false);
    const pending = answer.headers.getSetCookie().find((cookie) => cookie.includes("todo.two_factor="));
    expect(pending).toMatch(/HttpOnly/i);
    expect(pending).toMatch(/Max-Age=300/i);
    expect((await sessionsOf(app(), account.email)).length).toBe(before);
    expect(await browser.isSignedIn()).toBe(false);
    // The page is a plain form with one field.
    const page = await (await browser.get("/login/two-factor")).text();
    expect(page).toMatch(/<input[^>]*name="code"[^>]*autocomplete="one-time-code"/i);

    // The next step's code (the one the app shows in a moment also passes: one step of skew).
    const done = await browser.post("/login/two-factor", { code: currentTotp(secret, Date.now() + STEP_MS) });
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toBe("/settings/sessions");
    expect(await browser.isSignedIn()).toBe(true);
    const rows = await sessionsOf(app(), account.email);
    const made = rows.find((row) => row.token === browser.sessionToken);
    expect(made?.signInMethod).toBe("password");
    expect(made?.secondFactor).toBe("authenticator");
    // The sessions page says how each was signed in.
    expect(await (await browser.get("/settings/sessions")).text()).toContain(
      "Password and authenticator app",
    );
    // The pending sign-in is gone.
    expect(await (await rowsOf(account.email)).pendingSignIns()).toEqual([]);
  });

  it("a code is accepted once: the same code again, or an older step's, is refused", async () => {
    const { account, secret } = await enrolledAccount();
    const code = currentTotp(secret, Date.now() + STEP_MS);
    const first = await firstStep(account);
    expect((await first.browser.post("/login/two-factor", { code })).headers.get("location")).toBe("/todos");
    const second = await firstStep(account);
    const replayed = await second.browser.post("/login/two-factor", { code });
    expect(replayed.status).toBe(400);
    expect(await replayed.text()).toContain("That code is not right, or was already used");
    expect(await second.browser.isSignedIn()).toBe(false);
    // An older step's code, though within the skew, is older than the one accepted.
    const older = await second.browser.post("/login/two-factor", { code: currentTotp(secret) });
    expect(older.status).toBe(400);
    expect(await second.browser.isSignedIn()).toBe(false);
  });

  it("five wrong codes end the pending sign-in, and wrong codes count with wrong passwords", async () => {
    const { account, secret } = await enrolledAccount();
    await forgetAcceptedSteps(account.email);
    const { browser } = await firstStep(account);
    for (let tries = 4; tries >= 1; tries -= 1) {
      const wrong = await browser.post("/login/two-factor", { code: "123456" });
      expect(wrong.status).toBe(400);
      expect(await wrong.text()).toContain(`${tries} ${tries === 1 ? "try" : "tries"} left`);
    }
    const fifth = await browser.post("/login/two-factor", { code: "123456" });
    expect(fifth.status).toBe(302);
    expect(fifth.headers.get("location")).toBe("/login");
    expect(await (await browser.get("/login")).text()).toContain("Too many wrong codes");
    // Even the right code no longer finishes it.
    const late = await browser.post("/login/two-factor", { code: currentTotp(secret) });
    expect(late.headers.get("location")).toBe("/login");
    expect(await browser.isSignedIn()).toBe(false);
    // Five more from the same address make ten failures: the password form is held too.
    const again = await signIn(browser, account);
    expect(again.headers.get("location")).toBe("/login/two-factor");
    for (let tries = 0; tries < 5; tries += 1) await browser.post("/login/two-factor", { code: "654321" });
    const held = await signIn(browser, account);
    expect(held.status).toBe(429);
    expect(held.headers.get("retry-after")).toBeTruthy();
    const owner = await userByEmail(app(), account.email);
    const failures = await db()
      .select()
      .from(auditEvent)
      .where(and(eq(auditEvent.userId, owner?.id ?? ""), eq(auditEvent.type, "sign-in-second-step-failed")));
    expect(failures).toHaveLength(10);
  });

  it("a pending sign-in lasts five minutes and belongs to its own browser", async () => {
    const { account, secret } = await enrolledAccount();
    await forgetAcceptedSteps(account.email);
    const { browser } = await firstStep(account);
    // Another browser, with no pending sign-in of its own, cannot finish it.
    const stranger = new Browser(app());
    const elsewhere = await stranger.post("/login/two-factor", { code: currentTotp(secret) });
    expect(elsewhere.headers.get("location")).toBe("/login");
    expect(await stranger.isSignedIn()).toBe(false);
    // Five minutes later it is over.
    const owner = await userByEmail(app(), account.email);
    await db()
      .update(signInChallenge)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(signInChallenge.userId, owner?.id ?? ""));
    const expired = await browser.post("/login/two-factor", { code: currentTotp(secret) });
    expect(expired.headers.get("location")).toBe("/login");
    expect(await (await browser.get("/login")).text()).toContain("This sign-in has expired");
    expect(await browser.isSignedIn()).toBe(false);
  });

  it("a recovery code works once, is announced with how many are left, and new codes void the old", async () => {
    const { browser: settings, account, codes } = await enrolledAccount();
    const [first = "", second = ""] = codes;
    const { browser } = await firstStep(account);
    // Typed as people type them: upper case, spaces instead of dashes.
    const used = await browser.post("/login/two-factor", { code: first.toUpperCase().replace(/-/g, " ") });
    expect(used.headers.get("location")).toBe("/todos");
    const rows = await sessionsOf(app(), account.email);
    expect(rows.find((row) => row.token === browser.sessionToken)?.secondFactor).toBe("recovery-code");
    const [notice] = await mailsTo(app(), account.email, "two-factor-notice").then((mails) =>
      mails.filter((mail) => mail.subject.includes("recovery code")),
    );
    expect(notice?.text).toContain("9 recovery codes are left");
    expect(await (await browser.get("/settings/security")).text()).toContain("Recovery code used");

    const again = await firstStep(account);
    const reused = await again.browser.post("/login/two-factor", { code: first });
    expect(reused.status).toBe(400);
    expect(await again.browser.isSignedIn()).toBe(false);

    // New codes: the old unused one stops working, a new one works.
    const made = await settings.post("/settings/two-factor", { intent: "regenerate-codes" });
    expect(made.status).toBe(200);
    const fresh = textsOf(await made.text(), /<li><code>([^<]+)<\/code><\/li>/g);
    expect(fresh).toHaveLength(10);
    const old = await again.browser.post("/login/two-factor", { code: second });
    expect(old.status).toBe(400);
    const ok = await again.browser.post("/login/two-factor", { code: fresh[0] ?? "" });
    expect(ok.headers.get("location")).toBe("/todos");
  });

  it("programs sign in in two steps through /api/auth: 403 with no session or token, then the code", async () => {
    const { account, secret } = await enrolledAccount();
    const program = new Browser(app());
    const first = await program.postJson("/api/auth/sign-in/email", {
      email: account.email,
      password: account.password,
    });
    expect(first.status).toBe(403);
    const body = (await first.json()) as Record<string, unknown>;
    expect(body.code).toBe("TWO_FACTOR_REQUIRED");
    expect(body).not.toHaveProperty("token");
    expect(cookieNames(first).some((name) => name.endsWith("session_token"))).toBe(false);
    expect(first.headers.get("set-auth-token")).toBeNull();
    const wrong = await program.postJson("/api/auth/two-factor/verify", { code: "111111" });
    expect(wrong.status).toBe(401);
    const second = await program.postJson("/api/auth/two-factor/verify", {
      code: currentTotp(secret, Date.now() + STEP_MS),
    });
    expect(second.status).toBe(200);
    const signedIn = (await second.json()) as { token?: unknown };
    expect(typeof signedIn.token).toBe("string");
    expect(await program.isSignedIn()).toBe(true);
  });

  it("a provider sign-in asks for the code too, and lands where it was going", async () => {
    const { sub } = provider.identity(true);
    const browser = new Browser(app());
    const made = await provider.signInThroughProvider(browser, sub);
    expect(made.status).toBe(302);
    const { secret } = await enrol(browser);
    const next = new Browser(app());
    const back = await provider.followCallback(
      next,
      await provider.atProvider(await provider.pressProviderButton(next, "/settings/profile"), sub),
    );
    expect(back.headers.get("location")).toBe("/login/two-factor");
    expect(cookieNames(back).some((name) => name.endsWith("session_token"))).toBe(false);
    expect(await next.isSignedIn()).toBe(false);
    const done = await next.post("/login/two-factor", { code: currentTotp(secret, Date.now() + STEP_MS) });
    expect(done.headers.get("location")).toBe("/settings/profile");
    expect(await next.isSignedIn()).toBe(true);
  });

  it("a password reset does not turn it off: the next sign-in still asks for a code", async () => {
    const { account } = await enrolledAccount();
    expect((await new Browser(app()).post("/forgot-password", { email: account.email })).status).toBe(302);
    const link = await mailLink(app(), account.email, "reset-password", "/reset-password?token=");
    const newPassword = "a brand new pass phrase";
    const reset = await new Browser(app()).pressOnLinkPage(link, {
      password: newPassword,
      confirmPassword: newPassword,
    });
    expect(reset.status).toBe(302);
    const { answer, browser } = await firstStep({ ...account, password: newPassword });
    expect(answer.headers.get("location")).toBe("/login/two-factor");
    expect(await browser.isSignedIn()).toBe(false);
  });

  it("an address change's link, opened by a mail scanner and then pressed elsewhere, signs nobody in; the new address still asks for a code", async () => {
    const { browser, account, secret } = await enrolledAccount();
    const newEmail = uniqueEmail("moved");
    const asked = await browser.post("/settings/email", {
      intent: "change-email",
      newEmail,
      currentPassword: account.password,
    });
    expect(asked.status).toBe(302);
    const link = await mailLink(app(), newEmail, "email-change", "/confirm-email?token=");

    // A scanner follows the link: it gets a page, no session and no change.
    const scanner = new Browser(app());
    const scanned = await scanner.get(link);
    expect(scanned.status).toBeLessThan(400);
    expect(cookieNames(scanned).some((name) => name.endsWith("session_token"))).toBe(false);
    expect((await userByEmail(app(), account.email))?.email).toBe(account.email);

    // The owner presses the page's button on another device: the address changes, nobody is signed in there.
    const phone = new Browser(app());
    const confirmed = await phone.pressOnLinkPage(link, {});
    expect(confirmed.status).toBe(302);
    expect(confirmed.headers.get("location")).toBe("/login");
    expect(cookieNames(confirmed).some((name) => name.endsWith("session_token"))).toBe(false);
    expect(await phone.isSignedIn()).toBe(false);
    expect(await scanner.isSignedIn()).toBe(false);

    // Positive control: the new address with the password is the first step only.
    const { answer, browser: next } = await firstStep({ ...account, email: newEmail });
    expect(answer.headers.get("location")).toBe("/login/two-factor");
    expect(await next.isSignedIn()).toBe(false);
    const done = await next.post("/login/two-factor", { code: currentTotp(secret, Date.now() + STEP_MS) });
    expect(done.headers.get("location")).toBe("/todos");
    expect(await next.isSignedIn()).toBe(true);
  });

  it("re-authentication asks for the password and a code", async () => {
    const { browser, account, secret } = await enrolledAccount();
    await forgetAcceptedSteps(account.email);
    const page = await (await browser.get("/reauthenticate")).text();
    expect(page).toMatch(/<input[^>]*name="code"[^>]*autocomplete="one-time-code"/i);
    const passwordOnly = await browser.post("/reauthenticate", { password: account.password });
    expect(passwordOnly.status).toBe(400);
    const wrongCode = await browser.post("/reauthenticate", { password: account.password, code: "000000" });
    expect(wrongCode.status).toBe(400);
    const both = await browser.post("/reauthenticate", {
      password: account.password,
      code: currentTotp(secret),
    });
    expect(both.status).toBe(302);
  });

  it("turning it off needs a code, and is announced", async () => {
    const { browser, account, codes } = await enrolledAccount();
    const wrong = await browser.post("/settings/two-factor", { intent: "disable", code: "000000" });
    expect(wrong.status).toBe(400);
    const off = await browser.post("/settings/two-factor", { intent: "disable", code: codes[3] ?? "" });
    expect(off.status).toBe(302);
    const rows = await rowsOf(account.email);
    expect(await rows.twoFactor()).toEqual([]);
    expect(await rows.recoveryCodes()).toEqual([]);
    expect((await mailsTo(app(), account.email, "two-factor-notice")).map((mail) => mail.subject)).toContain(
      "Two-step sign-in was turned off",
    );
    const { answer } = await firstStep(account);
    expect(answer.headers.get("location")).toBe("/todos");
  });

  it("a password change, which makes the caller a new session, keeps them signed in without a code", async () => {
    const { browser, account } = await enrolledAccount();
    const newPassword = "another new pass phrase";
    const changed = await browser.post("/settings/password", {
      currentPassword: account.password,
      newPassword,
      confirmPassword: newPassword,
    });
    expect(changed.status).toBe(302);
    expect(changed.headers.get("location")).toBe("/settings/password");
    expect(await browser.isSignedIn()).toBe(true);
    // Signing in anew with it still asks for the code.
    const { answer } = await firstStep({ ...account, password: newPassword });
    expect(answer.headers.get("location")).toBe("/login/two-factor");
  });

  it("a stolen session cookie outside the re-authentication window can neither see the secret nor turn it off", async () => {
    const { browser, account, codes } = await enrolledAccount();
    await ageSession(app(), browser, OUTSIDE_WINDOW_SECONDS);
    const page = await browser.get("/settings/two-factor");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toMatch(/^\/reauthenticate\?/);
    const off = await browser.post("/settings/two-factor", { intent: "disable", code: codes[0] ?? "" });
    expect(off.headers.get("location")).toMatch(/^\/reauthenticate\?/);
    const regenerated = await browser.post("/settings/two-factor", { intent: "regenerate-codes" });
    expect(regenerated.headers.get("location")).toMatch(/^\/reauthenticate\?/);
    // Still on, with every code unused: nothing changed.
    expect(await (await rowsOf(account.email)).recoveryCodes()).toHaveLength(10);
  });

  it("an account without it signs in as before", async () => {
    const account = await signUp(new Browser(app()), { email: uniqueEmail("single") });
    const { answer } = await firstStep(account);
    expect(answer.headers.get("location")).toBe("/todos");
  });
});
