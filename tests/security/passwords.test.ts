import { scryptSync } from "node:crypto";
import { dictionary } from "@zxcvbn-ts/language-common";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { account } from "../../db/schema";
import { uniqueEmail } from "../support/client";
import type { HttpApp } from "../support/http-app";
import {
  APP_START_TIMEOUT_MS,
  Browser,
  logsOf,
  mailLink,
  signIn,
  signUp,
  startApp,
  userByEmail,
  type Account,
} from "./support";

const TOO_SHORT = "7 chars";
const SHORTEST = "8 chars!";
// 128 characters, not 128 UTF-16 units: an emoji is one character (two units).
const LONGEST = "🔐é a".repeat(32);
const TOO_LONG = `${LONGEST}x`;

describe("Passwords (ASVS 6.2, NIST 800-63B §3.1.1.2)", () => {
  let app: HttpApp;

  beforeAll(async () => {
    app = await startApp();
  }, APP_START_TIMEOUT_MS);
  afterAll(() => app.close());

  const signUpForm = (password: string, email = uniqueEmail("pw")) => ({
    name: "Password Tester",
    email,
    password,
    confirmPassword: password,
  });

  const changeForm = (currentPassword: string, newPassword: string) => ({
    currentPassword,
    newPassword,
    confirmPassword: newPassword,
  });

  /** The path of a fresh reset link for an account, asked for from another browser. */
  async function resetLink(email: string) {
    const asked = await new Browser(app).post("/forgot-password", { email });
    expect(asked.status).toBe(302);
    return mailLink(app, email, "reset-password", "/reset-password?token=");
  }

  const signsIn = async (credentials: Account) =>
    (await signIn(new Browser(app), credentials)).status === 302;

  it("At least 8 characters, at most 128 — sign-up form: 7 and 129 refused, 8 and 128 accepted", async () => {
    expect([...TOO_SHORT]).toHaveLength(7);
    expect([...LONGEST]).toHaveLength(128);
    expect([...TOO_LONG]).toHaveLength(129);
    for (const [password, reason] of [
      [TOO_SHORT, "at least 8"],
      [TOO_LONG, "at most 128"],
    ] as const) {
      const form = signUpForm(password);
      const refused = await new Browser(app).post("/signup", form);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain(reason);
      expect(await userByEmail(app, form.email)).toBeUndefined();
    }
    for (const password of [SHORTEST, LONGEST]) {
      const created = await signUp(new Browser(app), { password });
      expect(await signsIn(created)).toBe(true);
    }
  });

  it("At least 8 characters, at most 128 — change form: 7 and 129 refused, 128 accepted", async () => {
    const browser = new Browser(app);
    const owner = await signUp(browser);
    for (const password of [TOO_SHORT, TOO_LONG]) {
      const refused = await browser.post("/settings/password", changeForm(owner.password, password));
      expect(refused.status, password).toBe(400);
    }
    expect(await signsIn(owner)).toBe(true);
    const changed = await browser.post("/settings/password", changeForm(owner.password, LONGEST));
    expect(changed.status).toBe(302);
    expect(await signsIn({ email: owner.email, password: LONGEST })).toBe(true);
  });

  it("At least 8 characters, at most 128 — reset form: 7 and 129 refused, 8 accepted", async () => {
    const owner = await signUp(new Browser(app));
    const link = await resetLink(owner.email);
    const resetter = new Browser(app);
    const { path } = await resetter.openLink(link);
    for (const password of [TOO_SHORT, TOO_LONG]) {
      const refused = await resetter.post(path, { password, confirmPassword: password });
      expect(refused.status, password).toBe(400);
    }
    expect(await signsIn(owner)).toBe(true);
    const reset = await resetter.post(path, { password: SHORTEST, confirmPassword: SHORTEST });
    expect(reset.status).toBe(302);
    expect(await signsIn({ email: owner.email, password: SHORTEST })).toBe(true);
  });

  it("At least 8 characters, at most 128 — /api/auth/* too: sign-up, reset and change refuse 7 and 129", async () => {
    const browser = new Browser(app);
    const owner = await signUp(browser);
    const token = new URL(await resetLink(owner.email), app.origin).searchParams.get("token");
    // 129 plain letters: within better-auth's own ceiling (counted in UTF-16 units), beyond the app's rule.
    for (const password of [TOO_SHORT, "a".repeat(129)]) {
      const email = uniqueEmail("api-length");
      const calls: Array<[string, Response]> = [
        [
          "sign-up",
          await new Browser(app).postJson("/api/auth/sign-up/email", { name: "Api", email, password }),
        ],
        [
          "change",
          await browser.postJson("/api/auth/change-password", {
            currentPassword: owner.password,
            newPassword: password,
          }),
        ],
        [
          "reset",
          await new Browser(app).postJson("/api/auth/reset-password", { token, newPassword: password }),
        ],
      ];
      for (const [what, answer] of calls) expect(answer.status, `${what} with ${password.length}`).toBe(400);
      expect(await userByEmail(app, email)).toBeUndefined();
    }
    expect(await signsIn(owner)).toBe(true);
  });

  it("Any character allowed, spaces and emoji included; nothing truncated; no composition rules — spaces, emoji and symbols are kept exactly, not trimmed", async () => {
    const password = "  🦄 ünïcödé 中文\ttabs & <symbols> \"quotes\" 'ok'  ";
    const owner = await signUp(new Browser(app), { password });
    expect(await signsIn(owner)).toBe(true);
    expect(await signsIn({ email: owner.email, password: password.trim() })).toBe(false);
  });

  it("Any character allowed, spaces and emoji included; nothing truncated; no composition rules — a 128-character password that differs only in its last character does not sign in", async () => {
    const password = `${"pass phrase ".repeat(11)}abcdefgA`.slice(0, 128);
    expect(password).toHaveLength(128);
    const owner = await signUp(new Browser(app), { password });
    expect(await signsIn({ email: owner.email, password: `${password.slice(0, -1)}B` })).toBe(false);
    expect(await signsIn({ email: owner.email, password: password.slice(0, -1) })).toBe(false);
    expect(await signsIn(owner)).toBe(true);
  });

  it("Any character allowed, spaces and emoji included; nothing truncated; no composition rules — lower-case letters and spaces alone are enough", async () => {
    const owner = await signUp(new Browser(app), { password: "only lower case words" });
    expect(await signsIn(owner)).toBe(true);
  });

  const REASON = /one of the most common/;

  it("The most common passwords are refused with a reason — at sign-up, change and reset, on the forms", async () => {
    for (const password of ["password", "PassWord", "iloveyou1"]) {
      const form = signUpForm(password);
      const refused = await new Browser(app).post("/signup", form);
      expect(refused.status, password).toBe(400);
      expect(await refused.text()).toMatch(REASON);
      expect(await userByEmail(app, form.email)).toBeUndefined();
    }

    const browser = new Browser(app);
    const owner = await signUp(browser);
    const change = await browser.post("/settings/password", changeForm(owner.password, "qwertyuiop"));
    expect(change.status).toBe(400);
    expect(await change.text()).toMatch(REASON);

    const link = await resetLink(owner.email);
    const reset = await new Browser(app).pressOnLinkPage(link, {
      password: "sunshine",
      confirmPassword: "sunshine",
    });
    expect(reset.status).toBe(400);
    expect(await reset.text()).toMatch(REASON);
    expect(await signsIn(owner)).toBe(true);
  });

  it("The most common passwords are refused with a reason — in the same answer as every other problem of the form", async () => {
    const signup = await new Browser(app).post("/signup", {
      ...signUpForm("password"),
      name: "   ",
      email: "not an address",
    });
    expect(signup.status).toBe(400);
    const page = await signup.text();
    expect(page).toMatch(REASON);
    expect(page).toContain("Enter your name");
    expect(page).toContain("Enter an email address like name@example.com");

    const owner = await signUp(new Browser(app));
    const reset = await new Browser(app).pressOnLinkPage(await resetLink(owner.email), {
      password: "sunshine",
      confirmPassword: "sunshine!",
    });
    expect(reset.status).toBe(400);
    const resetPage = await reset.text();
    expect(resetPage).toMatch(REASON);
    expect(resetPage).toContain("The passwords do not match");
    // Positive control: a password off the list, with every other field right, is taken.
    const taken = await new Browser(app).post("/signup", signUpForm("violet kettle jumps quietly"));
    expect(taken.status).toBe(302);
  });

  it("The most common passwords are refused with a reason — through /api/auth/* too", async () => {
    const expectRefused = async (response: Response) => {
      expect(response.status).toBe(400);
      const body = (await response.json()) as { code?: string; message?: string };
      expect(body.code).toBe("PASSWORD_TOO_COMMON");
      expect(body.message).toMatch(REASON);
    };
    const email = uniqueEmail("api");
    await expectRefused(
      await new Browser(app).postJson("/api/auth/sign-up/email", {
        name: "Api",
        email,
        password: "password1",
      }),
    );
    expect(await userByEmail(app, email)).toBeUndefined();

    const browser = new Browser(app);
    const owner = await signUp(browser);
    await expectRefused(
      await browser.postJson("/api/auth/change-password", {
        currentPassword: owner.password,
        newPassword: "football",
      }),
    );
    const token = new URL(await resetLink(owner.email), app.origin).searchParams.get("token");
    await expectRefused(
      await new Browser(app).postJson("/api/auth/reset-password", { token, newPassword: "baseball" }),
    );
    expect(await signsIn(owner)).toBe(true);
  });

  it("The most common passwords are refused with a reason (a list of at least 10,000 that ships with the app; no network call).", async () => {
    // The list shipped as a dependency of the app (zxcvbn's), ranked most common first.
    const list = dictionary["passwords-common"];
    expect(list.length).toBeGreaterThanOrEqual(10_000);
    // Past the first 10,000, so a shorter list would let them through.
    const rare = list
      .slice(10_000)
      .filter((password) => password.length >= 8)
      .slice(0, 3);
    expect(rare).toHaveLength(3);
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    try {
      for (const password of rare) {
        const refused = await new Browser(app).post("/signup", signUpForm(password));
        expect(refused.status, password).toBe(400);
        expect(await refused.text()).toMatch(REASON);
      }
      // The server runs in this process: a call to a breach API would go through fetch.
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it("Password fields have `autocomplete` set so password managers fill them; pasting is never blocked", async () => {
    const browser = new Browser(app);
    const owner = await signUp(browser);
    const resetter = new Browser(app);
    await resetter.openLink(await resetLink(owner.email));
    // Every form with a password or an address, and the autocomplete each field needs (docs/security.md, P4).
    const pages: Array<[Browser, string, Record<string, string>]> = [
      [
        new Browser(app),
        "/signup",
        { email: "email", password: "new-password", confirmPassword: "new-password" },
      ],
      [new Browser(app), "/login", { email: "username", password: "current-password" }],
      [new Browser(app), "/forgot-password", { email: "email" }],
      [new Browser(app), "/verify-email", { email: "email" }],
      [resetter, "/reset-password", { password: "new-password", confirmPassword: "new-password" }],
      [
        browser,
        "/settings/password",
        { currentPassword: "current-password", newPassword: "new-password", confirmPassword: "new-password" },
      ],
      [browser, "/settings/email", { newEmail: "email", currentPassword: "current-password" }],
      [browser, "/settings/account", { currentPassword: "current-password" }],
    ];
    const scripts = new Set<string>();
    for (const [visitor, path, expected] of pages) {
      const page = await visitor.get(path);
      expect(page.status, path).toBe(200);
      const html = await page.text();
      const inputs = html.match(/<input\b[^>]*>/gi) ?? [];
      const attribute = (tag: string, name: string) =>
        new RegExp(`\\s${name}="([^"]*)"`, "i").exec(tag)?.[1] ?? null;
      for (const [field, autocomplete] of Object.entries(expected)) {
        const tag = inputs.find((input) => attribute(input, "name") === field);
        expect(tag, `${path} ${field}`).toBeDefined();
        expect(attribute(tag ?? "", "autocomplete"), `${path} ${field}`).toBe(autocomplete);
      }
      // No password or address field is left without one.
      for (const tag of inputs.filter((input) => /type="(password|email)"/i.test(input))) {
        expect(attribute(tag, "autocomplete"), `${path} ${tag}`).toMatch(
          /^(current-password|new-password|email|username)$/,
        );
      }
      expect(html, path).not.toMatch(/\son(paste|copy|cut|drop)\s*=/i);
      for (const [, src] of html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="(\/assets\/[^"]+\.js)"/g)) {
        if (src) scripts.add(src);
      }
    }
    // Nor does any of the page's own code listen for a paste (React's runtime names the event, so it is left out).
    const own = [...scripts].filter((src) => !/\/(components|entry\.client|jsx-runtime|index)-/.test(src));
    expect(own.length).toBeGreaterThan(3);
    for (const src of own) {
      const code = await (await new Browser(app).get(src)).text();
      expect(code, src).not.toMatch(/onPaste|["']paste["']|preventDefault\(\)[^;]*paste/);
    }
  });

  /** An account, its browser, and its password's hash as stored. */
  let hashed: Promise<{ owner: Account; browser: Browser; stored: string }> | undefined;
  const hashedAccount = () =>
    (hashed ??= (async () => {
      const browser = new Browser(app);
      const owner = await signUp(browser);
      const found = await userByEmail(app, owner.email);
      const [credential] = await app.services.database.db
        .select({ password: account.password })
        .from(account)
        .where(eq(account.userId, found?.id ?? "none"));
      return { owner, browser, stored: credential?.password ?? "" };
    })());

  it("Hashes are scrypt (better-auth's default) or stronger", async () => {
    const { owner, stored } = await hashedAccount();
    // better-auth's format: a random 16-byte salt and a 64-byte scrypt key (N=2^14, r=16, p=1), in hex.
    const match = /^([0-9a-f]{32}):([0-9a-f]{128})$/.exec(stored);
    expect(match, stored).not.toBeNull();
    const [, salt = "", key = ""] = match ?? [];
    const derived = scryptSync(owner.password.normalize("NFKC"), salt, 64, {
      N: 16_384,
      r: 16,
      p: 1,
      maxmem: 128 * 16_384 * 16 * 2,
    });
    expect(derived.toString("hex")).toBe(key);
    expect(stored).not.toContain(owner.password);
  });

  it("Hashes are scrypt (better-auth's default) or stronger; never logged, never returned.", async () => {
    const { owner, browser, stored } = await hashedAccount();
    const [salt = "", key = "missing"] = stored.split(":");
    const bodies: string[] = [];
    const keep = async (response: Response) => {
      bodies.push([...response.headers].join("\n"), await response.text());
    };
    await keep(await signIn(new Browser(app), owner));
    await keep(await browser.postJson("/api/auth/sign-in/email", owner));
    await keep(await browser.get("/api/auth/get-session"));
    await keep(await browser.get("/api/auth/list-accounts"));
    for (const path of ["/todos", "/settings/profile", "/settings/password", "/settings/account"]) {
      await keep(await browser.get(path));
      await keep(await browser.get(`${path}.data`));
    }
    const exported = await browser.post("/settings/account", { intent: "export" });
    expect(exported.status).toBe(303);
    await keep(await browser.get(exported.headers.get("location") ?? "/settings/account/export"));
    const changed = await browser.post("/settings/password", changeForm(owner.password, "a new pass phrase"));
    expect(changed.status).toBe(302);
    await keep(changed);

    const everything = [...bodies, await logsOf(app)].join("\n");
    expect(everything).toContain(owner.email);
    for (const secret of [key, salt, owner.password]) expect(everything).not.toContain(secret);
  });
});
