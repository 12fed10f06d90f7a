import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { account, emailChange } from "../../db/schema";
import { uniqueEmail } from "../support/client";
import { linkIn, startSmtpCatcher, type SmtpCatcher } from "../../harness/smtp";
import { APP_URL, withProvider } from "./provider";
import {
  ageSession,
  allSessionTokens,
  Browser,
  mailsTo,
  sessionsOf,
  signIn,
  signUp as signUpThroughForm,
  userByEmail,
} from "./support";

/**
 * Account takeover, played as an attacker plays it: each scenario combines
 * flows that each hold alone (numbered 1 to 8 as in docs/security.md, "Account takeover"),
 * against the production build over HTTP, with a real OpenID Connect provider.
 * docs/security.md, "Account takeover", says what stops each.
 */
const ATTACKER_PASSWORD = "the attacker's own pass phrase";
const OWNER_PASSWORD = "the owner's own pass phrase";
/** Longer ago than the default re-authentication window (REAUTH_MAX_AGE, 600 s). */
const OUTSIDE_WINDOW_SECONDS = 700;

describe("Account takeover (ASVS 6.4, 7.5; pre-hijacked accounts)", () => {
  // Mail leaves through a real SMTP server on loopback; the attacker and the owner read it there.
  let smtp: SmtpCatcher;
  beforeAll(async () => {
    smtp = await startSmtpCatcher();
  });
  afterAll(() => smtp.stop());
  const provider = withProvider(() => ({ SMTP_URL: smtp.url }));
  const app = provider.app;
  // As the server process does at start (server.ts).
  beforeAll(() => app().services.mail.start());

  /** Links already taken from each inbox, by address and page: each call waits for the next. */
  const taken = new Map<string, number>();
  /** The next link to `page` mailed to `to` (a path with its query), once it has arrived by SMTP. */
  async function mailedLink(to: string, page: string): Promise<string> {
    const key = `${to} ${page}`;
    const wanted = (taken.get(key) ?? 0) + 1;
    const prefix = `${APP_URL}${page}`;
    const withLink = async () => {
      await smtp.waitFor(to, 1, 15_000);
      return smtp.to(to).filter((mail) => mail.text.includes(prefix));
    };
    const deadline = Date.now() + 15_000;
    let mails = await withLink();
    while (mails.length < wanted) {
      if (Date.now() > deadline) throw new Error(`no link to ${page} in the mail to ${to}`);
      await smtp.waitFor(to, smtp.to(to).length + 1, deadline - Date.now());
      mails = await withLink();
    }
    taken.set(key, wanted);
    const url = new URL(linkIn(mails[wanted - 1] ?? { text: "" }, prefix));
    return `${url.pathname}${url.search}`;
  }

  /** Signs up and confirms in `browser`, reading the link from the SMTP server. */
  const signUp = (browser: Browser, account: { email?: string; password?: string } = {}) =>
    signUpThroughForm(browser, {
      ...account,
      confirmationLink: (to) => mailedLink(to, "/verify-email?token="),
    });

  /** The attacker signs the victim's address up with a password of their own, in their own browser. */
  async function preRegister(email: string) {
    const attacker = new Browser(app());
    const answer = await attacker.post("/signup", {
      name: "Not The Owner",
      email,
      password: ATTACKER_PASSWORD,
      confirmPassword: ATTACKER_PASSWORD,
    });
    expect(answer.status).toBe(302);
    return attacker;
  }

  const passwordOpens = async (email: string, password: string) =>
    (await signIn(new Browser(app()), { email, password })).status === 302;

  it("1. a provider identity claiming an address it does not vouch for makes no account, and never reaches the owner's", async () => {
    const victim = uniqueEmail("victim");
    const { sub } = provider.identity(false, victim);
    const attacker = new Browser(app());
    const refused = await provider.signInThroughProvider(attacker, sub);
    expect(refused.headers.get("location")).toMatch(/^\/login\?.*error=email_not_vouched/);
    expect(await userByEmail(app(), victim)).toBeUndefined();

    // The owner signs up and confirms; later resets the password too.
    const owner = await signUp(new Browser(app()), { email: victim, password: OWNER_PASSWORD });
    expect((await new Browser(app()).post("/forgot-password", { email: victim })).status).toBe(302);
    const reset = await mailedLink(victim, "/reset-password?token=");
    const resetter = new Browser(app());
    expect(
      (await resetter.pressOnLinkPage(reset, { password: OWNER_PASSWORD, confirmPassword: OWNER_PASSWORD }))
        .status,
    ).toBe(302);

    // The attacker's identity still gets nothing.
    const again = new Browser(app());
    expect((await provider.signInThroughProvider(again, sub)).headers.get("location")).toMatch(/^\/login\?/);
    expect(await again.isSignedIn()).toBe(false);
    const owned = await userByEmail(app(), owner.email);
    const links = await app()
      .services.database.db.select()
      .from(account)
      .where(eq(account.userId, owned?.id ?? ""));
    expect(links.map((row) => row.providerId)).toEqual(["credential"]);
    // Positive control: the owner's password opens the account.
    expect(await passwordOpens(victim, OWNER_PASSWORD)).toBe(true);
  });

  it("2. a password set on someone else's address before it was confirmed stops working once its owner confirms", async () => {
    const victim = uniqueEmail("victim");
    await preRegister(victim);
    // The owner opens the link in their own browser: it asks who is there.
    const link = await mailedLink(victim, "/verify-email?token=");
    const owner = new Browser(app());
    const { path } = await owner.openLink(link);
    const asked = await owner.post(path, { intent: "confirm" });
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain("Finish confirming your address");
    expect(owner.sessionToken).toBeNull();
    // Not knowing that password, the owner chooses one: confirmed, signed in, and the attacker's is gone.
    const chosen = await owner.post(path, {
      intent: "confirm-with-new-password",
      password: OWNER_PASSWORD,
      confirmPassword: OWNER_PASSWORD,
    });
    expect(chosen.headers.get("location")).toBe("/todos");
    expect(await owner.isSignedIn()).toBe(true);
    expect(await passwordOpens(victim, ATTACKER_PASSWORD)).toBe(false);
    expect(await passwordOpens(victim, OWNER_PASSWORD)).toBe(true);
  });

  it("2. … and guessing at the confirmation page is refused and counted", async () => {
    const victim = uniqueEmail("victim");
    await preRegister(victim);
    const owner = new Browser(app());
    const { path } = await owner.openLink(await mailedLink(victim, "/verify-email?token="));
    const wrong = await owner.post(path, { intent: "confirm-with-password", password: "a guess at it" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That is not the password chosen when the account was made");
    expect((await userByEmail(app(), victim))?.emailVerified).toBe(false);
  });

  it("2. … and better-auth's own confirmation endpoint, which would confirm on a GET and sign in, is closed", async () => {
    const victim = uniqueEmail("victim");
    const attacker = await preRegister(victim);
    const link = await mailedLink(victim, "/verify-email?token=");
    const token = new URL(link, APP_URL).searchParams.get("token") ?? "";
    expect(token).not.toBe("");
    for (const browser of [attacker, new Browser(app())]) {
      const answer = await browser.get(`/api/auth/verify-email?token=${encodeURIComponent(token)}`);
      expect(answer.status).toBe(404);
      expect(answer.headers.get("set-cookie")).toBeNull();
    }
    expect((await userByEmail(app(), victim))?.emailVerified).toBe(false);
    // Positive control: the same token still confirms through the page, in a browser that proves itself.
    const owner = new Browser(app());
    const { path } = await owner.openLink(link);
    const confirmed = await owner.post(path, {
      intent: "confirm-with-password",
      password: ATTACKER_PASSWORD,
    });
    expect(confirmed.headers.get("location")).toBe("/todos");
  });

  it("2. … and a new sign-up with the address replaces the pending password, even in the browser that made the first", async () => {
    const victim = uniqueEmail("victim");
    const attacker = await preRegister(victim);
    // The owner signs up too (the form answers as for any address).
    const owner = new Browser(app());
    const answer = await owner.post("/signup", {
      name: "The Owner",
      email: victim,
      password: OWNER_PASSWORD,
      confirmPassword: OWNER_PASSWORD,
    });
    expect(answer.status).toBe(302);
    expect(await passwordOpens(victim, ATTACKER_PASSWORD)).toBe(false);
    // The attacker's own browser no longer confirms at once with any link: its mark names the old password.
    const link = await mailedLink(victim, "/verify-email?token=");
    const { path } = await attacker.openLink(link);
    expect((await attacker.post(path, { intent: "confirm" })).status).toBe(200);
    expect(attacker.sessionToken).toBeNull();
    // Positive control: in the owner's browser the newest link confirms at once.
    expect((await owner.pressOnLinkPage(link, { intent: "confirm" })).headers.get("location")).toBe("/todos");
    expect(await passwordOpens(victim, OWNER_PASSWORD)).toBe(true);
  });

  it("3. an address change asked for with stolen credentials dies with the owner's password reset", async () => {
    const ownerBrowser = new Browser(app());
    const owner = await signUp(ownerBrowser);
    // The attacker holds a copy of the session cookie and knows the password.
    const attacker = new Browser(app());
    for (const [name, value] of ownerBrowser.cookies) attacker.cookies.set(name, value);
    const attackerEmail = uniqueEmail("attacker");
    const asked = await attacker.post("/settings/email", {
      intent: "change-email",
      newEmail: attackerEmail,
      currentPassword: owner.password,
    });
    expect(asked.status).toBe(302);
    const confirm = await mailedLink(attackerEmail, "/confirm-email?token=");

    // The owner resets the password by mail.
    expect((await new Browser(app()).post("/forgot-password", { email: owner.email })).status).toBe(302);
    const reset = await mailedLink(owner.email, "/reset-password?token=");
    expect(
      (
        await new Browser(app()).pressOnLinkPage(reset, {
          password: OWNER_PASSWORD,
          confirmPassword: OWNER_PASSWORD,
        })
      ).status,
    ).toBe(302);
    const owned = await userByEmail(app(), owner.email);
    expect(
      await app()
        .services.database.db.select()
        .from(emailChange)
        .where(eq(emailChange.userId, owned?.id ?? "")),
    ).toEqual([]);

    // The attacker's link now changes nothing.
    const late = await new Browser(app()).pressOnLinkPage(confirm, {});
    expect(late.status).toBe(400);
    expect(await userByEmail(app(), attackerEmail)).toBeUndefined();
    expect((await userByEmail(app(), owner.email))?.id).toBe(owned?.id);
  });

  it("4. a reset link mailed to the old address dies when the account moves to a new one", async () => {
    const browser = new Browser(app());
    const owner = await signUp(browser);
    expect((await new Browser(app()).post("/forgot-password", { email: owner.email })).status).toBe(302);
    const oldReset = await mailedLink(owner.email, "/reset-password?token=");
    const newEmail = uniqueEmail("moved");
    expect(
      (
        await browser.post("/settings/email", {
          intent: "change-email",
          newEmail,
          currentPassword: owner.password,
        })
      ).status,
    ).toBe(302);
    const confirm = await mailedLink(newEmail, "/confirm-email?token=");
    expect((await new Browser(app()).pressOnLinkPage(confirm, {})).status).toBe(302);

    const stale = new Browser(app());
    expect((await stale.openLink(oldReset)).page.status).toBe(400);
    expect(
      (
        await stale.post("/reset-password", {
          password: ATTACKER_PASSWORD,
          confirmPassword: ATTACKER_PASSWORD,
        })
      ).status,
    ).toBe(400);
    expect(await passwordOpens(newEmail, owner.password)).toBe(true);
    expect(await passwordOpens(newEmail, ATTACKER_PASSWORD)).toBe(false);
  });

  it("5. a stolen session alone cannot add a way in: linking, a first password and a new address need the password again", async () => {
    // An account made through the provider: no password to ask for in the forms.
    const { sub, email } = provider.identity(true);
    const ownerBrowser = new Browser(app());
    expect((await provider.signInThroughProvider(ownerBrowser, sub)).headers.get("location")).toBe("/todos");
    // Days later, the attacker replays the cookie.
    await ageSession(app(), ownerBrowser, OUTSIDE_WINDOW_SECONDS);
    const attacker = new Browser(app());
    for (const [name, value] of ownerBrowser.cookies) attacker.cookies.set(name, value);

    const intruder = provider.identity(true);
    const attempts = [
      await attacker.post("/settings/connections", { intent: "link", provider: "oidc" }),
      await attacker.post("/settings/password", {
        newPassword: ATTACKER_PASSWORD,
        confirmPassword: ATTACKER_PASSWORD,
      }),
      await attacker.post("/settings/email", {
        intent: "change-email",
        newEmail: intruder.email,
        currentPassword: "",
      }),
    ];
    for (const attempt of attempts) {
      expect(attempt.status).toBe(302);
      expect(attempt.headers.get("location")).toMatch(/^\/reauthenticate\?redirectTo=/);
    }
    const owned = await userByEmail(app(), email);
    const rows = await app()
      .services.database.db.select()
      .from(account)
      .where(eq(account.userId, owned?.id ?? ""));
    expect(rows.map((row) => row.providerId)).toEqual(["oidc"]);
    expect(await mailsTo(app(), email, "sign-in-method-notice")).toEqual([]);
  });

  it("5. … and every way in that the owner adds or removes is announced by mail and in the security activity", async () => {
    const browser = new Browser(app());
    const owner = await signUp(browser);
    const { sub } = provider.identity(true);
    const linked = await provider.throughProvider(
      browser,
      await browser.post("/settings/connections", { intent: "link", provider: "oidc" }),
      sub,
    );
    expect(linked.status).toBe(302);
    const unlinked = await browser.post("/settings/connections", { intent: "unlink", provider: "oidc" });
    expect(unlinked.status).toBe(302);
    const notices = await mailsTo(app(), owner.email, "sign-in-method-notice");
    expect(notices.map((mail) => mail.subject).sort()).toEqual([
      expect.stringMatching(/was connected to your account$/),
      expect.stringMatching(/was disconnected from your account$/),
    ]);
    const activity = await (await browser.get("/settings/security")).text();
    expect(activity).toContain('data-type="provider-linked"');
    expect(activity).toContain('data-type="provider-unlinked"');
  });

  it("6. a confirmation link opened by a mail scanner signs no one in; confirming ends the session the browser had", async () => {
    const other = new Browser(app());
    await signUp(other);
    const held = other.sessionToken;
    const victim = uniqueEmail("scanned");
    const signupBrowser = new Browser(app());
    expect(
      (
        await signupBrowser.post("/signup", {
          name: "Scanned",
          email: victim,
          password: OWNER_PASSWORD,
          confirmPassword: OWNER_PASSWORD,
        })
      ).status,
    ).toBe(302);
    const link = await mailedLink(victim, "/verify-email?token=");
    const scanner = new Browser(app());
    await scanner.openLink(link);
    expect(scanner.sessionToken).toBeNull();
    expect(await sessionsOf(app(), victim)).toEqual([]);
    expect((await userByEmail(app(), victim))?.emailVerified).toBe(false);

    // A JSON sign-in over the cookie a browser holds ends that session on the server.
    expect(
      (await other.postJson("/api/auth/sign-in/email", { email: victim, password: OWNER_PASSWORD })).status,
    ).toBe(403);
    const heldNow = other.sessionToken;
    expect(heldNow).toBe(held);
    expect((await signupBrowser.pressOnLinkPage(link, { intent: "confirm" })).headers.get("location")).toBe(
      "/todos",
    );
    expect(
      (await other.postJson("/api/auth/sign-in/email", { email: victim, password: OWNER_PASSWORD })).status,
    ).toBe(200);
    expect(await allSessionTokens(app())).not.toContain(held);
  });

  it("7. no page reached by a mail link carries its token: not its HTML, not its form, not its address", async () => {
    const browser = new Browser(app());
    const owner = await signUp(browser);
    expect((await new Browser(app()).post("/forgot-password", { email: owner.email })).status).toBe(302);
    const reset = await mailedLink(owner.email, "/reset-password?token=");
    const newEmail = uniqueEmail("moved");
    await browser.post("/settings/email", {
      intent: "change-email",
      newEmail,
      currentPassword: owner.password,
    });
    const confirm = await mailedLink(newEmail, "/confirm-email?token=");
    const pending = uniqueEmail("pending");
    await new Browser(app()).post("/signup", {
      name: "P",
      email: pending,
      password: OWNER_PASSWORD,
      confirmPassword: OWNER_PASSWORD,
    });
    const verify = await mailedLink(pending, "/verify-email?token=");
    for (const link of [reset, confirm, verify]) {
      const token = new URL(link, "http://x").searchParams.get("token") ?? "";
      expect(token.length).toBeGreaterThan(16);
      const visitor = new Browser(app());
      const { page, path } = await visitor.openLink(link);
      expect(path, link).not.toContain("token");
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(html).not.toContain(token);
      expect(html).not.toMatch(/action="[^"]*token=/);
    }
  });
});
