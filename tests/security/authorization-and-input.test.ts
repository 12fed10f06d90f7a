import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { todo, user } from "../../db/schema";
import { uniqueEmail, type FormFields } from "../support/client";
import type { HttpApp } from "../support/http-app";
import {
  APP_START_TIMEOUT_MS,
  accessToken,
  apiCall,
  appOrigin,
  Browser,
  logsOf,
  signIn,
  signUp,
  startApp,
  userByEmail,
  whileTodoTableIsMissing,
  type Account,
} from "./support";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";

const MEGABYTE = "x".repeat(1024 * 1024);

describe("Authorization and input (ASVS 8, 1, 2)", () => {
  let app: HttpApp;

  beforeAll(async () => {
    app = await startApp();
  }, APP_START_TIMEOUT_MS);
  afterAll(() => app.close());

  const todosOf = async (email: string) => {
    const owner = await userByEmail(app, email);
    return app.services.database.db
      .select()
      .from(todo)
      .where(eq(todo.userId, owner?.id ?? "none"));
  };

  /** A signed-in user with one todo. */
  async function withTodo(
    title = "Private plans",
  ): Promise<{ browser: Browser; owner: Account; id: string }> {
    const browser = new Browser(app);
    const owner = await signUp(browser);
    expect((await browser.post("/todos", { intent: "create", title })).status).toBe(302);
    const [row] = await todosOf(owner.email);
    return { browser, owner, id: row?.id ?? "none" };
  }

  /** A new signed-in user; `untouched` checks that nothing of theirs has changed since. */
  async function freshUser() {
    const browser = new Browser(app);
    const owner = await signUp(browser);
    const untouched = async () => {
      expect(await todosOf(owner.email)).toEqual([]);
      expect((await userByEmail(app, owner.email))?.name).toBe("Security Tester");
    };
    // The sign-in, sign-up and reset forms are for visitors who are not signed in.
    const senderOf = (path: string) =>
      path.startsWith("/todos") || path.startsWith("/settings") ? browser : new Browser(app);
    return { browser, owner, untouched, senderOf };
  }

  const PRIVATE_PAGES = [
    "/todos",
    "/todos?filter=completed",
    "/settings/profile",
    "/settings/email",
    "/settings/password",
    "/settings/sessions",
    "/settings/security",
    "/settings/account",
    "/settings/account/export",
  ];

  it("Every loader and action checks the session: without a valid one, private pages and actions send to sign-in and show or change nothing", async () => {
    const { browser, owner, id } = await withTodo("Only mine to see");
    const [name = "", value = ""] =
      [...browser.cookies].find(([cookie]) => cookie.endsWith(SESSION_COOKIE)) ?? [];
    const [token = "", signature = ""] = decodeURIComponent(value).split(".");
    const signedOut = new Browser(app);
    expect((await signedOut.post("/logout", {})).status).toBe(302);
    const visitors: Array<[string, Browser]> = [["no cookie", new Browser(app)]];
    const withCookie = (why: string, cookie: string) => {
      const visitor = new Browser(app);
      visitor.cookies.set(name, cookie);
      visitors.push([why, visitor]);
    };
    withCookie("a made-up token", encodeURIComponent(`${"A".repeat(32)}.${signature}`));
    withCookie(
      "the right token, signed wrongly",
      encodeURIComponent(`${token}.${"A".repeat(signature.length - 1)}=`),
    );
    withCookie("the right token, unsigned", token);
    const ended = new Browser(app);
    expect((await signIn(ended, owner)).status).toBe(302);
    const endedCookie = ended.cookies.get(name) ?? "";
    expect((await ended.post("/logout", {})).status).toBe(302);
    withCookie("a signed-out session", endedCookie);

    const actions: Array<[string, FormFields]> = [
      ["/todos", { intent: "create", title: "Anonymous" }],
      ["/todos", { intent: "toggle", id }],
      ["/todos", { intent: "delete", id }],
      ["/settings/profile", { name: "Anonymous" }],
      ["/settings/email", { newEmail: uniqueEmail("anon"), currentPassword: owner.password }],
      [
        "/settings/password",
        {
          currentPassword: owner.password,
          newPassword: "anon pass phrase",
          confirmPassword: "anon pass phrase",
        },
      ],
      ["/settings/sessions", { intent: "revoke-others" }],
      ["/settings/account", { intent: "delete-account", currentPassword: owner.password, confirm: "on" }],
      ["/settings/account", { intent: "export" }],
    ];
    const before = { user: await userByEmail(app, owner.email), todos: await todosOf(owner.email) };
    for (const [why, visitor] of visitors) {
      for (const path of PRIVATE_PAGES) {
        const page = await visitor.get(path);
        expect(page.status, `${path} with ${why}`).toBe(302);
        expect(page.headers.get("location"), `${path} with ${why}`).toBe(
          `/login?${new URLSearchParams({ redirectTo: path })}`,
        );
        const data = await visitor.get(path.replace(/^(\/[^?]*)/, "$1.data"));
        expect(await data.text(), `${path}.data with ${why}`).not.toContain("Only mine to see");
      }
      for (const [path, fields] of actions) {
        const answer = await visitor.post(path, fields);
        expect(answer.status, `${path} ${fields.intent} with ${why}`).toBe(302);
        expect(answer.headers.get("location"), `${path} with ${why}`).toMatch(/^\/login\?redirectTo=/);
      }
      expect(await (await visitor.get("/api/auth/get-session")).text(), why).toBe("null");
      expect((await visitor.postJson("/api/auth/update-user", { name: "Anonymous" })).status, why).toBe(401);
    }
    expect({ user: await userByEmail(app, owner.email), todos: await todosOf(owner.email) }).toEqual(before);
    expect(await browser.isSignedIn()).toBe(true);
  });

  it("Every loader and action checks the session; a todo is looked up by its id AND its owner; another user's id answers 404.", async () => {
    const { browser: ownerBrowser, owner, id } = await withTodo("Private plans");
    const intruder = new Browser(app);
    await signUp(intruder);
    const attempts: FormFields[] = [
      { intent: "toggle", id },
      { intent: "update", id, title: "Hacked" },
      { intent: "delete", id },
      // No todo at all has this id: the same answer.
      { intent: "toggle", id: randomUUID() },
    ];
    for (const fields of attempts) {
      const answer = await intruder.post("/todos", fields);
      expect(answer.status, JSON.stringify(fields)).toBe(404);
      expect(await answer.text()).not.toContain("Private plans");
    }
    // The list-wide actions touch only the intruder's own list.
    expect((await intruder.post("/todos", { intent: "toggle-all" })).status).toBe(302);
    expect((await intruder.post("/todos", { intent: "clear-completed" })).status).toBe(302);
    const intruderPage = await (await intruder.get("/todos")).text();
    expect(intruderPage).not.toContain("Private plans");
    expect(intruderPage).not.toContain(id);
    expect(await (await intruder.get("/todos.data")).text()).not.toContain(id);

    const [row] = await todosOf(owner.email);
    expect(row).toMatchObject({ id, title: "Private plans", completed: false });
    // The owner, asking the same, is answered.
    expect((await ownerBrowser.post("/todos", { intent: "toggle", id })).status).toBe(302);
  });

  it("Every loader and action checks the session; a todo is looked up by its id AND its owner; another user's id answers 404 — the JSON API, with bearer tokens", async () => {
    const { browser: ownerBrowser, owner, id } = await withTodo("Private plans");
    const intruder = new Browser(app);
    await signUp(intruder);
    const token = await accessToken(intruder);
    for (const [method, body] of [
      ["GET", undefined],
      ["PATCH", JSON.stringify({ title: "Hacked", completed: true })],
      ["DELETE", undefined],
    ] as const) {
      const answer = await apiCall(app, token, method, `/api/todos/${id}`, body);
      expect(answer.status, method).toBe(404);
      expect(await answer.text(), method).not.toContain("Private plans");
    }
    const list = await apiCall(app, token, "GET", "/api/todos");
    expect(list.status).toBe(200);
    expect(await list.text()).not.toContain(id);
    // No token, a forged one, or the session cookie instead: 401.
    const ownerToken = await accessToken(ownerBrowser);
    const [header = "", payload = ""] = ownerToken.split(".");
    for (const bad of ["", "not-a-token", `${header}.${payload}.${"A".repeat(86)}`]) {
      expect((await apiCall(app, bad, "GET", "/api/todos")).status, bad).toBe(401);
    }
    expect((await ownerBrowser.get("/api/todos")).status).toBe(401);
    expect(await todosOf(owner.email)).toMatchObject([{ id, title: "Private plans", completed: false }]);
  });

  it("Mass assignment is impossible: a form can set only the fields its schema names — todos", async () => {
    const { browser, owner } = await withTodo("First");
    const someoneElse = new Browser(app);
    const other = await signUp(someoneElse);
    const otherId = (await userByEmail(app, other.email))?.id ?? "none";
    const chosenId = randomUUID();
    const long_ago = "2000-01-01T00:00:00.000Z";
    const created = await browser.post("/todos", {
      intent: "create",
      title: "Mine alone",
      id: chosenId,
      userId: otherId,
      user_id: otherId,
      completed: "true",
      createdAt: long_ago,
      updatedAt: long_ago,
    });
    expect(created.status).toBe(302);
    const mine = (await todosOf(owner.email)).find((row) => row.title === "Mine alone");
    expect(mine).toBeDefined();
    expect(mine?.id).not.toBe(chosenId);
    expect(mine?.completed).toBe(false);
    expect(Math.abs((mine?.createdAt.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(await todosOf(other.email)).toEqual([]);

    const renamed = await browser.post("/todos", {
      intent: "update",
      id: mine?.id ?? "none",
      title: "Renamed",
      completed: "true",
      userId: otherId,
    });
    expect(renamed.status).toBe(302);
    const after = (await todosOf(owner.email)).find((row) => row.id === mine?.id);
    expect(after).toMatchObject({ title: "Renamed", completed: false, userId: mine?.userId });
    expect(await todosOf(other.email)).toEqual([]);
  });

  it("Mass assignment is impossible: a form can set only the fields its schema names — profile and sign-up, forms and /api/auth/*", async () => {
    const browser = new Browser(app);
    const owner = await signUp(browser, { name: "Careful Person" });
    const before = await userByEmail(app, owner.email);
    const extra = {
      email: uniqueEmail("taken-over"),
      emailVerified: "false",
      image: "https://evil.example/avatar.png",
      id: "someone-else",
      createdAt: "2000-01-01T00:00:00.000Z",
      role: "admin",
    };
    expect((await browser.post("/settings/profile", { name: "New Name", ...extra })).status).toBe(302);
    // Through /api/auth/*, any field besides the name is refused, and nothing changes.
    for (const field of [
      { emailVerified: false },
      { id: "someone-else" },
      { createdAt: "2000-01-01T00:00:00.000Z" },
      { role: "admin" },
      { image: "javascript:alert(document.cookie)" },
      { image: "x".repeat(90_000) },
      { image: { nested: true } },
      { image: "nul\u0000byte" },
    ]) {
      const viaApi = await browser.postJson("/api/auth/update-user", { name: "Api Name", ...field });
      expect(viaApi.status, JSON.stringify(field).slice(0, 60)).toBe(400);
      expect(await viaApi.json()).toMatchObject({ code: "FIELD_NOT_ALLOWED" });
    }
    const after = await userByEmail(app, owner.email);
    expect(after).toMatchObject({
      id: before?.id,
      name: "New Name",
      email: before?.email,
      emailVerified: true,
      image: before?.image,
      createdAt: before?.createdAt,
    });
    // Positive control: the name alone goes through.
    expect((await browser.postJson("/api/auth/update-user", { name: "Api Name" })).status).toBe(200);
    expect((await userByEmail(app, owner.email))?.name).toBe("Api Name");

    // Signing up cannot skip the confirmation or choose the account's id.
    const email = uniqueEmail("self-verified");
    const password = "self verified phrase";
    const signedUp = await new Browser(app).post("/signup", {
      name: "Sneaky",
      email,
      password,
      confirmPassword: password,
      emailVerified: "true",
      id: "chosen-id",
      image: "https://evil.example/x.png",
    });
    expect(signedUp.status).toBe(302);
    const apiEmail = uniqueEmail("self-verified-api");
    for (const field of [
      { emailVerified: true },
      { id: "chosen-api-id" },
      { image: "https://evil.example/x.png" },
    ]) {
      const refused = await new Browser(app).postJson("/api/auth/sign-up/email", {
        name: "Sneaky",
        email: apiEmail,
        password,
        ...field,
      });
      expect(refused.status, JSON.stringify(field)).toBe(400);
      expect(await refused.json()).toMatchObject({ code: "FIELD_NOT_ALLOWED" });
    }
    expect(await userByEmail(app, apiEmail)).toBeUndefined();
    // Positive control: the same sign-up without them makes an account that still waits for its link.
    const plain = await new Browser(app).postJson("/api/auth/sign-up/email", {
      name: "Sneaky",
      email: apiEmail,
      password,
    });
    expect(plain.status).toBe(200);
    for (const address of [email, apiEmail]) {
      const row = await userByEmail(app, address);
      expect(row?.emailVerified, address).toBe(false);
      expect(row?.id, address).not.toMatch(/^chosen/);
      expect((await signIn(new Browser(app), { email: address, password })).status, address).toBe(403);
    }
  });

  it("Mass assignment is impossible: a form can set only the fields its schema names — the JSON API refuses fields its schema does not name", async () => {
    const browser = new Browser(app);
    const owner = await signUp(browser);
    const other = await signUp(new Browser(app));
    const token = await accessToken(browser);
    const otherId = (await userByEmail(app, other.email))?.id ?? "none";
    for (const extra of [
      { completed: true },
      { userId: otherId },
      { id: randomUUID() },
      { createdAt: "2000-01-01T00:00:00Z" },
    ]) {
      const answer = await apiCall(
        app,
        token,
        "POST",
        "/api/todos",
        JSON.stringify({ title: "Sneaky", ...extra }),
      );
      expect(answer.status, JSON.stringify(extra)).toBe(400);
    }
    const created = await apiCall(app, token, "POST", "/api/todos", JSON.stringify({ title: "Plain" }));
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const patched = await apiCall(
      app,
      token,
      "PATCH",
      `/api/todos/${id}`,
      JSON.stringify({ title: "Moved", userId: otherId }),
    );
    expect(patched.status).toBe(400);
    expect((await todosOf(owner.email)).map((row) => row.title)).toEqual(["Plain"]);
    expect(await todosOf(other.email)).toEqual([]);
  });

  it("Every input is parsed with a schema; hostile input gets a 4xx — the JSON API: huge, malformed, wrong type, NUL bytes; metacharacters stored exactly", async () => {
    const browser = new Browser(app);
    const owner = await signUp(browser);
    const token = await accessToken(browser);
    const cases: Array<[string, string | undefined, Record<string, string>, number]> = [
      ["huge", JSON.stringify({ title: MEGABYTE }), {}, 413],
      ["malformed", '{"title": ', {}, 400],
      ["not JSON", "title=x", { "content-type": "application/x-www-form-urlencoded" }, 415],
      ["array", JSON.stringify({ title: ["a", "b"] }), {}, 400],
      ["number", JSON.stringify({ title: 42 }), {}, 400],
      ["object", JSON.stringify({ title: { $ne: null } }), {}, 400],
      ["null body", "null", {}, 400],
      ["NUL", JSON.stringify({ title: "nul\u0000byte" }), {}, 400],
    ];
    for (const [what, body, headers, status] of cases) {
      const answer = await apiCall(app, token, "POST", "/api/todos", body, headers);
      expect(answer.status, what).toBe(status);
      expect(answer.headers.get("content-type"), what).toMatch(/^application\/problem\+json/);
    }
    expect((await apiCall(app, token, "GET", "/api/todos?filter=%E0%A4%A")).status).toBe(400);
    expect(
      (await apiCall(app, token, "PATCH", "/api/todos/not-a-uuid", JSON.stringify({ completed: true })))
        .status,
    ).toBeLessThan(500);
    expect(await todosOf(owner.email)).toEqual([]);
    const title = `'; DROP TABLE todo; -- <script>alert(1)</script> "quoted" & more`;
    const created = await apiCall(app, token, "POST", "/api/todos", JSON.stringify({ title }));
    expect(created.status).toBe(201);
    expect(((await created.json()) as { title: string }).title).toBe(title);
    expect((await todosOf(owner.email)).map((row) => row.title)).toEqual([title]);
  });

  it("Every input is parsed with a schema; hostile input gets a 4xx — huge: a megabyte in any field is refused with 413 before it is read, and nothing is stored", async () => {
    const { browser, owner, untouched } = await freshUser();
    const forms: Array<[string, FormFields]> = [
      ["/todos", { intent: "create", title: MEGABYTE }],
      ["/settings/profile", { name: MEGABYTE }],
      ["/login", { email: owner.email, password: MEGABYTE }],
      ["/signup", { name: "Big", email: uniqueEmail("big"), password: MEGABYTE, confirmPassword: MEGABYTE }],
      ["/forgot-password", { email: `${MEGABYTE}@example.com` }],
    ];
    for (const [path, fields] of forms)
      expect((await new Browser(app).post(path, fields)).status, path).toBe(413);
    for (const path of ["/api/auth/sign-in/email", "/api/auth/sign-up/email", "/api/auth/update-user"]) {
      const answer = await browser.postJson(path, { name: MEGABYTE, email: owner.email, password: MEGABYTE });
      expect(answer.status, path).toBe(413);
    }
    // Over a field's own limit but under the body's: 400, beside the field.
    expect((await browser.post("/todos", { intent: "create", title: "x".repeat(501) })).status).toBe(400);
    expect((await browser.post("/settings/profile", { name: "x".repeat(101) })).status).toBe(400);
    await untouched();
  });

  it("Every input is parsed with a schema; hostile input gets a 4xx — wrong type: repeated fields, JSON or other bodies where a form is expected, values of the wrong JSON type", async () => {
    const { browser, owner, untouched, senderOf } = await freshUser();
    const repeated: Array<[string, FormFields]> = [
      ["/todos", { intent: "create", title: ["one", "two"] }],
      ["/todos", { intent: ["create", "clear-completed"], title: "x" }],
      ["/settings/profile", { name: ["One", "Two"] }],
      ["/login", { email: [owner.email, "other@example.com"], password: owner.password }],
      [
        "/signup",
        {
          name: ["A", "B"],
          email: uniqueEmail("array"),
          password: "array pass phrase",
          confirmPassword: "array pass phrase",
        },
      ],
      ["/forgot-password", { email: [owner.email, owner.email] }],
    ];
    for (const [path, fields] of repeated) {
      const answer = await senderOf(path).post(path, fields);
      expect(answer.status, `${path} ${JSON.stringify(fields)}`).toBe(400);
    }
    const bodies: Array<[string, string]> = [
      ["application/json", JSON.stringify({ intent: "create", title: "json" })],
      ["text/plain", "intent=create&title=plain"],
      ["application/xml", "<intent>create</intent>"],
      ["multipart/form-data; boundary=nope", "not multipart at all"],
    ];
    for (const [type, body] of bodies) {
      const answer = await browser.request("/todos", {
        method: "POST",
        body,
        headers: { "content-type": type, origin: appOrigin(app), "sec-fetch-mode": "navigate" },
      });
      expect(answer.status, type).toBeGreaterThanOrEqual(400);
      expect(answer.status, type).toBeLessThan(500);
    }
    const json: Array<[string, unknown]> = [
      ["/api/auth/sign-in/email", { email: [owner.email], password: owner.password }],
      ["/api/auth/sign-in/email", { email: owner.email, password: 12345678 }],
      ["/api/auth/sign-in/email", { email: { $ne: null }, password: { $ne: null } }],
      [
        "/api/auth/sign-up/email",
        { name: { first: "A" }, email: uniqueEmail("json"), password: "json pass phrase" },
      ],
      ["/api/auth/sign-up/email", { name: "A", email: null, password: "json pass phrase" }],
      ["/api/auth/update-user", { name: ["Array"] }],
      ["/api/auth/update-user", { name: 42 }],
    ];
    for (const [path, body] of json) {
      const answer = await browser.postJson(path, body);
      expect(answer.status, `${path} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, `${path} ${JSON.stringify(body)}`).toBeLessThan(500);
    }
    const broken = await browser.request("/api/auth/sign-in/email", {
      method: "POST",
      body: '{"email": "a@b.c", "password": ',
      headers: { "content-type": "application/json", origin: appOrigin(app) },
    });
    expect(broken.status).toBe(400);
    await untouched();
  });

  it("Every input is parsed with a schema; hostile input gets a 4xx — malformed: percent-encoding in a query, and in a form (decoded as the standard says, never a 500)", async () => {
    const browser = new Browser(app);
    const owner = await signUp(browser);
    expect((await browser.get("/todos?filter=%E0%A4%A")).status).toBe(400);
    expect((await browser.get("/todos?filter=%ZZ")).status).toBe(400);
    const raw = "intent=create&title=%ZZ+100%25+%E0%A4%A";
    const answer = await browser.request("/todos", {
      method: "POST",
      body: raw,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: appOrigin(app),
        "sec-fetch-mode": "navigate",
      },
    });
    expect(answer.status).toBeLessThan(500);
    // Stored, if at all, exactly as the form's encoding defines it.
    const expected = new URLSearchParams(raw).get("title");
    for (const row of await todosOf(owner.email)) expect(row.title).toBe(expected);
  });

  it("Every input is parsed with a schema; hostile input gets a 4xx — malformed: percent-encoding in the path is a 400, not a 500", async () => {
    const browser = new Browser(app);
    await signUp(browser);
    for (const path of ["/todos%E0%A4%A", "/%E0%A4%A", "/login%ZZ", "/settings/%ZZ", "/api/auth/%E0%A4%A"]) {
      for (const visitor of [browser, new Browser(app)]) {
        const answer = await visitor.get(path);
        expect(answer.status, path).toBeGreaterThanOrEqual(400);
        expect(answer.status, path).toBeLessThan(500);
      }
    }
  });

  it("Every input is parsed with a schema; hostile input gets a 4xx — NUL bytes are refused and never stored", async () => {
    const { browser, owner, untouched, senderOf } = await freshUser();
    const forms: Array<[string, FormFields]> = [
      ["/todos", { intent: "create", title: "nul\u0000byte" }],
      ["/settings/profile", { name: "Nul\u0000Name" }],
      [
        "/signup",
        {
          name: "N",
          email: `nul\u0000${uniqueEmail("nul")}`,
          password: "nul pass phrase",
          confirmPassword: "nul pass phrase",
        },
      ],
      ["/forgot-password", { email: `${owner.email}\u0000` }],
      ["/login", { email: `${owner.email}\u0000`, password: owner.password }],
    ];
    for (const [path, fields] of forms)
      expect((await senderOf(path).post(path, fields)).status, path).toBe(400);
    for (const [path, body] of [
      [
        "/api/auth/sign-up/email",
        { name: "Nul\u0000", email: uniqueEmail("nul-api"), password: "nul pass phrase" },
      ],
      ["/api/auth/update-user", { name: "Nul\u0000" }],
    ] as const) {
      expect((await browser.postJson(path, body)).status, path).toBe(400);
    }
    await untouched();
    const names = await app.services.database.db.select({ name: user.name, email: user.email }).from(user);
    expect(names.filter((row) => `${row.name}${row.email}`.includes("\u0000"))).toEqual([]);
  });

  it("Every input is parsed with a schema; hostile input is stored, if at all, exactly as typed and shown as text — SQL and HTML metacharacters", async () => {
    const browser = new Browser(app);
    const owner = await signUp(browser, { email: uniqueEmail("o'brien+tag") });
    const titles = [
      "'; DROP TABLE todo; --",
      '" OR 1=1 --',
      'Robert\'); DELETE FROM "user";--',
      "<script>alert(1)</script>",
      '"><img src=x onerror=alert(1)>',
      "&lt;b&gt; &amp; &#39;",
      "{{7*7}} ${7*7} %s %n \\ / `whoami`",
    ];
    for (const title of titles) {
      expect((await browser.post("/todos", { intent: "create", title })).status, title).toBe(302);
    }
    expect((await todosOf(owner.email)).map((row) => row.title)).toEqual(titles);
    const name = `<b>Bold</b> O'Brien "Quoted" & Co`;
    expect((await browser.post("/settings/profile", { name })).status).toBe(302);
    expect((await userByEmail(app, owner.email))?.name).toBe(name);
    expect(owner.email).toContain("o'brien+tag");

    const page = await browser.get("/todos");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).not.toMatch(/<img[^>]*onerror/i);
    expect(html).not.toContain("<b>Bold</b>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;b&gt;Bold&lt;/b&gt; O&#x27;Brien &quot;Quoted&quot; &amp; Co");
    expect(html).toContain("&amp;lt;b&amp;gt; &amp;amp; &amp;#39;");
    // The tables are all still there.
    expect((await app.services.database.db.select().from(user)).length).toBeGreaterThan(1);
  });

  it("Errors never show stack traces or internals; they are logged with a request id that the error page shows.", async () => {
    const browser = new Browser(app);
    await signUp(browser);
    const token = await accessToken(browser);
    const failures = await whileTodoTableIsMissing(app, async () => [
      await browser.get("/todos"),
      await browser.get("/todos.data"),
      await browser.post("/todos", { intent: "create", title: "During the fault" }),
      await apiCall(app, token, "GET", "/api/todos"),
    ]);
    const refusals = [
      await browser.get("/no/such/page"),
      await browser.get("/todos?filter=nonsense"),
      await browser.request("/todos", {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json", origin: appOrigin(app) },
      }),
      await browser.post("/todos", { intent: "create", title: MEGABYTE }),
      await browser.post("/todos", { intent: "create", title: "x" }, { origin: "https://evil.example" }),
      await browser.postJson("/api/auth/sign-in/email", { email: "nobody@example.com", password: 7 }),
    ];
    expect(failures.map((response) => response.status)).toEqual([500, 500, 500, 500]);
    expect(refusals.map((response) => response.status)).toEqual([404, 400, 415, 413, 403, 400]);
    const logs = await logsOf(app);
    for (const response of [...failures, ...refusals]) {
      const body = await response.text();
      const requestId = response.headers.get("x-request-id") ?? "none";
      const what = `${response.status} ${requestId}`;
      expect(body, what).not.toMatch(/\bat \S+ \(?\S+:\d+:\d+\)?|\.(ts|js|mjs):\d+/);
      expect(body, what).not.toMatch(
        /todo_away|relation "|does not exist|node_modules|drizzle|pglite|postgres|\/work\/|file:\/\//i,
      );
      expect(logs, what).toContain(`"reqId":"${requestId}"`);
      if ((response.headers.get("content-type") ?? "").startsWith("text/html"))
        expect(body, what).toContain(requestId);
    }
    // Each failure is logged as an error, with its cause, under the id its page shows.
    for (const response of failures) {
      const requestId = response.headers.get("x-request-id") ?? "none";
      const errors = app.logLines.filter(
        (line) => line.includes(`"reqId":"${requestId}"`) && line.includes('"level":50'),
      );
      expect(errors.join("\n"), requestId).toMatch(/does not exist/);
    }
  });
});
