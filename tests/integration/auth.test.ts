import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as login from "../../app/routes/login";
import * as logout from "../../app/routes/logout";
import * as root from "../../app/routes/_index";
import * as signup from "../../app/routes/signup";
import * as todos from "../../app/routes/todos";
import type { Services } from "../../app/services.server";
import { session, user } from "../../db/schema";
import { signUpVerified } from "../support/accounts";
import { STRONG_PASSWORD, TestClient, uniqueEmail } from "../support/client";
import { createTestServices, DATABASE_KINDS } from "../support/databases";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";

interface FormReply {
  result: {
    status?: string;
    error?: Record<string, string[] | null>;
    initialValue?: Record<string, unknown>;
  };
}

describe.each(DATABASE_KINDS)("sign-up, sign-in and sign-out on %s", (kind) => {
  let services: Services;

  beforeAll(async () => {
    services = await createTestServices(kind);
  });
  afterAll(() => services.close());

  const signUp = (client: TestClient, email = uniqueEmail(), name = "Ada Lovelace") =>
    signUpVerified(services, { client, email, name });

  it("answers sign-up with 'check your inbox' and no session; the link signs in with an HttpOnly, SameSite=Lax cookie", async () => {
    const client = new TestClient(services);
    const email = uniqueEmail();
    const result = await client.post(signup.action, "/signup", {
      name: "Ada Lovelace",
      email,
      password: STRONG_PASSWORD,
      confirmPassword: STRONG_PASSWORD,
    });
    expect(result.status).toBe(302);
    expect(result.location).toBe("/verify-email");
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);

    const verifiedClient = new TestClient(services);
    const { client: signedIn } = await signUpVerified(services, { client: verifiedClient });
    const cookie = [...signedIn.cookies.keys()];
    expect(cookie).toContain(SESSION_COOKIE);
    const page = await signedIn.get(todos.loader, "/todos");
    expect(page.status).toBe(200);
    const [stored] = await services.database.db.select().from(user).where(eq(user.email, email));
    expect(stored?.name).toBe("Ada Lovelace");
    expect(stored?.emailVerified).toBe(false);
  });

  it("stores the address trimmed and in lower case, and signs in whatever its case", async () => {
    const email = uniqueEmail("MiXeD").toLowerCase();
    // The helper finds the confirmation mail under the stored, lower-case address.
    await signUpVerified(services, { email: `  ${email.toUpperCase()}  ` });
    const rows = await services.database.db.select().from(user).where(eq(user.email, email.toLowerCase()));
    expect(rows).toHaveLength(1);

    const other = new TestClient(services);
    const signIn = await other.post(login.action, "/login", {
      email: email.toUpperCase(),
      password: STRONG_PASSWORD,
    });
    expect(signIn.status).toBe(302);
  });

  it("answers invalid sign-up input with 400, a message per field, the input kept and no password echoed", async () => {
    const client = new TestClient(services);
    const result = await client.post<FormReply>(signup.action, "/signup", {
      name: "Grace",
      email: "not-an-address",
      password: "short",
      confirmPassword: "different",
    });
    expect(result.status).toBe(400);
    const { error, initialValue } = result.data.result;
    expect(error?.email?.[0]).toMatch(/email address/i);
    expect(error?.password?.[0]).toMatch(/at least 8/);
    expect(initialValue?.name).toBe("Grace");
    expect(initialValue?.email).toBe("not-an-address");
    expect(initialValue).not.toHaveProperty("password");
    expect(initialValue).not.toHaveProperty("confirmPassword");
    expect(client.cookies.size).toBe(0);
  });

  it("refuses mismatched passwords beside the confirmation field", async () => {
    const client = new TestClient(services);
    const result = await client.post<FormReply>(signup.action, "/signup", {
      name: "Grace",
      email: uniqueEmail(),
      password: STRONG_PASSWORD,
      confirmPassword: `${STRONG_PASSWORD}!`,
    });
    expect(result.status).toBe(400);
    expect(result.data.result.error?.confirmPassword?.[0]).toMatch(/do not match/);
  });

  it("accepts any characters in a password, counting an emoji as one character", async () => {
    const client = new TestClient(services);
    const password = "🔐🔐🔐🔐 ünïcödé  spaces";
    const { email } = await signUpVerified(services, { client, password });
    const other = new TestClient(services);
    expect((await other.post(login.action, "/login", { email, password })).status).toBe(302);
    // Not truncated: one character less is another password.
    const wrong = await new TestClient(services).post(login.action, "/login", {
      email,
      password: password.slice(0, -1),
    });
    expect(wrong.status).toBe(400);
  });

  it("refuses a password of 129 characters and accepts one of 128", async () => {
    const tooLong = "a".repeat(129);
    const longest = "é".repeat(128);
    const refused = await new TestClient(services).post<FormReply>(signup.action, "/signup", {
      name: "Long",
      email: uniqueEmail(),
      password: tooLong,
      confirmPassword: tooLong,
    });
    expect(refused.status).toBe(400);
    expect(refused.data.result.error?.password?.[0]).toMatch(/at most 128/);
    const { email } = await signUpVerified(services, { password: longest });
    const signIn = await new TestClient(services).post(login.action, "/login", { email, password: longest });
    expect(signIn.status).toBe(302);
  });

  it("does not create a second account for an address in use, and answers as for a new one", async () => {
    const { email } = await signUp(new TestClient(services));
    const again = await new TestClient(services).post(signup.action, "/signup", {
      name: "Impostor",
      email,
      password: STRONG_PASSWORD,
      confirmPassword: STRONG_PASSWORD,
    });
    const fresh = await new TestClient(services).post(signup.action, "/signup", {
      name: "Newcomer",
      email: uniqueEmail(),
      password: STRONG_PASSWORD,
      confirmPassword: STRONG_PASSWORD,
    });
    expect(again.status).toBe(302);
    expect(again.location).toBe(fresh.location);
    expect(again.headers.getSetCookie().map((cookie) => cookie.split("=")[0])).toEqual(
      fresh.headers.getSetCookie().map((cookie) => cookie.split("=")[0]),
    );
    const rows = await services.database.db.select().from(user).where(eq(user.email, email));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.name).toBe("Ada Lovelace");
  });

  it("gives a wrong password and an unknown address the same status and answer", async () => {
    const { email } = await signUp(new TestClient(services));
    const wrongPassword = await new TestClient(services).post<FormReply>(login.action, "/login", {
      email,
      password: "not the password",
    });
    const unknownEmail = await new TestClient(services).post<FormReply>(login.action, "/login", {
      email: uniqueEmail("nobody"),
      password: "not the password",
    });
    expect(wrongPassword.status).toBe(400);
    expect(unknownEmail.status).toBe(wrongPassword.status);
    expect(unknownEmail.data.result.error).toEqual(wrongPassword.data.result.error);
    expect(wrongPassword.data.result.initialValue).not.toHaveProperty("password");
  });

  it("issues a new session token at every sign-in", async () => {
    const { email } = await signUp(new TestClient(services));
    const first = new TestClient(services);
    const second = new TestClient(services);
    await first.post(login.action, "/login", { email, password: STRONG_PASSWORD });
    await second.post(login.action, "/login", { email, password: STRONG_PASSWORD });
    const a = first.cookies.get(SESSION_COOKIE);
    const b = second.cookies.get(SESSION_COOKIE);
    expect(a).toBeTruthy();
    expect(b).toBeTruthy();
    expect(a).not.toBe(b);
  });

  it("brings the user back to redirectTo, and only to a path on this site", async () => {
    const { email } = await signUp(new TestClient(services));
    const cases: Array<[string, string]> = [
      ["/todos?filter=active", "/todos?filter=active"],
      ["//evil.example/", "/todos"],
      ["/\\evil.example", "/todos"],
      ["https://evil.example/", "/todos"],
      ["/\t/evil.example", "/todos"],
      ["javascript:alert(1)", "/todos"],
    ];
    for (const [redirectTo, expected] of cases) {
      const result = await new TestClient(services).post(login.action, "/login", {
        email,
        password: STRONG_PASSWORD,
        redirectTo,
      });
      expect(result.location, redirectTo).toBe(expected);
    }
  });

  it("sends a signed-out visitor of a private page to sign in, remembering where they were", async () => {
    const result = await new TestClient(services).get(todos.loader, "/todos?filter=completed");
    expect(result.status).toBe(302);
    expect(result.location).toBe(`/login?redirectTo=${encodeURIComponent("/todos?filter=completed")}`);
  });

  it("sends a signed-in user away from the sign-in, sign-up and landing pages", async () => {
    const client = new TestClient(services);
    await signUp(client);
    for (const loader of [login.loader, signup.loader, root.loader]) {
      const result = await client.get(loader, "/");
      expect(result.status).toBe(302);
      expect(result.location).toBe("/todos");
    }
  });

  it("ends the session on the server at sign-out, so the old cookie is worthless", async () => {
    const client = new TestClient(services);
    await signUp(client);
    const oldCookie = client.cookies.header();
    const result = await client.post(logout.action, "/logout", {});
    expect(result.status).toBe(302);
    expect(result.location).toBe("/");
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);

    const replay = new TestClient(services);
    const request = replay.buildRequest("/todos", { headers: { cookie: oldCookie } });
    const page = await replay.send(todos.loader, request);
    expect(page.status).toBe(302);
    expect(page.location).toMatch(/^\/login/);
  });

  it("does not sign anyone out on GET /logout", async () => {
    const client = new TestClient(services);
    const { email } = await signUp(client);
    const result = await client.get(logout.loader, "/logout");
    expect(result.status).toBe(302);
    expect((await client.get(todos.loader, "/todos")).status).toBe(200);
    const [owner] = await services.database.db.select().from(user).where(eq(user.email, email));
    const sessions = await services.database.db
      .select()
      .from(session)
      .where(eq(session.userId, owner?.id ?? ""));
    expect(sessions).toHaveLength(1);
  });

  it("records the client address and browser of a session", async () => {
    const client = new TestClient(services, "198.51.100.7");
    const { email } = await signUp(client);
    const [owner] = await services.database.db.select().from(user).where(eq(user.email, email));
    const [row] = await services.database.db
      .select()
      .from(session)
      .where(eq(session.userId, owner?.id ?? ""));
    expect(row?.ipAddress).toBe("198.51.100.7");
    expect(row?.userAgent).toContain("Chrome");
  });

  it("refuses a body that is not a form with 415", async () => {
    const client = new TestClient(services);
    const request = client.buildRequest("/login", {
      method: "POST",
      body: JSON.stringify({ email: "a@b.c", password: "x" }),
      headers: { "content-type": "application/json" },
    });
    const result = await client.send(login.action, request);
    expect(result.status).toBe(415);
  });
});
