import { eq, sql } from "drizzle-orm";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ACCESS_TOKEN_SECONDS, SIGNING_KEY_GRACE_SECONDS } from "../../app/auth/auth.server";
import { API_LIMIT } from "../../app/security/rate-limit.server";
import { jwks, user } from "../../db/schema";
import { STRONG_PASSWORD, uniqueEmail } from "../support/client";
import { newClientAddress, signUpOverHttp, startHttpApp, type HttpApp } from "../support/http-app";

interface TodoJson {
  id: string;
  title: string;
  completed: boolean;
  createdAt: string;
  updatedAt: string;
}

describe("the JSON todo API and its access tokens", () => {
  let app: HttpApp;
  beforeAll(async () => {
    app = await startHttpApp({ TRUST_PROXY: "loopback" });
  });
  afterAll(() => app.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A signed-up, verified user's browser: its cookie header and user id. */
  async function newUser() {
    const email = uniqueEmail("api");
    const { cookie } = await signUpOverHttp(app, email, { "x-forwarded-for": newClientAddress() });
    const [row] = await app.services.database.db.select().from(user).where(eq(user.email, email));
    if (!row) throw new Error("no user");
    return { email, cookie, userId: row.id };
  }

  const tokenFor = async (cookie: string) => {
    const response = await fetch(app.url("/api/auth/token"), { headers: { cookie } });
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as { token: string };
    return token;
  };

  const api = (
    token: string | null,
    path: string,
    {
      method = "GET",
      body,
      headers = {},
    }: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    fetch(app.url(path), {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });

  const expectProblem = async (response: Response, status: number, type: string) => {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as {
      type: string;
      title: string;
      status: number;
      detail: string;
    };
    expect(problem).toMatchObject({ type: `/problems/${type}`, status });
    expect(problem.title).toBeTruthy();
    expect(problem.detail).toBeTruthy();
    return problem;
  };

  const publishedKeys = async () => (await (await fetch(app.url("/api/auth/jwks"))).json()) as JSONWebKeySet;

  it("issues a JWT to a session, and to no one without one", async () => {
    const { cookie, userId } = await newUser();
    const token = await tokenFor(cookie);
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await publishedKeys()), {
      issuer: app.origin,
      audience: app.origin,
    });
    expect(protectedHeader.alg).toBe("EdDSA");
    expect(payload.sub).toBe(userId);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(ACCESS_TOKEN_SECONDS);
    // Only who, not what: no email or name in a token anyone can decode.
    expect(Object.keys(payload).sort()).toEqual(["aud", "exp", "iat", "iss", "sub"]);

    const anonymous = await fetch(app.url("/api/auth/token"));
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toMatch(/eyJ/);
  });

  it("trades a program's session token (bearer) for a JWT", async () => {
    const { email } = await newUser();
    const signIn = await fetch(app.url("/api/auth/sign-in/email"), {
      method: "POST",
      headers: { "content-type": "application/json", origin: app.origin },
      body: JSON.stringify({ email, password: STRONG_PASSWORD }),
    });
    expect(signIn.status).toBe(200);
    const { token: sessionToken } = (await signIn.json()) as { token: string };
    const response = await fetch(app.url("/api/auth/token"), {
      headers: { authorization: `Bearer ${sessionToken}` },
    });
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as { token: string };
    expect((await api(token, "/api/todos")).status).toBe(200);

    // A program signs out with its bearer alone (no cookie, so no Origin needed); the session is over.
    const signOut = await fetch(app.url("/api/auth/sign-out"), {
      method: "POST",
      headers: { authorization: `Bearer ${sessionToken}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(signOut.status).toBe(200);
    expect(
      (await fetch(app.url("/api/auth/token"), { headers: { authorization: `Bearer ${sessionToken}` } }))
        .status,
    ).toBe(401);
  });

  it("limits each user to 600 requests a minute", { timeout: 60_000 }, async () => {
    const token = await tokenFor((await newUser()).cookie);
    const statuses = [];
    for (let request = 0; request < API_LIMIT.limit; request++)
      statuses.push((await api(token, "/api/todos")).status);
    expect(new Set(statuses)).toEqual(new Set([200]));
    const refused = await api(token, "/api/todos");
    await expectProblem(refused, 429, "rate-limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another user is not held back.
    expect((await api(await tokenFor((await newUser()).cookie), "/api/todos")).status).toBe(200);
  });

  it("lists, creates, updates and deletes only the caller's todos, as the HTML page shows them", async () => {
    const owner = await newUser();
    const token = await tokenFor(owner.cookie);

    const created = await api(token, "/api/todos", {
      method: "POST",
      body: { title: "  Buy <milk> & 'eggs'  " },
    });
    expect(created.status).toBe(201);
    const todo = (await created.json()) as TodoJson;
    expect(todo).toMatchObject({ title: "Buy <milk> & 'eggs'", completed: false });
    expect(created.headers.get("location")).toBe(`/api/todos/${todo.id}`);
    await api(token, "/api/todos", { method: "POST", body: { title: "Second" } });

    const patched = await api(token, `/api/todos/${todo.id}`, { method: "PATCH", body: { completed: true } });
    expect(((await patched.json()) as TodoJson).completed).toBe(true);
    const renamed = await api(token, `/api/todos/${todo.id}`, {
      method: "PATCH",
      body: { title: "Buy oat milk" },
    });
    expect((await renamed.json()) as TodoJson).toMatchObject({ title: "Buy oat milk", completed: true });
    expect(((await (await api(token, `/api/todos/${todo.id}`)).json()) as TodoJson).title).toBe(
      "Buy oat milk",
    );

    const list = (await (await api(token, "/api/todos")).json()) as {
      todos: TodoJson[];
      activeCount: number;
      completedCount: number;
    };
    expect(list.todos.map((item) => [item.title, item.completed])).toEqual([
      ["Buy oat milk", true],
      ["Second", false],
    ]);
    expect([list.activeCount, list.completedCount]).toEqual([1, 1]);
    const completed = (await (await api(token, "/api/todos?filter=completed")).json()) as {
      todos: TodoJson[];
    };
    expect(completed.todos.map((item) => item.title)).toEqual(["Buy oat milk"]);

    // The HTML page shows the same list.
    const page = await (await fetch(app.url("/todos"), { headers: { cookie: owner.cookie } })).text();
    expect(page).toContain("Buy oat milk");
    expect(page).toContain("Second");
    expect(page).toContain('aria-label="Mark as active: Buy oat milk"');
    expect(page).toContain('aria-label="Mark as complete: Second"');

    // Another user sees none of it and can touch none of it.
    const other = await newUser();
    const otherToken = await tokenFor(other.cookie);
    expect(((await (await api(otherToken, "/api/todos")).json()) as { todos: TodoJson[] }).todos).toEqual([]);
    await expectProblem(await api(otherToken, `/api/todos/${todo.id}`), 404, "not-found");
    await expectProblem(
      await api(otherToken, `/api/todos/${todo.id}`, { method: "PATCH", body: { title: "Mine now" } }),
      404,
      "not-found",
    );
    await expectProblem(
      await api(otherToken, `/api/todos/${todo.id}`, { method: "DELETE" }),
      404,
      "not-found",
    );
    await expectProblem(await api(otherToken, "/api/todos/not-a-uuid"), 404, "not-found");

    expect((await api(token, `/api/todos/${todo.id}`, { method: "DELETE" })).status).toBe(204);
    await expectProblem(await api(token, `/api/todos/${todo.id}`), 404, "not-found");
    const after = await (await fetch(app.url("/todos"), { headers: { cookie: owner.cookie } })).text();
    expect(after).not.toContain("Buy oat milk");
  });

  it("refuses bad requests with a problem document", async () => {
    const token = await tokenFor((await newUser()).cookie);
    await expectProblem(
      await api(token, "/api/todos", { method: "POST", body: "{not json" }),
      400,
      "malformed-json",
    );
    await expectProblem(
      await api(token, "/api/todos", {
        method: "POST",
        body: "title=x",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
      415,
      "unsupported-media-type",
    );
    const invalid = await expectProblem(
      await api(token, "/api/todos", { method: "POST", body: { title: "" } }),
      400,
      "invalid-request",
    );
    expect(invalid).toMatchObject({ errors: { title: [expect.any(String)] } });
    // Only the fields the schema names: no owner, no times, no id.
    await expectProblem(
      await api(token, "/api/todos", { method: "POST", body: { title: "x", userId: "someone-else" } }),
      400,
      "invalid-request",
    );
    await expectProblem(
      await api(token, "/api/todos", { method: "POST", body: { title: ["x"] } }),
      400,
      "invalid-request",
    );
    await expectProblem(
      await api(token, "/api/todos", { method: "POST", body: { title: "a\u0000b" } }),
      400,
      "invalid-request",
    );
    await expectProblem(await api(token, "/api/todos?filter=some"), 400, "invalid-request");
    const created = (await (
      await api(token, "/api/todos", { method: "POST", body: { title: "x" } })
    ).json()) as TodoJson;
    await expectProblem(
      await api(token, `/api/todos/${created.id}`, { method: "PATCH", body: {} }),
      400,
      "invalid-request",
    );
    const wrongMethod = await api(token, "/api/todos", { method: "PUT", body: { title: "x" } });
    await expectProblem(wrongMethod, 405, "method-not-allowed");
    expect(wrongMethod.headers.get("allow")).toBe("GET, POST");
    await expectProblem(await api(token, "/api/nothing-here"), 404, "not-found");
    await expectProblem(
      await api(token, "/api/todos", { method: "POST", body: { title: "x".repeat(200 * 1024) } }),
      413,
      "payload-too-large",
    );
  });

  it("refuses a missing, forged, mis-addressed or expired token, and one for a deleted user, with 401", async () => {
    const owner = await newUser();
    const token = await tokenFor(owner.cookie);
    const expectRefused = async (response: Response) => {
      await expectProblem(
        response,
        401,
        response.headers.get("www-authenticate")?.includes("invalid_token")
          ? "invalid-token"
          : "missing-token",
      );
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="todo"/);
    };

    await expectRefused(await api(null, "/api/todos"));
    expect((await api(null, "/api/todos")).headers.get("www-authenticate")).toBe('Bearer realm="todo"');
    // The session cookie is not an access token.
    await expectRefused(await api(null, "/api/todos", { headers: { cookie: owner.cookie } }));

    const [header, payload, signature = ""] = token.split(".");
    const flipped = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "BA" : "AA"}`;
    const forged = await api(`${header}.${payload}.${flipped}`, "/api/todos");
    await expectRefused(forged);
    expect(forged.headers.get("www-authenticate")).toContain('error="invalid_token"');

    // Signed with our key, for someone else.
    const { token: elsewhere } = await app.services.auth.api.signJWT({
      body: { payload: { sub: owner.userId, aud: "https://other.example" } },
    });
    await expectRefused(await api(elsewhere, "/api/todos"));
    // Our claims, a payload swapped under a valid signature.
    const swapped = `${header}.${Buffer.from(JSON.stringify({ sub: "someone-else" })).toString("base64url")}.${signature}`;
    await expectRefused(await api(swapped, "/api/todos"));

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + (ACCESS_TOKEN_SECONDS + 1) * 1000);
    const expired = await api(token, "/api/todos");
    await expectRefused(expired);
    expect(expired.headers.get("www-authenticate")).toContain("expired");
    vi.useRealTimers();

    expect((await api(token, "/api/todos")).status).toBe(200);
    await app.services.accounts.delete(owner.userId);
    await expectRefused(await api(token, "/api/todos"));
  });

  it("issues no new JWT once the session is revoked; one already issued lives out its minutes", async () => {
    const { cookie } = await newUser();
    const token = await tokenFor(cookie);
    const signedOut = await fetch(app.url("/logout"), {
      method: "POST",
      redirect: "manual",
      headers: { cookie, origin: app.origin },
    });
    expect(signedOut.status).toBe(302);
    expect((await fetch(app.url("/api/auth/token"), { headers: { cookie } })).status).toBe(401);
    expect((await api(token, "/api/todos")).status).toBe(200);
  });

  it("keeps tokens signed by the previous key valid through the grace period after a rotation", async () => {
    const { cookie } = await newUser();
    const before = await tokenFor(cookie);
    const oldKid = decodeProtectedHeader(before).kid;
    // The rotation's moment comes: the current key stops signing.
    const { db } = app.services.database;
    await db.update(jwks).set({ expiresAt: sql`now() - interval '1 second'` });
    const after = await tokenFor(cookie);
    const newKid = decodeProtectedHeader(after).kid;
    expect(newKid).not.toBe(oldKid);

    const kids = (await publishedKeys()).keys.map((key) => key.kid);
    expect(kids).toEqual(expect.arrayContaining([oldKid, newKid]));
    for (const token of [before, after]) {
      await jwtVerify(token, createLocalJWKSet(await publishedKeys()), {
        issuer: app.origin,
        audience: app.origin,
      });
      expect((await api(token, "/api/todos")).status).toBe(200);
    }

    // Past the grace period, the old key is no longer published.
    await db
      .update(jwks)
      .set({ expiresAt: sql`now() - make_interval(secs => ${SIGNING_KEY_GRACE_SECONDS + 1})` })
      .where(eq(jwks.id, oldKid ?? ""));
    expect((await publishedKeys()).keys.map((key) => key.kid)).not.toContain(oldKid);
  });

  it("answers a failure it did not expect with a 500 problem document naming the request id", async () => {
    const failing = await startHttpApp({ TRUST_PROXY: "loopback" });
    try {
      const { cookie } = await signUpOverHttp(failing, uniqueEmail("failing"));
      const response = await fetch(failing.url("/api/auth/token"), { headers: { cookie } });
      const { token } = (await response.json()) as { token: string };
      // Verify once, so that the keys are in memory and only the todo table is missing.
      expect(
        (await fetch(failing.url("/api/todos"), { headers: { authorization: `Bearer ${token}` } })).status,
      ).toBe(200);
      // A bug, not an outage (an unreachable database is a 503: database-unavailable.test.ts).
      await failing.services.database.db.execute(sql`drop table todo`);
      const failed = await fetch(failing.url("/api/todos"), {
        headers: { authorization: `Bearer ${token}` },
      });
      const problem = await expectProblem(failed, 500, "internal-error");
      expect(problem.detail).toContain(failed.headers.get("x-request-id") ?? "missing");
      expect(JSON.stringify(problem)).not.toMatch(/PGlite|drizzle|node_modules|\bat /i);
    } finally {
      await failing.close().catch(() => {});
    }
  });

  it("describes itself in OpenAPI 3.1, generated from the schemas the routes validate with", async () => {
    const document = (await (await fetch(app.url("/api/openapi.json"))).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;
      components: {
        schemas: Record<
          string,
          { required?: string[]; additionalProperties?: unknown; properties?: Record<string, unknown> }
        >;
      };
    };
    expect(document.openapi).toBe("3.1.0");
    const create = document.components.schemas.CreateTodo;
    expect(create?.required).toEqual(["title"]);
    expect(create?.additionalProperties).toBe(false);
    expect(Object.keys(document.components.schemas.UpdateTodo?.properties ?? {}).sort()).toEqual([
      "completed",
      "title",
    ]);

    // Every documented operation answers with one of its documented statuses.
    const token = await tokenFor((await newUser()).cookie);
    const { id } = (await (
      await api(token, "/api/todos", { method: "POST", body: { title: "Described" } })
    ).json()) as TodoJson;
    const bodies: Record<string, unknown> = { post: { title: "Another" }, patch: { completed: true } };
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => ["get", "post", "patch", "delete"].includes(method))
        .map(([method, operation]) => ({ path: path.replace("{id}", id), method, operation })),
    );
    expect(operations.map(({ method, path }) => `${method} ${path}`).sort()).toEqual(
      [
        `delete /api/todos/${id}`,
        `get /api/todos`,
        `get /api/todos/${id}`,
        `patch /api/todos/${id}`,
        `post /api/todos`,
      ].sort(),
    );
    // Deletion last, so the todo exists for the others.
    operations.sort((a, b) => Number(a.method === "delete") - Number(b.method === "delete"));
    for (const { path, method, operation } of operations) {
      const response = await api(token, path, { method: method.toUpperCase(), body: bodies[method] });
      expect(Object.keys(operation.responses), `${method} ${path}`).toContain(String(response.status));
      expect(response.status).toBeLessThan(300);
      // Without a token: the documented 401.
      const anonymous = await api(null, path, { method: method.toUpperCase(), body: bodies[method] });
      expect(Object.keys(operation.responses)).toContain(String(anonymous.status));
    }
  });
});
