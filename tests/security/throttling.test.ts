import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADDRESS_LIMITS,
  AUTH_API_LIMITS,
  SIGN_IN_FAILURE_LIMITS,
  SITE_FACTOR,
  type AddressLimit,
} from "../../app/security/rate-limit.server";
import { HttpClient } from "../../harness/client";
import { STRONG_PASSWORD, uniqueEmail } from "../support/client";
import { DATABASE_KINDS } from "../support/databases";
import { latestMail } from "../support/accounts";
import { formPost, newClientAddress, signUpOverHttp, startHttpApp, type HttpApp } from "../support/http-app";
import { signUpOn, withTwoInstances } from "../support/instances";
import { linkIn } from "../../harness/smtp";

const newAddress = newClientAddress;
const from = (address: string) => ({ "x-forwarded-for": address });

const WRONG_PASSWORD = "not the password at all";

async function expectReadable429(response: Response, windowSeconds: number) {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  const body = await response.text();
  if (response.headers.get("content-type")?.startsWith("text/html")) {
    expect(body).toContain("Too many attempts");
    expect(body).toMatch(/Try again in (a minute|\d+ minutes?|\d+ hours?)/);
  } else {
    expect(JSON.parse(body)).toMatchObject({
      code: expect.any(String),
      message: expect.stringMatching(/Try again/),
    });
  }
}

describe("Throttling", () => {
  let app: HttpApp;
  let signedIn: string;
  beforeAll(async () => {
    app = await startHttpApp({ TRUST_PROXY: "loopback" });
    ({ cookie: signedIn } = await signUpOverHttp(app, uniqueEmail("throttled"), from(newAddress())));
  });
  afterAll(() => app.close());

  const FORMS: { limit: AddressLimit; path: string; fields: Record<string, string>; signedIn?: true }[] = [
    { limit: "sign-in", path: "/login", fields: {} },
    // Refused posts count only toward the looser cap; valid sign-ups are counted below.
    { limit: "sign-up-posts", path: "/signup", fields: {} },
    { limit: "forgot-password", path: "/forgot-password", fields: {} },
    { limit: "resend-verification", path: "/verify-email", fields: {} },
    { limit: "password", path: "/reset-password?token=nothing", fields: {} },
    { limit: "password", path: "/settings/password", fields: {}, signedIn: true },
    {
      limit: "password",
      path: "/settings/account",
      fields: { intent: "delete-account", currentPassword: WRONG_PASSWORD, confirm: "on" },
      signedIn: true,
    },
    {
      limit: "email-change",
      path: "/settings/email",
      fields: { intent: "change-email", newEmail: "elsewhere@example.com", currentPassword: WRONG_PASSWORD },
      signedIn: true,
    },
  ];

  it.each(FORMS)(
    "Per client address: sign-in, sign-up, forgot-password, resend-verification, password and email change are limited, with 429, Retry-After, and a readable page ($limit: POST $path)",
    async ({ limit, path: pathname, fields, signedIn: needsSession }) => {
      const rule = ADDRESS_LIMITS[limit];
      const address = newAddress();
      const headers = { ...from(address), ...(needsSession ? { cookie: signedIn } : {}) };
      for (let attempt = 1; attempt <= rule.limit; attempt++) {
        const response = await formPost(app, pathname, fields, headers);
        expect(response.status, `attempt ${attempt}`).not.toBe(429);
      }
      await expectReadable429(await formPost(app, pathname, fields, headers), rule.windowSeconds);
      // Another address is not held back by this one.
      const elsewhere = await formPost(app, pathname, fields, { ...headers, ...from(newAddress()) });
      expect(elsewhere.status).not.toBe(429);
    },
  );

  it("Per client address: sign-up is limited — only sign-ups that pass every check count: typos do not lock a person out, the limit still holds", async () => {
    const headers = from(newAddress());
    const signUpForm = (email: string, password = STRONG_PASSWORD, confirmPassword = password) => ({
      name: "Typo Prone",
      email,
      password,
      confirmPassword,
    });
    const typos = [
      signUpForm(uniqueEmail("typo"), STRONG_PASSWORD, `${STRONG_PASSWORD}!`),
      signUpForm(uniqueEmail("typo"), "short"),
      signUpForm("typo.example.com"),
      signUpForm(uniqueEmail("typo"), "password1"),
      { ...signUpForm(uniqueEmail("typo")), name: "" },
    ];
    const { limit } = ADDRESS_LIMITS["sign-up"];
    for (let attempt = 1; attempt <= limit; attempt++) {
      const refused = await formPost(app, "/signup", typos[attempt % typos.length] ?? {}, headers);
      expect(refused.status, `typo ${attempt}`).toBe(400);
    }
    // Ten typos later, sign-ups that pass every check still go through, ten of them...
    for (let valid = 1; valid <= limit; valid++) {
      const signedUp = await formPost(app, "/signup", signUpForm(uniqueEmail("valid")), headers);
      expect(signedUp.status, `sign-up ${valid}`).toBe(302);
      expect(signedUp.headers.get("location")).toBe("/verify-email");
    }
    // ...and then the limit holds, for the form and the API alike.
    await expectReadable429(
      await formPost(app, "/signup", signUpForm(uniqueEmail("over")), headers),
      ADDRESS_LIMITS["sign-up"].windowSeconds,
    );
    const overApi = await fetch(app.url("/api/auth/sign-up/email"), {
      method: "POST",
      headers: { ...headers, origin: app.origin, "content-type": "application/json" },
      body: JSON.stringify({ name: "Over", email: uniqueEmail("over"), password: STRONG_PASSWORD }),
    });
    expect(overApi.status).toBe(429);
  });

  it.each(Object.entries(AUTH_API_LIMITS))(
    "Rate limits apply to the HTML forms and to /api/auth/* alike (POST /api/auth%s)",
    async (endpoint, limit) => {
      const rule = ADDRESS_LIMITS[limit];
      const headers = { ...from(newAddress()), origin: app.origin, "content-type": "application/json" };
      const post = () => fetch(app.url(`/api/auth${endpoint}`), { method: "POST", headers, body: "{}" });
      for (let attempt = 1; attempt <= rule.limit; attempt++) {
        expect((await post()).status, `attempt ${attempt}`).not.toBe(429);
      }
      const refused = await post();
      expect(refused.headers.get("content-type")).toMatch(/^application\/json/);
      await expectReadable429(refused, rule.windowSeconds);
    },
  );

  it("Rate limits apply to the HTML forms and to /api/auth/* alike: one count for both", async () => {
    const address = newAddress();
    const { limit } = ADDRESS_LIMITS["forgot-password"];
    const email = uniqueEmail("nobody");
    const api = () =>
      fetch(app.url("/api/auth/request-password-reset"), {
        method: "POST",
        headers: { ...from(address), origin: app.origin, "content-type": "application/json" },
        body: JSON.stringify({ email, redirectTo: "/reset-password" }),
      });
    for (let attempt = 1; attempt <= limit; attempt++) {
      const response =
        attempt % 2 ? await formPost(app, "/forgot-password", { email }, from(address)) : await api();
      expect(response.status, `attempt ${attempt}`).not.toBe(429);
    }
    expect((await formPost(app, "/forgot-password", { email }, from(address))).status).toBe(429);
    expect((await api()).status).toBe(429);
  });

  it("Rate limits apply to the HTML forms and to /api/auth/* alike — no password check goes around them: /api/auth/verify-password is not served", async () => {
    const address = newAddress();
    const attempt = (password: string, headers: Record<string, string> = {}) =>
      fetch(app.url("/api/auth/verify-password"), {
        method: "POST",
        headers: {
          ...from(address),
          cookie: signedIn,
          origin: app.origin,
          "content-type": "application/json",
          ...headers,
        },
        body: JSON.stringify({ password }),
      });
    // A session holder could otherwise guess the password the settings pages ask for, without limit.
    for (let guess = 1; guess <= ADDRESS_LIMITS.password.limit + 2; guess++) {
      expect((await attempt(`${WRONG_PASSWORD} ${guess}`)).status, `guess ${guess}`).toBe(404);
    }
    expect((await attempt(STRONG_PASSWORD)).status).toBe(404);
    // Positive control: the same session and address are served elsewhere under /api/auth/*.
    const session = await fetch(app.url("/api/auth/get-session"), {
      headers: { ...from(address), cookie: signedIn },
    });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ user: { email: expect.any(String) } });
  });

  it(
    "Per account: failed sign-ins are limited too (at most 100 in a row, NIST), without letting an attacker lock a user out from everywhere",
    { timeout: 240_000 },
    async () => {
      const home = newAddress();
      const { email } = await signUpOverHttp(app, uniqueEmail("target"), from(home));
      const signIn = (address: string, password: string) =>
        formPost(app, "/login", { email, password }, from(address));

      // 30 wrong passwords from one address: held back well before the 30th...
      const attacker = newAddress();
      const statuses: number[] = [];
      let refusal: Response | null = null;
      for (let attempt = 1; attempt <= 30; attempt++) {
        const response = await signIn(attacker, WRONG_PASSWORD);
        statuses.push(response.status);
        if (response.status === 429 && !refusal) refusal = response;
      }
      expect(statuses.indexOf(429)).toBe(SIGN_IN_FAILURE_LIMITS.fromAddress.limit);
      expect(statuses.indexOf(429)).toBeLessThan(29);
      if (!refusal) throw new Error("no 429");
      await expectReadable429(refusal, SIGN_IN_FAILURE_LIMITS.fromAddress.windowSeconds);
      // ...where even the right password waits now,
      expect((await signIn(attacker, STRONG_PASSWORD)).status).toBe(429);
      // ...while the same user signs in from another address.
      expect((await signIn(newAddress(), STRONG_PASSWORD)).status).toBe(302);

      // A hundred failures in a row, from many addresses (the first ten above count too),
      // hold the account for new addresses.
      const { fromAddress, forAccount } = SIGN_IN_FAILURE_LIMITS;
      let address = newAddress();
      for (let failure = fromAddress.limit; failure < forAccount.limit; failure++) {
        // Below each address's own limit, so that only the account-wide count can hold.
        if (failure % (fromAddress.limit - 1) === 0) address = newAddress();
        expect((await signIn(address, WRONG_PASSWORD)).status).toBe(400);
      }
      const stranger = newAddress();
      await expectReadable429(
        await signIn(stranger, STRONG_PASSWORD),
        SIGN_IN_FAILURE_LIMITS.forAccount.windowSeconds,
      );
      const overApi = await fetch(app.url("/api/auth/sign-in/email"), {
        method: "POST",
        headers: { ...from(stranger), origin: app.origin, "content-type": "application/json" },
        body: JSON.stringify({ email, password: STRONG_PASSWORD }),
      });
      await expectReadable429(overApi, SIGN_IN_FAILURE_LIMITS.forAccount.windowSeconds);

      // ...but not the addresses its owner signs in from, whose success leaves the hold in place...
      expect((await signIn(home, STRONG_PASSWORD)).status).toBe(302);
      expect((await signIn(stranger, STRONG_PASSWORD)).status).toBe(429);
      // ...until a reset by mail frees the account everywhere.
      expect((await formPost(app, "/forgot-password", { email }, from(stranger))).status).toBe(302);
      const resetLink = linkIn(
        await latestMail(app.services, email, "reset-password"),
        app.url("/reset-password?token="),
      );
      const newPassword = `${STRONG_PASSWORD} again`;
      const reset = await new HttpClient({ address: stranger }).pressOnLinkPage(resetLink, {
        password: newPassword,
        confirmPassword: newPassword,
      });
      expect(reset.status).toBe(302);
      expect((await signIn(stranger, newPassword)).status).toBe(302);
    },
  );

  it("Password hashing is shared fairly: limits counted per IPv6 /64 are also counted per /48 (a form's limit)", async () => {
    const { limit, windowSeconds } = ADDRESS_LIMITS["forgot-password"];
    const site = "2001:db8:4800";
    const post = (address: string) => formPost(app, "/forgot-password", {}, from(address));
    // SITE_FACTOR /64s of one /48 each use their whole budget...
    for (let subnet = 1; subnet <= SITE_FACTOR; subnet++) {
      for (let attempt = 1; attempt <= limit; attempt++) {
        expect((await post(`${site}:${subnet}::1`)).status, `/64 ${subnet}, attempt ${attempt}`).toBe(400);
      }
    }
    // ...and then a /64 of the same /48 that has not been heard from is held: the /48's budget is spent.
    await expectReadable429(await post(`${site}:ffff::1`), windowSeconds);
    // Positive control: a /64 of another /48 is served.
    expect((await post("2001:db8:4801:1::1")).status).toBe(400);
  });

  it(
    "Password hashing is shared fairly: limits counted per IPv6 /64 are also counted per /48 (failed sign-ins to one account)",
    { timeout: 120_000 },
    async () => {
      const { email } = await signUpOverHttp(app, uniqueEmail("site"), from(newAddress()));
      const { fromAddress } = SIGN_IN_FAILURE_LIMITS;
      const site = "2001:db8:4810";
      const signIn = (address: string, password: string) =>
        formPost(app, "/login", { email, password }, from(address));
      // Each /64 of the /48 up to its own limit: wrong passwords, every one of them checked.
      for (let subnet = 1; subnet <= SITE_FACTOR; subnet++) {
        for (let attempt = 1; attempt <= fromAddress.limit; attempt++) {
          expect((await signIn(`${site}:${subnet}::1`, WRONG_PASSWORD)).status, `/64 ${subnet}`).toBe(400);
        }
      }
      // A fresh /64 of that /48 may not try even the right password...
      await expectReadable429(await signIn(`${site}:ffff::1`, STRONG_PASSWORD), fromAddress.windowSeconds);
      // ...while the account's owner, elsewhere, signs in (the account-wide count is far from its limit).
      expect((await signIn("2001:db8:4811:1::1", STRONG_PASSWORD)).status).toBe(302);
    },
  );

  it(
    "The client address is the socket's, unless TRUST_PROXY says a proxy sets X-Forwarded-For: a forged header never resets a limit",
    { timeout: 90_000 },
    async () => {
      const direct = await startHttpApp();
      try {
        const { limit, windowSeconds } = ADDRESS_LIMITS["forgot-password"];
        for (let attempt = 1; attempt <= limit; attempt++) {
          const response = await formPost(direct, "/forgot-password", {}, from(newAddress()));
          expect(response.status).not.toBe(429);
        }
        await expectReadable429(
          await formPost(direct, "/forgot-password", {}, from(newAddress())),
          windowSeconds,
        );
      } finally {
        await direct.close();
      }
    },
  );

  it(
    "Counters live in the database so that every instance of the app shares them (they outlive a restart)",
    { timeout: 90_000 },
    async () => {
      const dir = path.join(mkdtempSync(path.join(tmpdir(), "todo-limits-")), "pglite");
      const { limit } = ADDRESS_LIMITS["forgot-password"];
      const first = await startHttpApp({ PGLITE_DIR: dir });
      for (let attempt = 1; attempt <= limit; attempt++) {
        expect((await formPost(first, "/forgot-password", {})).status).not.toBe(429);
      }
      await first.close();
      const second = await startHttpApp({ PGLITE_DIR: dir });
      try {
        expect((await formPost(second, "/forgot-password", {})).status).toBe(429);
      } finally {
        await second.close();
      }
    },
  );
});

describe.each(DATABASE_KINDS.filter((kind) => kind === "postgres"))(
  "Throttling across processes (%s)",
  () => {
    it(
      "Counters live in the database so that every instance of the app shares them: two server processes on one PostgreSQL",
      { timeout: 120_000 },
      async () => {
        await withTwoInstances(async ({ one, two, smtp }) => {
          const email = uniqueEmail("shared");
          await signUpOn(one, smtp, email, from(newAddress()));

          // Wrong passwords from one address, to each process in turn.
          const attacker = newAddress();
          const statuses: number[] = [];
          for (let attempt = 0; attempt < 30; attempt++) {
            const server = attempt % 2 ? two : one;
            statuses.push(
              (await server.post("/login", { email, password: WRONG_PASSWORD }, from(attacker))).status,
            );
          }
          expect(statuses.indexOf(429)).toBe(SIGN_IN_FAILURE_LIMITS.fromAddress.limit);
          expect(
            statuses.slice(SIGN_IN_FAILURE_LIMITS.fromAddress.limit).every((status) => status === 429),
          ).toBe(true);
          // The same user, from another address, on either process.
          expect(
            (await two.post("/login", { email, password: STRONG_PASSWORD }, from(newAddress()))).status,
          ).toBe(302);
        });
      },
    );
  },
);
