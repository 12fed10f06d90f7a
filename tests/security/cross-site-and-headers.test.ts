import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  account,
  auditEvent,
  emailChange,
  mailOutbox,
  session,
  todo,
  user,
  verification,
} from "../../db/schema";
import { uniqueEmail } from "../support/client";
import type { HttpApp } from "../support/http-app";
import {
  APP_START_TIMEOUT_MS,
  accessToken,
  apiCall,
  appOrigin,
  Browser,
  mailLink,
  signIn,
  signUp,
  startApp,
  whileTodoTableIsMissing,
  type Account,
  type HeaderFields,
} from "./support";

const EVIL = "https://evil.example";

describe("Cross-site requests and headers (ASVS 3.4, 3.5)", () => {
  let app: HttpApp;

  // Served over https, as in production, so that HSTS is among the headers to check.
  beforeAll(async () => {
    app = await startApp({ APP_URL: "https://todo.example.com" });
  }, APP_START_TIMEOUT_MS);
  afterAll(() => app.close());

  /** Everything a request could change, to compare before and after. */
  async function everything() {
    const { db } = app.services.database;
    const [users, accounts, sessions, todos, mails, changes, verifications, events] = await Promise.all([
      db.select().from(user),
      db.select().from(account),
      db.select().from(session),
      db.select().from(todo),
      db.select({ id: mailOutbox.id }).from(mailOutbox),
      db.select().from(emailChange),
      db.select().from(verification),
      db.select({ id: auditEvent.id }).from(auditEvent),
    ]);
    const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
    return {
      users: byId(users),
      accounts: byId(accounts),
      sessions: byId(sessions),
      todos: byId(todos),
      mails: byId(mails),
      changes,
      verifications: byId(verifications),
      events: byId(events),
    };
  }

  /** A signed-in owner with one todo, and its id. */
  async function ownerWithTodo(): Promise<{ browser: Browser; owner: Account; id: string }> {
    const browser = new Browser(app);
    const owner = await signUp(browser);
    expect((await browser.post("/todos", { intent: "create", title: "Keep me" })).status).toBe(302);
    const found = await app.services.database.db.select().from(todo);
    const mine = found.find((row) => row.title === "Keep me" && !row.completed);
    return { browser, owner, id: mine?.id ?? "none" };
  }

  it("Every state-changing request (POST, PUT, PATCH, DELETE), form or API, whose `Origin` (or, lacking one, `Referer`) is not `APP_URL` gets 403 and changes nothing; `Sec-Fetch-Site: cross-site` likewise", async () => {
    const { browser, owner, id } = await ownerWithTodo();
    const origin = appOrigin(app);
    const forgeries: HeaderFields[] = [
      { origin: EVIL },
      { origin: "null" },
      { origin: `${origin}.evil.example` },
      { origin: origin.replace(/^https:/, "http:") },
      { origin: `${new URL(origin).protocol}//${new URL(origin).hostname}:1` },
      { origin: undefined, referer: `${EVIL}/attack.html` },
      { origin: undefined, referer: `${origin}.evil.example/attack.html` },
      { origin: undefined, referer: undefined },
      { origin, "sec-fetch-site": "cross-site" },
      { origin: undefined, referer: `${origin}/todos`, "sec-fetch-site": "cross-site" },
    ];
    const newPassword = "a forged pass phrase";
    const forms: Array<[string, Record<string, string>]> = [
      ["/todos", { intent: "create", title: "Forged" }],
      ["/todos", { intent: "toggle", id }],
      ["/todos", { intent: "delete", id }],
      ["/todos", { intent: "clear-completed" }],
      ["/settings/profile", { name: "Forged Name" }],
      ["/settings/password", { currentPassword: owner.password, newPassword, confirmPassword: newPassword }],
      ["/settings/email", { newEmail: uniqueEmail("forged"), currentPassword: owner.password }],
      ["/settings/sessions", { intent: "revoke-others" }],
      ["/settings/account", { intent: "delete-account", currentPassword: owner.password, confirm: "on" }],
      ["/logout", {}],
      ["/login", { email: owner.email, password: owner.password }],
      [
        "/signup",
        { name: "Forged", email: uniqueEmail("forged"), password: newPassword, confirmPassword: newPassword },
      ],
      ["/forgot-password", { email: owner.email }],
      ["/verify-email", { email: owner.email }],
    ];
    const apiCalls: Array<[string, Record<string, unknown>]> = [
      ["/api/auth/sign-out", {}],
      ["/api/auth/update-user", { name: "Forged Name" }],
      ["/api/auth/change-password", { currentPassword: owner.password, newPassword }],
      ["/api/auth/revoke-sessions", {}],
      ["/api/auth/delete-user", { password: owner.password }],
      ["/api/auth/sign-in/email", { ...owner }],
      ["/api/auth/sign-up/email", { name: "Forged", email: uniqueEmail("forged"), password: newPassword }],
      ["/api/auth/request-password-reset", { email: owner.email }],
    ];
    const before = await everything();
    for (const headers of forgeries) {
      const why = JSON.stringify(headers);
      for (const [path, fields] of forms) {
        const answer = await browser.post(path, fields, headers);
        expect(answer.status, `${path} ${why}`).toBe(403);
      }
      for (const [path, body] of apiCalls) {
        const answer = await browser.postJson(path, body, headers);
        expect(answer.status, `${path} ${why}`).toBe(403);
      }
      for (const method of ["PUT", "PATCH", "DELETE"]) {
        for (const path of ["/todos", "/settings/profile", "/api/auth/update-user"]) {
          const answer = await browser.request(path, {
            method,
            body: "intent=delete&id=" + id,
            headers: { "content-type": "application/x-www-form-urlencoded", origin, ...headers },
          });
          expect(answer.status, `${method} ${path} ${why}`).toBe(403);
        }
      }
    }
    // A request that carries the cookie is not exempt, whatever Authorization header it adds.
    const withBearer = await browser.post(
      "/todos",
      { intent: "create", title: "Forged" },
      { origin: EVIL, authorization: "Bearer x" },
    );
    expect(withBearer.status).toBe(403);

    expect(await everything()).toEqual(before);
    expect(await browser.isSignedIn()).toBe(true);
    // The same requests from the app's own pages are accepted: the refusals were about where they came from.
    expect((await browser.post("/todos", { intent: "toggle", id })).status).toBe(302);
  });

  it("Every state-changing request whose Origin is not APP_URL gets 403 — requests authenticated only by a bearer token carry no cookie and are exempt", async () => {
    const browser = new Browser(app);
    await signUp(browser);
    const token = await accessToken(browser);
    const body = (title: string) => JSON.stringify({ title });
    // A program: a bearer token and no cookie, whatever Origin it sends (or none) and from wherever.
    for (const headers of [{}, { origin: EVIL }, { origin: "null", "sec-fetch-site": "cross-site" }]) {
      const created = await apiCall(app, token, "POST", "/api/todos", body("From a program"), headers);
      expect(created.status, JSON.stringify(headers)).toBe(201);
    }
    // Exempt from the origin check only, not from authentication.
    expect(
      (await apiCall(app, "not.a.token", "POST", "/api/todos", body("Forged"), { origin: EVIL })).status,
    ).toBe(401);
    // Not exempt when it also carries the browser's cookie: a page elsewhere could have sent that.
    const withCookie = await apiCall(app, token, "POST", "/api/todos", body("Forged"), {
      origin: EVIL,
      cookie: browser.cookieHeader,
    });
    expect(withCookie.status).toBe(403);
    const titles = (await app.services.database.db.select({ title: todo.title }).from(todo)).map(
      (row) => row.title,
    );
    expect(titles.filter((title) => title === "From a program")).toHaveLength(3);
    expect(titles).not.toContain("Forged");
  });

  it("Every state-changing request whose Origin is not APP_URL gets 403 — a page a person can read", async () => {
    const answer = await new Browser(app).post("/signup", { name: "x" }, { origin: EVIL });
    expect(answer.status).toBe(403);
    expect(answer.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await answer.text()).toContain("Request refused");
  });

  it("No state change over GET.", async () => {
    const { browser, owner, id } = await ownerWithTodo();
    const newEmail = uniqueEmail("pending");
    expect(
      (await browser.post("/settings/email", { newEmail, currentPassword: owner.password })).status,
    ).toBe(302);
    const confirm = await mailLink(app, newEmail, "email-change", "/confirm-email?token=");
    const unverified = uniqueEmail("unverified");
    const password = "unverified pass phrase";
    expect(
      (
        await new Browser(app).post("/signup", {
          name: "U",
          email: unverified,
          password,
          confirmPassword: password,
        })
      ).status,
    ).toBe(302);

    const credentials = new URLSearchParams({
      currentPassword: owner.password,
      newPassword: "get pass phrase",
      confirmPassword: "get pass phrase",
    });
    const paths = [
      `/todos?intent=create&title=Forged`,
      `/todos?intent=toggle&id=${id}`,
      `/todos?intent=delete&id=${id}`,
      `/todos?intent=toggle-all`,
      `/settings/profile?name=Forged`,
      `/settings/password?${credentials}`,
      `/settings/email?newEmail=${encodeURIComponent(uniqueEmail("get"))}&currentPassword=${encodeURIComponent(owner.password)}`,
      `/settings/email?intent=cancel`,
      `/settings/sessions?intent=revoke-others`,
      `/settings/account?intent=delete-account&currentPassword=${encodeURIComponent(owner.password)}&confirm=on`,
      `/logout`,
      `/signup?name=G&email=${encodeURIComponent(uniqueEmail("get"))}&password=get+pass+phrase&confirmPassword=get+pass+phrase`,
      `/forgot-password?email=${encodeURIComponent(owner.email)}`,
      `/verify-email?email=${encodeURIComponent(unverified)}`,
      confirm,
      await mailLink(app, unverified, "verify-email", "/verify-email?token="),
      `/api/auth/sign-out`,
      `/api/auth/update-user?name=Forged`,
      `/api/auth/delete-user`,
      `/api/auth/revoke-sessions`,
      `/api/auth/change-password?${credentials}`,
      `/api/auth/request-password-reset?email=${encodeURIComponent(owner.email)}`,
      `/api/auth/send-verification-email?email=${encodeURIComponent(unverified)}`,
    ];
    const before = await everything();
    for (const path of paths) {
      for (const method of ["GET", "HEAD"]) {
        const answer = await browser.request(path, { method });
        expect(answer.status, `${method} ${path}`).toBeLessThan(500);
      }
    }
    expect(await everything()).toEqual(before);
    expect(await browser.isSignedIn()).toBe(true);
  });

  /** Where a redirect leads, resolved as a browser would. */
  const destination = (location: string | null) => new URL(location ?? "/", appOrigin(app));

  /** Signs in with a `redirectTo`; the answer must lead to a path on this site. */
  async function expectSignInStaysOnSite(owner: Account, target: string) {
    const answer = await signIn(new Browser(app), owner, { redirectTo: target });
    expect(answer.status, JSON.stringify(target)).toBe(302);
    const location = answer.headers.get("location") ?? "";
    expect(location, JSON.stringify(target)).toMatch(/^\/(?![/\\])/);
    expect(destination(location).origin, JSON.stringify(target)).toBe(appOrigin(app));
  }

  it("No open redirects: `redirectTo` and every callback URL stay on the site (`//evil`, `/\\evil`, absolute URLs refused) — redirectTo", async () => {
    const owner = await signUp(new Browser(app));
    const targets = [
      "//evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      "https://evil.example/",
      "HTTPS://evil.example",
      "http:evil.example",
      "https:/evil.example",
      "\t//evil.example",
      "/\t/evil.example",
      "%2F%2Fevil.example",
      "/%2F%2Fevil.example",
      "/%5Cevil.example",
      "javascript:alert(1)",
      "@evil.example",
    ];
    for (const target of targets) {
      // The sign-in page keeps only a safe path for the form...
      const page = await (
        await new Browser(app).get(`/login?redirectTo=${encodeURIComponent(target)}`)
      ).text();
      const hidden = /name="redirectTo"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="redirectTo"/.exec(page);
      const kept = (hidden?.[1] ?? hidden?.[2] ?? "").replaceAll("&amp;", "&");
      expect(destination(kept || "/").origin, JSON.stringify(target)).toBe(appOrigin(app));
      // ...and signing in with it anyway sends the user somewhere on the site.
      await expectSignInStaysOnSite(owner, target);
    }
    // A path on the site is kept.
    const kept = await signIn(new Browser(app), owner, { redirectTo: "/todos?filter=active" });
    expect(kept.headers.get("location")).toBe("/todos?filter=active");
  });

  it("No open redirects: `redirectTo` stays on the site — dot segments (`/..//evil`) do not turn a path into `//evil`", async () => {
    const owner = await signUp(new Browser(app));
    for (const target of [
      "/..//evil.example",
      "/.//evil.example",
      "/%2e%2e//evil.example",
      "/todos/..//evil.example",
    ]) {
      await expectSignInStaysOnSite(owner, target);
    }
  });

  it("No open redirects: every callback URL of /api/auth/* stays on the site (`//evil`, `/\\evil`, absolute URLs refused)", async () => {
    const owner = await signUp(new Browser(app));
    for (const target of [
      "//evil.example",
      "/\\evil.example",
      "https://evil.example/",
      "http:evil.example",
      "javascript:alert(1)",
      "/..//evil.example",
    ]) {
      const why = JSON.stringify(target);
      const calls = [
        await new Browser(app).postJson("/api/auth/sign-in/email", { ...owner, callbackURL: target }),
        await new Browser(app).postJson("/api/auth/sign-up/email", {
          name: "Cb",
          email: uniqueEmail("callback"),
          password: "callback pass phrase",
          callbackURL: target,
        }),
        await new Browser(app).postJson("/api/auth/request-password-reset", {
          email: owner.email,
          redirectTo: target,
        }),
        await new Browser(app).postJson("/api/auth/send-verification-email", {
          email: owner.email,
          callbackURL: target,
        }),
        await new Browser(app).get(
          `/api/auth/verify-email?token=x&callbackURL=${encodeURIComponent(target)}`,
        ),
        await new Browser(app).get(`/api/auth/reset-password/x?callbackURL=${encodeURIComponent(target)}`),
      ];
      for (const [index, answer] of calls.entries()) {
        // Refused: by better-auth's own check (403) or by ours, which also refuses `/..//evil` (400).
        expect([400, 403], `${why} #${index}`).toContain(answer.status);
        expect(answer.headers.get("location"), `${why} #${index}`).toBeNull();
      }
    }
  });

  /** Every header the line asks for, on one response. */
  function expectSecurityHeaders(response: Response, what: string) {
    const csp = response.headers.get("content-security-policy") ?? "";
    const directive = (name: string) =>
      csp
        .split(";")
        .map((part) => part.trim().split(/\s+/))
        .find(([key]) => key === name)
        ?.slice(1) ?? [];
    expect(
      directive("script-src").some((source) => /^'nonce-[A-Za-z0-9+/=]{16,}'$/.test(source)),
      what,
    ).toBe(true);
    expect(directive("script-src"), what).not.toContain("'unsafe-inline'");
    expect(directive("script-src"), what).not.toContain("'unsafe-eval'");
    expect(directive("object-src"), what).toEqual(["'none'"]);
    expect(directive("base-uri"), what).toEqual(["'none'"]);
    expect(directive("frame-ancestors"), what).toEqual(["'none'"]);
    expect(response.headers.get("x-content-type-options"), what).toBe("nosniff");
    expect(response.headers.get("referrer-policy"), what).toMatch(
      /^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/,
    );
    expect(response.headers.get("cross-origin-opener-policy"), what).toBe("same-origin");
    // Served over https (APP_URL): HSTS for at least a year (ASVS 3.4.1).
    const hsts = response.headers.get("strict-transport-security") ?? "";
    expect(Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? 0), what).toBeGreaterThanOrEqual(31_536_000);
    return /'nonce-([^']+)'/.exec(csp)?.[1] ?? "";
  }

  /** One of every kind of response: pages, redirects, errors of each kind, the API, assets, data. */
  async function everyKindOfResponse(): Promise<Array<[string, Response]>> {
    const browser = new Browser(app);
    await signUp(browser);
    const visitor = new Browser(app);
    const loginPage = await visitor.get("/login");
    const html = await loginPage.clone().text();
    const stylesheet = /<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/.exec(html)?.[1] ?? "/missing.css";
    const script = /<script[^>]+src="([^"]+)"|<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/.exec(html);
    const responses: Array<[string, Response]> = [
      ["page", loginPage],
      ["signed-in page", await browser.get("/todos")],
      ["redirect", await visitor.get("/todos")],
      ["404 page", await visitor.get("/no/such/page")],
      ["400 page", await browser.get("/todos?filter=nonsense")],
      ["403 refusal", await visitor.post("/login", { email: "a@b.c", password: "x" }, { origin: EVIL })],
      ["413 refusal", await visitor.post("/login", { email: "a@b.c", password: "x".repeat(200_000) })],
      [
        "415 refusal",
        await visitor.request("/login", {
          method: "POST",
          body: "{}",
          headers: { "content-type": "application/json", origin: appOrigin(app) },
        }),
      ],
      ["form error", await visitor.post("/login", { email: "nobody@example.com", password: "wrong" })],
      ["500 page", await whileTodoTableIsMissing(app, () => browser.get("/todos"))],
      ["API", await browser.get("/api/auth/get-session")],
      [
        "API error",
        await visitor.postJson("/api/auth/sign-in/email", {
          email: "nobody@example.com",
          password: "wrong password",
        }),
      ],
      ["API 404", await visitor.get("/api/auth/no-such-endpoint")],
      [
        "API preflight",
        await visitor.request("/api/auth/sign-in/email", {
          method: "OPTIONS",
          headers: { origin: EVIL, "access-control-request-method": "POST" },
        }),
      ],
      ["route data", await browser.get("/todos.data")],
      ["stylesheet", await visitor.get(stylesheet)],
      ["script", await visitor.get(script?.[1] ?? script?.[2] ?? "/missing.js")],
      ["health", await visitor.get("/healthz")],
    ];
    const statuses = Object.fromEntries(responses.map(([what, response]) => [what, response.status]));
    expect(statuses).toMatchObject({
      page: 200,
      "signed-in page": 200,
      redirect: 302,
      "404 page": 404,
      "400 page": 400,
      "403 refusal": 403,
      "413 refusal": 413,
      "415 refusal": 415,
      "form error": 400,
      "500 page": 500,
      API: 200,
      "API error": 401,
      "route data": 200,
      stylesheet: 200,
      script: 200,
      health: 200,
    });
    return responses;
  }

  it("Headers on every response (404, 500 and API included): a CSP with a per-response nonce for scripts, `object-src 'none'`, `base-uri 'none'`, `frame-ancestors 'none'`; nosniff; Referrer-Policy; COOP; HSTS over https", async () => {
    const nonces: string[] = [];
    for (const [what, response] of await everyKindOfResponse()) {
      const nonce = expectSecurityHeaders(response, what);
      nonces.push(nonce);
      if (!(response.headers.get("content-type") ?? "").startsWith("text/html")) continue;
      // Every script of a page carries that response's nonce, and only it.
      const html = await response.text();
      for (const tag of html.match(/<script\b[^>]*>/gi) ?? [])
        expect(tag, what).toContain(`nonce="${nonce}"`);
      expect(html, what).not.toMatch(/<[a-z]+\b[^>]*\son[a-z]+\s*=/i);
    }
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it("CORS is closed: no arbitrary origin is echoed.", async () => {
    const browser = new Browser(app);
    await signUp(browser);
    for (const origin of [EVIL, "null", `${appOrigin(app)}.evil.example`]) {
      const preflight = {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      };
      const answers: Array<[string, Response]> = [
        ["page", await browser.get("/todos", { origin })],
        ["data", await browser.get("/todos.data", { origin })],
        ["API", await browser.get("/api/auth/get-session", { origin })],
        [
          "API post",
          await browser.postJson(
            "/api/auth/sign-in/email",
            { email: "a@b.c", password: "whatever" },
            { origin },
          ),
        ],
        [
          "API preflight",
          await browser.request("/api/auth/sign-in/email", { method: "OPTIONS", headers: preflight }),
        ],
        [
          "API preflight, session",
          await browser.request("/api/auth/get-session", { method: "OPTIONS", headers: preflight }),
        ],
        ["page preflight", await browser.request("/todos", { method: "OPTIONS", headers: preflight })],
      ];
      for (const [what, answer] of answers) {
        const allowed = answer.headers.get("access-control-allow-origin");
        expect(allowed === null || allowed === appOrigin(app), `${what} from ${origin}: ${allowed}`).toBe(
          true,
        );
        expect(answer.headers.get("access-control-allow-credentials"), `${what} from ${origin}`).not.toBe(
          "true",
        );
      }
    }
  });
});

describe("Loopback names in development", () => {
  /** A post as a browser at `origin` sends it: its Host and Origin both name where it is. */
  const postFrom = (app: HttpApp, origin: string, path: string, type: string, body: string) =>
    new Promise<number>((resolve, reject) => {
      const request = httpRequest(app.url(path), {
        method: "POST",
        headers: { host: new URL(origin).host, origin, "content-type": type },
      });
      request.on("response", (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on("error", reject);
      request.end(body);
    });
  const credentials = () => ({ email: uniqueEmail("loopback"), password: "not the password" });
  /** The sign-in form and better-auth's own endpoint: a wrong password is answered, not refused. */
  const signInFrom = async (app: HttpApp, origin: string) => [
    await postFrom(
      app,
      origin,
      "/login",
      "application/x-www-form-urlencoded",
      new URLSearchParams(credentials()).toString(),
    ),
    await postFrom(app, origin, "/api/auth/sign-in/email", "application/json", JSON.stringify(credentials())),
  ];

  it("are one site on a development server (the form is answered), and only there", async () => {
    // The port in APP_URL is what counts: the checks compare names, not where the request arrived.
    const development = await startApp({ NODE_ENV: "development", APP_URL: "http://localhost:3999" });
    const testing = await startApp({ NODE_ENV: "test", APP_URL: "http://localhost:3999" });
    try {
      for (const origin of ["http://localhost:3999", "http://127.0.0.1:3999", "http://[::1]:3999"]) {
        expect(await signInFrom(development, origin), origin).toEqual([400, 401]);
      }
      expect(await signInFrom(development, "http://127.0.0.1:4000")).toEqual([403, 403]);
      expect(await signInFrom(development, EVIL)).toEqual([403, 403]);
      // Outside development the app has one origin.
      expect(await signInFrom(testing, "http://localhost:3999")).toEqual([400, 401]);
      expect(await signInFrom(testing, "http://127.0.0.1:3999")).toEqual([403, 403]);
    } finally {
      await development.close();
      await testing.close();
    }
  });
});
