import { createEmailVerificationToken } from "better-auth/api";
import { eq, isNull, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../app/logger.server";
import { createOutbox } from "../../app/mail/outbox.server";
import * as devMail from "../../app/routes/dev.mail";
import * as forgotPassword from "../../app/routes/forgot-password";
import * as login from "../../app/routes/login";
import * as resetPassword from "../../app/routes/reset-password";
import * as signup from "../../app/routes/signup";
import * as todos from "../../app/routes/todos";
import * as verifyEmail from "../../app/routes/verify-email";
import type { Services } from "../../app/services.server";
import { mailOutbox, user, verification } from "../../db/schema";
import { confirmLink, confirmLinkElsewhere, openLink, pathOf, pressOnLinkPage } from "../support/accounts";
import { STRONG_PASSWORD, TestClient, uniqueEmail } from "../support/client";
import {
  createTestServices,
  DATABASE_KINDS,
  TEST_APP_URL,
  TEST_SECRET,
  testConfig,
} from "../support/databases";
import { within } from "../support/wait";
import { linkIn, startSmtpCatcher, type SmtpCatcher } from "../../harness/smtp";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";

const NEW_PASSWORD = "a brand new passphrase";

describe.each(DATABASE_KINDS)("mail on %s, through a real SMTP server", (kind) => {
  let smtp: SmtpCatcher;
  let services: Services;

  beforeAll(async () => {
    smtp = await startSmtpCatcher();
    services = await createTestServices(kind, {
      env: { SMTP_URL: smtp.url },
      mail: { pollIntervalMs: 50, retryDelayMs: () => 100 },
    });
    services.mail.start();
  });
  afterAll(async () => {
    await services.close();
    await smtp.stop();
  });

  const signUpForm = (email: string, name = "Mail Tester", password = STRONG_PASSWORD) => ({
    name,
    email,
    password,
    confirmPassword: password,
  });

  /** Signs up and follows the link that arrives by SMTP. */
  async function signUpAndVerify(email = uniqueEmail()) {
    const client = new TestClient(services);
    await client.post(signup.action, "/signup", signUpForm(email));
    const [mail] = await smtp.waitFor(email);
    if (!mail) throw new Error("no mail");
    const result = await confirmLink(client, pathOf(linkIn(mail, `${TEST_APP_URL}/verify-email?token=`)));
    expect(result.location).toBe("/todos");
    return { client, email };
  }

  it("mails a confirmation link on sign-up; following it confirms the address and signs in", async () => {
    const email = uniqueEmail();
    const client = new TestClient(services);
    const answer = await client.post(signup.action, "/signup", signUpForm(email));
    expect(answer.status).toBe(302);
    expect(answer.location).toBe("/verify-email");

    const [mail] = await smtp.waitFor(email);
    expect(mail?.subject).toBe("Confirm your email address");
    expect(mail?.text).toContain("Todo");
    expect(mail?.html).toContain("Confirm my address");
    const link = linkIn(mail ?? { text: "" }, `${TEST_APP_URL}/verify-email?token=`);
    expect(mail?.html).toContain(link.replaceAll("&", "&amp;"));

    // Opening the link (as a mail scanner would) confirms nothing: the page asks for a press of its button.
    const opened = await openLink<{ state: string }>(client, verifyEmail.loader, pathOf(link));
    expect(opened.data.state).toBe("confirm");
    expect(JSON.stringify(opened.data)).not.toContain(new URL(link).searchParams.get("token"));
    expect((await client.get(todos.loader, "/todos")).status).toBe(302);
    const verified = await client.post(verifyEmail.action, "/verify-email", { intent: "confirm" });
    expect(verified.status).toBe(302);
    expect(verified.location).toBe("/todos");
    expect(verified.headers.getSetCookie().some((cookie) => cookie.startsWith("todo.flash="))).toBe(true);
    expect((await client.get(todos.loader, "/todos")).status).toBe(200);
    const [stored] = await services.database.db.select().from(user).where(eq(user.email, email));
    expect(stored?.emailVerified).toBe(true);

    // The same link again signs no one in.
    const again = await confirmLink(new TestClient(services), pathOf(link));
    expect(again.location).toBe("/login");
    expect(again.headers.getSetCookie().some((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`))).toBe(
      false,
    );
  });

  it("blanks a mail's body once delivered, so its link does not outlive delivery", async () => {
    const email = uniqueEmail("blank");
    await new TestClient(services).post(signup.action, "/signup", signUpForm(email));
    await smtp.waitFor(email);
    await expect
      .poll(async () => {
        const [row] = await services.database.db.select().from(mailOutbox).where(eq(mailOutbox.to, email));
        return row?.sentAt ? `${row.text}${row.html}` : "not sent yet";
      })
      .toBe("");
  });

  it("rejects a hostile name through the JSON API with 400, not 500", async () => {
    for (const name of ["nul\u0000name", "x".repeat(101), "  "]) {
      const request = new Request(new URL("/api/auth/sign-up/email", TEST_APP_URL), {
        method: "POST",
        headers: { "content-type": "application/json", origin: TEST_APP_URL },
        body: JSON.stringify({ name, email: uniqueEmail("api"), password: "a fine long passphrase" }),
      });
      const response = await services.auth.handler(request);
      expect(response.status, JSON.stringify(name)).toBe(400);
    }
  });

  it("tells an unverified user with the right password to confirm, and offers a new link; a wrong password gets the usual error", async () => {
    const email = uniqueEmail();
    await new TestClient(services).post(signup.action, "/signup", signUpForm(email));
    await smtp.waitFor(email);

    const right = await new TestClient(services).post<{ unverifiedEmail: string | null }>(
      login.action,
      "/login",
      {
        email,
        password: STRONG_PASSWORD,
      },
    );
    expect(right.status).toBe(403);
    expect(right.data.unverifiedEmail).toBe(email);
    expect(right.headers.getSetCookie().some((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`))).toBe(
      false,
    );

    const wrong = await new TestClient(services).post<{ unverifiedEmail: string | null }>(
      login.action,
      "/login",
      {
        email,
        password: "not the password at all",
      },
    );
    expect(wrong.status).toBe(400);
    expect(wrong.data.unverifiedEmail).toBeNull();

    const resend = await new TestClient(services).post(verifyEmail.action, "/verify-email", { email });
    expect(resend.status).toBe(302);
    expect(resend.location).toBe("/verify-email");
    const mails = await smtp.waitFor(email, 2);
    const latest = mails[1] ?? { text: "" };
    // Opened elsewhere than where the account was made: the password chosen then confirms.
    const client = new TestClient(services);
    const verified = await confirmLinkElsewhere(
      client,
      pathOf(linkIn(latest, `${TEST_APP_URL}/verify-email?token=`)),
      STRONG_PASSWORD,
    );
    expect(verified.location).toBe("/todos");
  });

  it("answers a resend the same way for unknown and confirmed addresses, and mails neither", async () => {
    const { email: confirmed } = await signUpAndVerify();
    const unknown = uniqueEmail("nobody");
    const answers = await Promise.all(
      [confirmed, unknown].map((email) =>
        new TestClient(services).post(verifyEmail.action, "/verify-email", { email }),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(302);
      expect(answer.location).toBe("/verify-email");
    }
    await services.mail.runOnce();
    expect(smtp.to(confirmed)).toHaveLength(1);
    expect(smtp.to(unknown)).toHaveLength(0);
  });

  it("answers a sign-up with a taken address as for a new one, and mails the owner instead", async () => {
    const { email } = await signUpAndVerify();
    const taken = await new TestClient(services).post(
      signup.action,
      "/signup",
      signUpForm(email, "Someone Else"),
    );
    const fresh = await new TestClient(services).post(signup.action, "/signup", signUpForm(uniqueEmail()));
    expect(taken.status).toBe(fresh.status);
    expect(taken.location).toBe(fresh.location);
    const mails = await smtp.waitFor(email, 2);
    expect(mails[1]?.subject).toBe("Someone tried to sign up with your address");
    expect(mails[1]?.text).toContain(`${TEST_APP_URL}/forgot-password`);
    const rows = await services.database.db.select().from(user).where(eq(user.email, email));
    expect(rows).toHaveLength(1);
  });

  it("gives one answer to forgot-password for every address, and mails only real accounts", async () => {
    const { email } = await signUpAndVerify();
    const unknown = uniqueEmail("ghost");
    const known = await new TestClient(services).post(forgotPassword.action, "/forgot-password", { email });
    const ghost = await new TestClient(services).post(forgotPassword.action, "/forgot-password", {
      email: unknown,
    });
    expect(known.status).toBe(302);
    expect(ghost.status).toBe(known.status);
    // The same page, each carrying back the address it was given.
    const withoutAddress = (location: string | null, address: string) =>
      location?.replace(encodeURIComponent(address), "ADDRESS");
    expect(withoutAddress(ghost.location, unknown)).toBe(withoutAddress(known.location, email));
    expect(known.location).toBe(`/forgot-password?sent=&email=${encodeURIComponent(email)}`);
    const mails = await smtp.waitFor(email, 2);
    expect(mails[1]?.subject).toBe("Reset your password");
    expect(mails[1]?.text).toContain("60 minutes");
    await services.mail.runOnce();
    expect(smtp.to(unknown)).toHaveLength(0);
  });

  it("resets a password with a single-use link: old password refused, every session ended, a notice mailed, nobody signed in", async () => {
    const { client: signedIn, email } = await signUpAndVerify();
    expect((await signedIn.get(todos.loader, "/todos")).status).toBe(200);
    const before = await services.database.db.select().from(user).where(eq(user.email, email));

    await new TestClient(services).post(forgotPassword.action, "/forgot-password", { email });
    const resetMail = (await smtp.waitFor(email, 2))[1] ?? { text: "" };
    const link = pathOf(linkIn(resetMail, `${TEST_APP_URL}/reset-password?token=`));
    const token = new URL(link, TEST_APP_URL).searchParams.get("token") ?? "";
    // At least 128 bits: 24 characters of a 62-letter alphabet.
    expect(token.length).toBeGreaterThanOrEqual(22);
    // Asking changed nothing: the old password still works until the link is used.
    expect(
      (await new TestClient(services).post(login.action, "/login", { email, password: STRONG_PASSWORD }))
        .status,
    ).toBe(302);

    const resetter = new TestClient(services);
    const form = await openLink<{ usable: boolean }>(resetter, resetPassword.loader, link);
    expect(form.status).toBe(200);
    expect(form.data.usable).toBe(true);

    const mismatch = await resetter.post(resetPassword.action, "/reset-password", {
      password: NEW_PASSWORD,
      confirmPassword: "something else entirely",
    });
    expect(mismatch.status).toBe(400);

    const done = await resetter.post(resetPassword.action, "/reset-password", {
      password: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(done.status).toBe(302);
    expect(done.location).toBe("/login");
    expect(done.headers.getSetCookie().some((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`))).toBe(false);

    const old = await new TestClient(services).post(login.action, "/login", {
      email,
      password: STRONG_PASSWORD,
    });
    expect(old.status).toBe(400);
    const fresh = await new TestClient(services).post(login.action, "/login", {
      email,
      password: NEW_PASSWORD,
    });
    expect(fresh.status).toBe(302);
    const revoked = await signedIn.get(todos.loader, "/todos");
    expect(revoked.status).toBe(302);
    expect(revoked.location).toMatch(/^\/login/);

    const notice = (await smtp.waitFor(email, 3))[2];
    expect(notice?.subject).toBe("Your password was changed");

    // Used once: the link is dead.
    const reused = await openLink<{ usable: boolean }>(new TestClient(services), resetPassword.loader, link);
    expect(reused.status).toBe(400);
    expect(reused.data.usable).toBe(false);
    const replay = await pressOnLinkPage(new TestClient(services), resetPassword, link, {
      password: "yet another passphrase",
      confirmPassword: "yet another passphrase",
    });
    expect(replay.status).toBe(400);
    expect(before).toHaveLength(1);
  });

  it("refuses an expired or tampered reset link with a clear page", async () => {
    const { email } = await signUpAndVerify();
    await new TestClient(services).post(forgotPassword.action, "/forgot-password", { email });
    const resetMail = (await smtp.waitFor(email, 2))[1] ?? { text: "" };
    const link = pathOf(linkIn(resetMail, `${TEST_APP_URL}/reset-password?token=`));

    const tampered = `${link.slice(0, -2)}xy`;
    expect((await openLink(new TestClient(services), resetPassword.loader, tampered)).status).toBe(400);
    expect((await new TestClient(services).get(resetPassword.loader, "/reset-password")).status).toBe(400);

    await services.database.db
      .update(verification)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(like(verification.identifier, "reset-password:%"));
    const expired = await openLink<{ usable: boolean }>(new TestClient(services), resetPassword.loader, link);
    expect(expired.status).toBe(400);
    const post = await pressOnLinkPage(new TestClient(services), resetPassword, link, {
      password: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(post.status).toBe(400);
  });

  it("answers expired and tampered confirmation links with a page that offers a new one, never a 500", async () => {
    const email = uniqueEmail();
    await new TestClient(services).post(signup.action, "/signup", signUpForm(email));
    const [mail] = await smtp.waitFor(email);
    const link = pathOf(linkIn(mail ?? { text: "" }, `${TEST_APP_URL}/verify-email?token=`));

    const confirm = { intent: "confirm" };
    const tampered = await pressOnLinkPage<{ state: string }>(
      new TestClient(services),
      verifyEmail,
      `${link}x`,
      confirm,
    );
    expect(tampered.status).toBe(400);
    expect(tampered.data.state).toBe("invalid");

    const expiredToken = await createEmailVerificationToken(TEST_SECRET, email, undefined, -60);
    const expired = await pressOnLinkPage<{ state: string }>(
      new TestClient(services),
      verifyEmail,
      `/verify-email?token=${expiredToken}`,
      confirm,
    );
    expect(expired.status).toBe(400);
    expect(expired.data.state).toBe("expired");

    const garbage = await pressOnLinkPage<{ state: string }>(
      new TestClient(services),
      verifyEmail,
      "/verify-email?token=%00%ff",
      confirm,
    );
    expect(garbage.status).toBe(400);
  });

  it("builds every link from APP_URL, whatever Host or X-Forwarded-Host the request claims", async () => {
    const email = uniqueEmail();
    const client = new TestClient(services);
    const request = client.buildRequest("/signup", {
      method: "POST",
      form: signUpForm(email),
      headers: { host: "evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
    });
    await client.send(signup.action, request);
    const [mail] = await smtp.waitFor(email);
    expect(mail?.text).toContain(`${TEST_APP_URL}/verify-email?token=`);
    expect(mail?.text).not.toContain("evil.example");
    expect(mail?.html).not.toContain("evil.example");
  });

  it("keeps mail while SMTP is down, without failing the request, and delivers each exactly once when it is back", async () => {
    await smtp.stop();
    const emails = [uniqueEmail("outage"), uniqueEmail("outage"), uniqueEmail("outage")];
    for (const email of emails) {
      const answer = await new TestClient(services).post(signup.action, "/signup", signUpForm(email));
      expect(answer.status).toBe(302);
    }
    const { email: existing } = { email: emails[0] ?? "" };
    const forgot = await new TestClient(services).post(forgotPassword.action, "/forgot-password", {
      email: existing,
    });
    expect(forgot.status).toBe(302);

    // Attempts fail while the server is away; nothing is lost.
    const unsent = () => services.database.db.select().from(mailOutbox).where(isNull(mailOutbox.sentAt));
    await within(10_000, async () => (await unsent()).some((mail) => mail.attempts > 0 && mail.lastError));
    const waiting = await unsent();
    expect(waiting.length).toBeGreaterThanOrEqual(emails.length);
    expect(waiting.some((mail) => mail.attempts > 0 && mail.lastError)).toBe(true);
    for (const email of emails) expect(smtp.to(email)).toHaveLength(0);

    await smtp.start();
    for (const email of emails) await smtp.waitFor(email, 1, 20_000);
    // Give a duplicate every chance to show up.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await services.mail.runOnce();
    for (const email of emails) {
      expect(smtp.to(email).filter((mail) => mail.subject === "Confirm your email address")).toHaveLength(1);
    }
  });

  it("never sends one mail twice when several workers share the database", async () => {
    const logger = createLogger(testConfig());
    const sent: string[] = [];
    const transport = {
      async send(mail: { to: string }) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        sent.push(mail.to);
      },
    };
    const workers = [1, 2, 3].map(() =>
      createOutbox(services.database.db, logger, { from: "test@example.com", transport }),
    );
    const recipients = Array.from({ length: 25 }, () => uniqueEmail("many"));
    await services.mail.stop();
    try {
      for (const to of recipients) {
        await workers[0]?.enqueue({ kind: "verify-email", to, subject: "Hi", html: "<p>Hi</p>", text: "Hi" });
      }
      await Promise.all(workers.map((worker) => worker.runOnce()));
      await Promise.all(workers.map((worker) => worker.runOnce()));
    } finally {
      services.mail.start();
    }
    expect(sent.filter((to) => recipients.includes(to)).sort()).toEqual([...recipients].sort());
  });
});

describe("the dev mailbox", () => {
  it("lists mail newest first on the machine itself outside production, and is a 404 otherwise", async () => {
    const services = await createTestServices("pglite");
    try {
      const client = new TestClient(services, "127.0.0.1");
      const email = uniqueEmail("devbox");
      await client.post(signup.action, "/signup", {
        name: "Dev",
        email,
        password: STRONG_PASSWORD,
        confirmPassword: STRONG_PASSWORD,
      });
      const page = await client.get<{ mails: Array<{ to: string; subject: string; text: string }> }>(
        devMail.loader,
        "/dev/mail",
      );
      expect(page.status).toBe(200);
      expect(page.data.mails[0]?.to).toBe(email);
      expect(page.data.mails[0]?.text).toContain(`${TEST_APP_URL}/verify-email?token=`);
      // Not to another machine on the network.
      expect((await new TestClient(services, "192.168.1.20").get(devMail.loader, "/dev/mail")).status).toBe(
        404,
      );
    } finally {
      await services.close();
    }
    const production = await createTestServices("pglite", { env: { NODE_ENV: "production" } });
    try {
      const result = await new TestClient(production, "127.0.0.1").get(devMail.loader, "/dev/mail");
      expect(result.status).toBe(404);
    } finally {
      await production.close();
    }
  });
});
