import { eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { account, mailOutbox, verification } from "../../db/schema";
import { ENUMERATION_FLOOR_MS } from "../../app/security/response-floor.server";
import { uniqueEmail } from "../support/client";
import type { HttpApp } from "../support/http-app";
import {
  APP_START_TIMEOUT_MS,
  appOrigin,
  Browser,
  mailLink,
  mailsTo,
  sessionsOf,
  signIn,
  signUp,
  startApp,
  userByEmail,
  withoutVaryingParts,
  type Account,
} from "./support";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";

const NEW_PASSWORD = "a fresh pass phrase";
const FORGED_HOST = {
  host: "evil.example",
  "x-forwarded-host": "evil.example",
  "x-forwarded-proto": "https",
};

/** How many bits a token of this length carries at least, counting only the kinds of character it uses. */
function bitsOf(token: string): number {
  const alphabet =
    (/[a-z]/.test(token) ? 26 : 0) +
    (/[A-Z]/.test(token) ? 26 : 0) +
    (/[0-9]/.test(token) ? 10 : 0) +
    (/[-_]/.test(token) ? 2 : 0);
  return token.length * Math.log2(alphabet);
}

const cookieNames = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((cookie) => cookie.split("=")[0])
    .sort();

const tokenOf = (link: string) => new URL(link, "http://placeholder.invalid").searchParams.get("token") ?? "";

describe("Mail links (Forgot Password cheat sheet, ASVS 6.4)", () => {
  let app: HttpApp;

  beforeAll(async () => {
    app = await startApp();
  }, APP_START_TIMEOUT_MS);
  afterAll(() => app.close());

  /** Asks for a reset from a browser of its own; answers the link's path. */
  async function resetLink(email: string) {
    expect((await new Browser(app).post("/forgot-password", { email })).status).toBe(302);
    return mailLink(app, email, "reset-password", "/reset-password?token=");
  }

  const resetForm = (password = NEW_PASSWORD) => ({ password, confirmPassword: password });

  it("Reset links are single-use, random (at least 128 bits), and expire within an hour", async () => {
    const owner = await signUp(new Browser(app));
    const first = await resetLink(owner.email);
    const second = await resetLink(owner.email);
    for (const token of [tokenOf(first), tokenOf(second)]) {
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(bitsOf(token)).toBeGreaterThanOrEqual(128);
    }
    expect(tokenOf(first)).not.toBe(tokenOf(second));

    // Within an hour: the server keeps each link for at most that long.
    const rows = await app.services.database.db
      .select()
      .from(verification)
      .where(like(verification.identifier, "reset-password:%"));
    const mine = rows.filter((row) => [first, second].some((link) => row.identifier.endsWith(tokenOf(link))));
    expect(mine).toHaveLength(2);
    for (const row of mine) {
      expect(row.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(60 * 60 * 1000);
      expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now());
    }

    // Single use: it works once, then never again.
    const resetter = new Browser(app);
    expect((await resetter.pressOnLinkPage(second, resetForm())).status).toBe(302);
    const again = await new Browser(app).pressOnLinkPage(second, resetForm("the attacker's pass phrase"));
    expect(again.status).toBe(400);
    expect((await new Browser(app).openLink(second)).page.status).toBe(400);
    expect(
      (await signIn(new Browser(app), { email: owner.email, password: "the attacker's pass phrase" })).status,
    ).toBe(400);
    expect((await signIn(new Browser(app), { email: owner.email, password: NEW_PASSWORD })).status).toBe(302);

    // Expired (its hour moved into the past): refused.
    const third = await resetLink(owner.email);
    await app.services.database.db
      .update(verification)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(verification.identifier, `reset-password:${tokenOf(third)}`));
    expect((await new Browser(app).openLink(third)).page.status).toBe(400);
    expect((await new Browser(app).pressOnLinkPage(third, resetForm("too late pass phrase"))).status).toBe(
      400,
    );
  });

  it("Reset links are single-use, random (at least 128 bits), and expire within an hour; verification links within a day — verification links", async () => {
    const email = uniqueEmail("verify");
    const answer = await new Browser(app).post("/signup", {
      name: "Verifier",
      email,
      password: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(answer.status).toBe(302);
    const token = tokenOf(await mailLink(app, email, "verify-email", "/verify-email?token="));
    // A signed token (JWT) that carries its own expiry.
    const [, payload = ""] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
      iat?: number;
      exp?: number;
    };
    expect(typeof claims.exp).toBe("number");
    expect(typeof claims.iat).toBe("number");
    expect((claims.exp ?? Infinity) - (claims.iat ?? 0)).toBeLessThanOrEqual(24 * 60 * 60);
    expect((claims.exp ?? 0) * 1000).toBeGreaterThan(Date.now());
    // Tampered with, it does nothing.
    const tampered = new Browser(app);
    const pressed = await tampered.pressOnLinkPage(`/verify-email?token=${token.slice(0, -2)}xx`, {
      intent: "confirm",
    });
    expect(pressed.status).toBe(400);
    expect(tampered.sessionToken).toBeNull();
  });

  it("Every link is built from `APP_URL`; a forged `Host` or `X-Forwarded-Host` cannot change it", async () => {
    const origin = appOrigin(app);
    const owner = await signUp(new Browser(app));
    const api = (path: string, body: unknown, as = new Browser(app)) => as.postJson(path, body, FORGED_HOST);
    const fresh = uniqueEmail("forged");
    // Every mail the JSON API causes, each asked for with a forged host.
    expect(
      (await api("/api/auth/sign-up/email", { name: "F", email: fresh, password: NEW_PASSWORD })).status,
    ).toBe(200);
    expect((await api("/api/auth/send-verification-email", { email: fresh })).status).toBe(200);
    expect(
      (await api("/api/auth/sign-up/email", { name: "F", email: owner.email, password: NEW_PASSWORD }))
        .status,
    ).toBe(200);
    expect((await api("/api/auth/request-password-reset", { email: owner.email })).status).toBe(200);
    const token = tokenOf(await mailLink(app, owner.email, "reset-password", "/reset-password?token="));
    expect((await api("/api/auth/reset-password", { token, newPassword: NEW_PASSWORD })).status).toBe(200);
    const browser = new Browser(app);
    expect((await signIn(browser, { email: owner.email, password: NEW_PASSWORD })).status).toBe(302);
    expect(
      (
        await api(
          "/api/auth/change-password",
          { currentPassword: NEW_PASSWORD, newPassword: "changed again phrase" },
          browser,
        )
      ).status,
    ).toBe(200);

    const mails = [
      ...(await app.services.database.db.select().from(mailOutbox).where(eq(mailOutbox.to, owner.email))),
      ...(await app.services.database.db.select().from(mailOutbox).where(eq(mailOutbox.to, fresh))),
    ];
    expect(new Set(mails.map((mail) => mail.kind))).toEqual(
      new Set(["verify-email", "signup-attempt", "reset-password", "password-changed"]),
    );
    for (const mail of mails) {
      const links = [...`${mail.text}\n${mail.html}`.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map(
        ([link]) => link,
      );
      expect(links.length, mail.kind).toBeGreaterThan(0);
      for (const link of links)
        expect(`${link}/`, mail.kind).toMatch(new RegExp(`^${origin.replace(/\./g, "\\.")}/`));
      expect(`${mail.text}${mail.html}`, mail.kind).not.toContain("evil.example");
    }
  });

  it("Every link is built from `APP_URL`; a forged `Host` or `X-Forwarded-Host` cannot change it — on the forms, never a 500", async () => {
    const origin = appOrigin(app);
    const owner = await signUp(new Browser(app));
    const forgeries = [{ host: "evil.example" }, { "x-forwarded-host": "evil.example" }, FORGED_HOST];
    for (const forged of forgeries) {
      const why = JSON.stringify(forged);
      const fresh = uniqueEmail("forged-form");
      const answers = [
        await new Browser(app).post(
          "/signup",
          { name: "F", email: fresh, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD },
          forged,
        ),
        await new Browser(app).post("/forgot-password", { email: owner.email }, forged),
      ];
      for (const answer of answers) {
        // Refused, or done as usual; never a server error.
        expect(answer.status, why).toBeLessThan(500);
      }
      for (const mail of [
        ...(await mailsTo(app, fresh, "verify-email")),
        ...(await mailsTo(app, owner.email, "reset-password")),
      ]) {
        expect(mail.text, why).toContain(`${origin}/`);
        expect(`${mail.text}${mail.html}`, why).not.toContain("evil.example");
      }
    }
  });

  it("A request for a reset changes nothing until the link is used; using it signs no one in by itself and sends a notice mail.", async () => {
    const browser = new Browser(app);
    const owner = await signUp(browser);
    const snapshot = async () => {
      const found = await userByEmail(app, owner.email);
      const credentials = await app.services.database.db
        .select()
        .from(account)
        .where(eq(account.userId, found?.id ?? "none"));
      return { user: found, credentials, sessions: await sessionsOf(app, owner.email) };
    };
    const before = await snapshot();
    const link = await resetLink(owner.email);
    // Opening the link only shows the form.
    expect((await new Browser(app).openLink(link)).page.status).toBe(200);
    expect(await snapshot()).toEqual(before);
    expect(await browser.isSignedIn()).toBe(true);
    expect(await mailsTo(app, owner.email, "password-changed")).toEqual([]);

    const resetter = new Browser(app);
    const used = await resetter.pressOnLinkPage(link, resetForm());
    expect(used.status).toBe(302);
    expect(used.headers.get("location")).toBe("/login");
    expect(used.headers.getSetCookie().join()).not.toContain(SESSION_COOKIE);
    expect(resetter.sessionToken).toBeNull();
    expect(await resetter.isSignedIn()).toBe(false);
    expect(await sessionsOf(app, owner.email)).toEqual([]);
    const [notice] = await mailsTo(app, owner.email, "password-changed");
    expect(notice?.subject).toBe("Your password was changed");
    expect((await signIn(new Browser(app), owner)).status).toBe(400);
  });

  it("A request for a reset gives a known and an unknown address the same answer, in no less time than the floor", async () => {
    const owner = await signUp(new Browser(app));
    const nobody = uniqueEmail("nobody");
    const ask = async (email: string) => {
      const browser = new Browser(app);
      const started = performance.now();
      const answer = await browser.post("/forgot-password", { email });
      const elapsed = performance.now() - started;
      const location = answer.headers.get("location") ?? "/missing";
      const page = await browser.get(location);
      // The page after it names the address as typed, in its text and its links.
      const typed = [email, encodeURIComponent(email)];
      return {
        status: answer.status,
        location: withoutVaryingParts(location, ...typed),
        cookies: cookieNames(answer),
        body: withoutVaryingParts(await answer.text(), ...typed),
        page: withoutVaryingParts(await page.text(), ...typed),
        elapsed,
      };
    };
    const known = await ask(owner.email);
    const unknown = await ask(nobody);
    expect(known.status).toBe(302);
    expect(known.page).toContain("If an account uses <typed>, we sent it a link");
    expect({ ...unknown, elapsed: 0 }).toEqual({ ...known, elapsed: 0 });
    // Not faster than the floor, whichever address; that the floor exceeds the work is ENUMERATION_FLOOR_MS's reasoning.
    expect(unknown.elapsed).toBeGreaterThanOrEqual(ENUMERATION_FLOOR_MS);
    expect(known.elapsed).toBeGreaterThanOrEqual(ENUMERATION_FLOOR_MS);
    // Positive control beside the sameness: only the account got a mail.
    expect(await mailsTo(app, owner.email, "reset-password")).toHaveLength(1);
    expect(await mailsTo(app, nobody, "reset-password")).toEqual([]);
  });

  it("The JSON API's reset request and every resend of a confirmation link answer no sooner than the floor either", async () => {
    const owner = await signUp(new Browser(app));
    const waiting = uniqueEmail("waiting");
    expect(
      (
        await new Browser(app).postJson("/api/auth/sign-up/email", {
          name: "Waiting",
          email: waiting,
          password: "a waiting pass phrase",
        })
      ).status,
    ).toBe(200);
    const timed = async (call: (browser: Browser) => Promise<Response>) => {
      const started = performance.now();
      const answer = await call(new Browser(app));
      return { status: answer.status, elapsed: performance.now() - started };
    };
    for (const email of [owner.email, waiting, uniqueEmail("nobody")]) {
      const reset = await timed((browser) => browser.postJson("/api/auth/request-password-reset", { email }));
      const resendApi = await timed((browser) =>
        browser.postJson("/api/auth/send-verification-email", { email }),
      );
      const resendForm = await timed((browser) => browser.post("/verify-email", { email }));
      expect([reset.status, resendApi.status, resendForm.status], email).toEqual([200, 200, 302]);
      for (const { elapsed } of [reset, resendApi, resendForm]) {
        expect(elapsed, email).toBeGreaterThanOrEqual(ENUMERATION_FLOOR_MS);
      }
    }
    // Positive control: the work was done where there was some to do.
    expect(await mailsTo(app, owner.email, "reset-password")).toHaveLength(1);
    expect(await mailsTo(app, waiting, "verify-email")).toHaveLength(3);
  });

  it("The reset page loads nothing from elsewhere and sends `Referrer-Policy: same-origin`, so its token never leaves the site.", async () => {
    const owner = await signUp(new Browser(app));
    const link = await resetLink(owner.email);
    const visitor = new Browser(app);
    const { page } = await visitor.openLink(link);
    expect(page.status).toBe(200);
    expect(page.headers.get("referrer-policy")).toBe("same-origin");
    const html = await page.text();
    expect(html).toContain("Choose a new password");

    // The policy allows nothing but this site (and inline data for images).
    const csp = page.headers.get("content-security-policy") ?? "";
    const directives = csp.split(";").map((directive) => directive.trim().split(/\s+/));
    expect(directives.find(([name]) => name === "default-src")).toEqual(["default-src", "'self'"]);
    for (const [name = "", ...sources] of directives) {
      for (const source of sources) {
        expect(source, `${name} ${source}`).toMatch(/^('self'|'none'|'nonce-[^']+'|data:)$/);
      }
    }
    // Every address in the page is on this site; no <base>, no refresh, no referrer meta that loosens the header.
    const addresses = [
      ...html.matchAll(/\s(?:src|href|action|formaction|srcset|poster|data)="([^"]*)"/gi),
    ].map(([, value]) => value ?? "");
    expect(addresses.length).toBeGreaterThan(5);
    for (const address of addresses) {
      expect(address).toMatch(/^(\/(?![/\\])|#|\?)/);
    }
    expect(html).not.toMatch(/<base\b|http-equiv="refresh"|<meta[^>]+name="referrer"/i);
    // Nor do its stylesheets pull anything in.
    for (const [, href] of html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)) {
      const css = await (await visitor.get(href ?? "/")).text();
      expect(css, href).not.toMatch(/@import|url\(\s*["']?(https?:)?\/\//i);
    }
  });

  it("Not `no-referrer`: under it browsers send `Origin: null` with the page's own form, and the origin check would refuse the reset", async () => {
    const owner = await signUp(new Browser(app));
    const link = await resetLink(owner.email);
    const browser = new Browser(app);
    const { page, path } = await browser.openLink(link);
    expect(page.headers.get("referrer-policy")).not.toMatch(/no-referrer/);
    // What a browser would send under no-referrer: refused, and the link still works.
    expect((await browser.post(path, resetForm(), { origin: "null" })).status).toBe(403);
    // What it sends under same-origin: the page's own origin, accepted.
    expect((await browser.post(path, resetForm())).status).toBe(302);
  });

  it("Email change: confirmed from the new address, announced to the old one, needs the current password.", async () => {
    const browser = new Browser(app);
    const owner: Account = await signUp(browser);
    const newEmail = uniqueEmail("moved");

    for (const currentPassword of ["not my password", ""]) {
      const refused = await browser.post("/settings/email", { newEmail, currentPassword });
      expect(refused.status).toBe(400);
    }
    // Nor through the JSON API, which would skip the password.
    expect((await browser.postJson("/api/auth/change-email", { newEmail })).status).toBeGreaterThanOrEqual(
      400,
    );
    expect(
      (await browser.postJson("/api/auth/update-user", { email: newEmail })).status,
    ).toBeGreaterThanOrEqual(400);
    expect(await mailsTo(app, newEmail, "email-change")).toEqual([]);
    expect(await mailsTo(app, owner.email, "email-change-notice")).toEqual([]);

    const asked = await browser.post("/settings/email", { newEmail, currentPassword: owner.password });
    expect(asked.status).toBe(302);
    // The link goes to the new address only; the old one is told, without a link to confirm.
    const link = await mailLink(app, newEmail, "email-change", "/confirm-email?token=");
    const notices = await mailsTo(app, owner.email, "email-change-notice");
    expect(notices).toHaveLength(1);
    expect(`${notices[0]?.text}${notices[0]?.html}`).not.toContain("/confirm-email");
    expect(`${notices[0]?.text}`).toContain(newEmail);
    expect((await userByEmail(app, owner.email))?.email).toBe(owner.email);

    // Opening the link (as a mail scanner would) changes nothing; confirming from it does.
    expect((await new Browser(app).openLink(link)).page.status).toBe(200);
    expect(await userByEmail(app, newEmail)).toBeUndefined();
    const confirmed = await new Browser(app).pressOnLinkPage(link, {});
    expect(confirmed.status).toBe(302);
    expect(await userByEmail(app, newEmail)).toBeDefined();
    expect(await userByEmail(app, owner.email)).toBeUndefined();
    expect((await signIn(new Browser(app), { email: newEmail, password: owner.password })).status).toBe(302);
    expect((await signIn(new Browser(app), owner)).status).toBe(400);
    expect(await mailsTo(app, owner.email, "email-change-notice")).toHaveLength(2);
  });
});
