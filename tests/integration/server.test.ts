import { readFileSync } from "node:fs";
import { get as httpGet, type IncomingHttpHeaders } from "node:http";
import { gunzipSync } from "node:zlib";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { session, todo, user } from "../../db/schema";
import { STRONG_PASSWORD, uniqueEmail } from "../support/client";
import { formPost, signUpOverHttp, startHttpApp, type HttpApp } from "../support/http-app";
import { SESSION_COOKIE_PATTERN } from "../../harness/cookies";

describe("the server layer, over HTTP", () => {
  let app: HttpApp;

  beforeAll(async () => {
    app = await startHttpApp();
  });
  afterAll(() => app.close());

  const signUp = (email = uniqueEmail(), headers: Record<string, string> = {}) =>
    signUpOverHttp(app, email, headers);

  const usersNamed = (email: string) =>
    app.services.database.db.select().from(user).where(eq(user.email, email));

  describe("compression", () => {
    /** The bytes as sent: node:http does not decompress. */
    const raw = (pathname: string) =>
      new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const request = httpGet(
          app.url(pathname),
          { headers: { "accept-encoding": "gzip, deflate, br" } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          },
        );
        request.on("error", reject);
      });

    it("sends a page gzipped in one piece, with its length", async () => {
      const page = await raw("/login");
      expect(page.headers["content-encoding"]).toBe("gzip");
      expect(page.headers["content-length"]).toBe(String(page.body.length));
      expect(gunzipSync(page.body).toString()).toContain("</html>");
    });

    it("sends an asset as the gzip twin the build made, with the asset's own type", async () => {
      const html = await (await fetch(app.url("/login"))).text();
      const asset = /<link rel="modulepreload" href="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      if (!asset) throw new Error("no script on /login");
      const answer = await raw(asset);
      expect(answer.headers["content-encoding"]).toBe("gzip");
      expect(answer.headers["content-type"]).toMatch(/^application\/javascript/);
      expect(answer.headers["cache-control"]).toContain("immutable");
      expect(answer.body.equals(readFileSync(`build/client${asset}.gz`))).toBe(true);
      expect(gunzipSync(answer.body).equals(readFileSync(`build/client${asset}`))).toBe(true);
    });
  });

  describe("security headers", () => {
    const expectHeaders = (response: Response) => {
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}'/);
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("same-origin");
      expect(response.headers.get("cross-origin-opener-policy")).toBe("same-origin");
      expect(response.headers.get("strict-transport-security")).toBeNull();
      expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    };

    it("are on pages, 404s, refusals, health checks and the auth API", async () => {
      const responses = await Promise.all([
        fetch(app.url("/login")),
        fetch(app.url("/no-such-page")),
        fetch(app.url("/healthz")),
        fetch(app.url("/api/auth/get-session")),
        fetch(app.url("/todos"), { method: "POST", redirect: "manual" }),
      ]);
      expect(responses.map((response) => response.status)).toEqual([200, 404, 200, 200, 403]);
      for (const response of responses) expectHeaders(response);
    });

    it("give every response a fresh nonce, the one Remix's scripts carry", async () => {
      const first = await fetch(app.url("/login"));
      const second = await fetch(app.url("/login"));
      const nonceOf = (response: Response) =>
        /'nonce-([^']+)'/.exec(response.headers.get("content-security-policy") ?? "")?.[1];
      const nonce = nonceOf(first);
      expect(nonce).toBeTruthy();
      expect(nonceOf(second)).not.toBe(nonce);
      const html = await first.text();
      const scripts = html.match(/<script[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    });

    it("never let a page be stored by a cache", async () => {
      const { cookie } = await signUp();
      const page = await fetch(app.url("/todos"), { headers: { cookie } });
      expect(page.status).toBe(200);
      expect(page.headers.get("cache-control")).toBe("no-store");
      expect((await fetch(app.url("/login"))).headers.get("cache-control")).toBe("no-store");
    });

    it("add HSTS when APP_URL is https", async () => {
      const secure = await startHttpApp({ APP_URL: "https://todo.example.com" });
      try {
        const response = await fetch(secure.url("/healthz"));
        expect(response.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
      } finally {
        await secure.close();
      }
    });
  });

  describe("cross-site requests", () => {
    it("refuse a post from another origin with a 403 page, before anything changes", async () => {
      const email = uniqueEmail();
      const response = await formPost(
        app,
        "/signup",
        { name: "X", email, password: STRONG_PASSWORD, confirmPassword: STRONG_PASSWORD },
        { origin: "https://evil.example" },
      );
      expect(response.status).toBe(403);
      expect(response.headers.get("content-type")).toMatch(/text\/html/);
      expect(await response.text()).toContain("Request refused");
      expect(await usersNamed(email)).toEqual([]);
    });

    it("refuse a signed-in user's todo post from another site, by Origin, Referer or Sec-Fetch-Site", async () => {
      const { cookie } = await signUp();
      const attempts: Array<Record<string, string>> = [
        { origin: "https://evil.example" },
        { origin: "null" },
        { origin: "", referer: "https://evil.example/attack.html" },
        { origin: app.origin, "sec-fetch-site": "cross-site" },
      ];
      for (const headers of attempts) {
        const init: RequestInit = {
          method: "POST",
          redirect: "manual",
          headers: { "content-type": "application/x-www-form-urlencoded", cookie, ...headers },
          body: new URLSearchParams({ intent: "create", title: "forged" }),
        };
        if (headers.origin === "") delete (init.headers as Record<string, string>).origin;
        const response = await fetch(app.url("/todos"), init);
        expect(response.status, JSON.stringify(headers)).toBe(403);
      }
      const forged = await app.services.database.db.select().from(todo).where(eq(todo.title, "forged"));
      expect(forged).toEqual([]);
    });

    it("refuse a post that names no origin at all", async () => {
      const response = await fetch(app.url("/logout"), { method: "POST", redirect: "manual" });
      expect(response.status).toBe(403);
    });

    it("refuse cross-site posts to the auth API too", async () => {
      const email = uniqueEmail();
      const response = await fetch(app.url("/api/auth/sign-up/email"), {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://evil.example" },
        body: JSON.stringify({ name: "X", email, password: STRONG_PASSWORD }),
      });
      expect(response.status).toBe(403);
      expect(await usersNamed(email)).toEqual([]);
    });

    it("do not echo another origin in CORS headers", async () => {
      const response = await fetch(app.url("/api/auth/get-session"), {
        headers: { origin: "https://evil.example" },
      });
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
    });
  });

  describe("request bodies", () => {
    it("answer a body over the limit with 413", async () => {
      const response = await formPost(app, "/login", {
        email: "a@example.com",
        password: "x".repeat(200_000),
      });
      expect(response.status).toBe(413);
    });

    it("answer a body of unknown length with 411", async () => {
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("email=a%40example.com&password=x"));
          controller.close();
        },
      });
      const response = await fetch(app.url("/login"), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: app.origin },
        body,
        duplex: "half",
      } as RequestInit);
      expect(response.status).toBe(411);
    });

    it("answer a malformed multipart body with 400, not 500", async () => {
      const response = await fetch(app.url("/login"), {
        method: "POST",
        headers: { "content-type": "multipart/form-data; boundary=nope", origin: app.origin },
        body: "this is not multipart",
      });
      expect(response.status).toBe(400);
    });
  });

  describe("health", () => {
    it("answers /healthz and /readyz while the database answers", async () => {
      const health = await fetch(app.url("/healthz"));
      expect(health.status).toBe(200);
      expect(await health.text()).toBe("ok");
      expect((await fetch(app.url("/readyz"))).status).toBe(200);
    });

    it(
      "says 503 on /readyz when the database is gone, and while shutting down",
      { timeout: 90_000 },
      async () => {
        const other = await startHttpApp();
        try {
          other.beginShutdown();
          const draining = await fetch(other.url("/readyz"));
          expect(draining.status).toBe(503);
          expect(draining.headers.get("retry-after")).toBeTruthy();
        } finally {
          await other.close();
        }
        const broken = await startHttpApp();
        await broken.services.database.close();
        try {
          expect((await fetch(broken.url("/readyz"))).status).toBe(503);
          expect((await fetch(broken.url("/healthz"))).status).toBe(200);
        } finally {
          await broken.close().catch(() => {});
        }
      },
    );
  });

  describe("pages", () => {
    it("shows a failure as a 500 page naming the request id, without internals", async () => {
      const failing = await startHttpApp();
      try {
        const { cookie } = await signUpOverHttp(failing, uniqueEmail());
        // A bug, not an outage (an unreachable database is a 503: database-unavailable.test.ts).
        await failing.services.database.db.execute(sql`drop table todo`);
        const response = await fetch(failing.url("/todos"), { headers: { cookie } });
        expect(response.status).toBe(500);
        const html = await response.text();
        const requestId = response.headers.get("x-request-id") ?? "missing";
        expect(html).toContain("Something went wrong");
        expect(html).toContain(requestId);
        expect(html).not.toMatch(/\bat .+\.(js|ts):\d+/);
        expect(html).not.toMatch(/PGlite|drizzle|node_modules/i);
        expect(failing.logLines.join("")).toContain(requestId);
      } finally {
        await failing.close().catch(() => {});
      }
    });

    it("answers an unknown page with a 404 page that leads home", async () => {
      const response = await fetch(app.url("/definitely/not/here"));
      expect(response.status).toBe(404);
      const html = await response.text();
      expect(html).toContain("Page not found");
      expect(html).toMatch(/<a[^>]+href="\/"/);
    });

    it("takes the client address from the socket and ignores forged headers", async () => {
      const { email } = await signUp(uniqueEmail(), {
        "x-forwarded-for": "6.6.6.6",
        "x-todo-client-address": "7.7.7.7",
      });
      const [owner] = await usersNamed(email);
      const [row] = await app.services.database.db
        .select()
        .from(session)
        .where(eq(session.userId, owner?.id ?? ""));
      expect(row?.ipAddress).toBe("127.0.0.1");
    });

    it("believes X-Forwarded-For only when TRUST_PROXY says so", async () => {
      const proxied = await startHttpApp({ TRUST_PROXY: "loopback" });
      try {
        const { email } = await signUpOverHttp(proxied, uniqueEmail(), {
          "x-forwarded-for": "198.51.100.23",
        });
        const [owner] = await proxied.services.database.db.select().from(user).where(eq(user.email, email));
        const [row] = await proxied.services.database.db
          .select()
          .from(session)
          .where(eq(session.userId, owner?.id ?? ""));
        expect(row?.ipAddress).toBe("198.51.100.23");
      } finally {
        await proxied.close();
      }
    });
  });

  it("logs one line per request with its id, and never a password, cookie or token", async () => {
    const { cookie, email } = await signUp();
    await formPost(app, "/login", { email, password: STRONG_PASSWORD });
    const page = await fetch(app.url("/todos?filter=active&token=secret-in-url"), { headers: { cookie } });
    await page.text();
    // The line is written when the response closes.
    await app.quiet();
    const logs = app.logLines.join("");
    const token = new RegExp(`${SESSION_COOKIE_PATTERN}=([^;.]+)`).exec(cookie)?.[1] ?? "missing";
    expect(logs).toContain('"path":"/todos"');
    expect(logs).toMatch(/"reqId":"[0-9a-f-]{36}"/);
    expect(logs).not.toContain(STRONG_PASSWORD);
    expect(logs).not.toContain(token);
    expect(logs).not.toContain("secret-in-url");
    expect(logs.toLowerCase()).not.toContain("cookie");
  });
});
