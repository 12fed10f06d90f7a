import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../app/config.server";
import * as oauth2Callback from "../../app/routes/api.auth.oauth2.callback.$providerId";
import * as socialCallback from "../../app/routes/api.auth.callback.$providerId";
import * as startSignIn from "../../app/routes/auth.$provider";
import * as login from "../../app/routes/login";
import * as settingsConnections from "../../app/routes/settings.connections";
import * as signup from "../../app/routes/signup";
import type { Services } from "../../app/services.server";
import { signUpVerified } from "../support/accounts";
import { TestClient } from "../support/client";
import { createTestServices, TEST_APP_URL } from "../support/databases";
import { startHttpApp, type HttpApp } from "../support/http-app";
import { withParams } from "../support/oauth";
import { freePort, startServerProcess, type ServerProcess } from "../../harness/process";

const SECRET = "s".repeat(32);
const GITHUB = { GITHUB_CLIENT_ID: "gh-client", GITHUB_CLIENT_SECRET: "gh-secret" };
const GOOGLE = { GOOGLE_CLIENT_ID: "google-client", GOOGLE_CLIENT_SECRET: "google-secret" };
const OIDC = {
  OIDC_ISSUER: "https://id.example.com/realms/staff",
  OIDC_CLIENT_ID: "todo",
  OIDC_CLIENT_SECRET: "oidc-secret",
  OIDC_NAME: "Staff SSO",
};

describe("provider configuration", () => {
  const load = (env: Record<string, string>) => loadConfig({ BETTER_AUTH_SECRET: SECRET, ...env });

  it("has no provider when none is configured, and each configured one in button order", () => {
    expect(load({}).oauthProviders).toEqual([]);
    const all = load({ ...OIDC, ...GOOGLE, ...GITHUB }).oauthProviders;
    expect(all.map((provider) => provider.id)).toEqual(["github", "google", "oidc"]);
    expect(all[0]).toEqual({ id: "github", clientId: "gh-client", clientSecret: "gh-secret" });
    expect(all[2]).toMatchObject({
      id: "oidc",
      name: "Staff SSO",
      clientId: "todo",
      clientSecret: "oidc-secret",
    });
    // Empty means unset, as for every other variable.
    expect(load({ GITHUB_CLIENT_ID: "", GITHUB_CLIENT_SECRET: " " }).oauthProviders).toEqual([]);
  });

  it.each([
    [{ GITHUB_CLIENT_ID: "x" }, /^GITHUB_CLIENT_SECRET is required when GITHUB_CLIENT_ID is set$/],
    [{ GITHUB_CLIENT_SECRET: "x" }, /^GITHUB_CLIENT_ID is required when GITHUB_CLIENT_SECRET is set$/],
    [{ GOOGLE_CLIENT_ID: "x" }, /^GOOGLE_CLIENT_SECRET is required when GOOGLE_CLIENT_ID is set$/],
    [{ GOOGLE_CLIENT_SECRET: "x" }, /^GOOGLE_CLIENT_ID is required/],
    [
      { ...OIDC, OIDC_NAME: "" },
      /^OIDC_NAME is required when OIDC_ISSUER and OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set$/,
    ],
    [{ OIDC_ISSUER: OIDC.OIDC_ISSUER }, /^OIDC_CLIENT_ID is required when OIDC_ISSUER is set$/],
    [{ ...OIDC, OIDC_ISSUER: "id.example.com" }, /^OIDC_ISSUER must be an http\(s\) URL/],
    [{ ...OIDC, OIDC_ISSUER: "https://id.example.com/?tenant=1" }, /^OIDC_ISSUER must not have a query/],
  ])("refuses half a provider, naming the missing variable (%j)", (env, message) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(message);
  });

  describe("a production start with half a pair", () => {
    let server: ServerProcess | undefined;
    afterEach(() => {
      server?.child.kill("SIGKILL");
    });

    it("exits at once with one line naming the variable", async () => {
      server = startServerProcess({
        NODE_ENV: "production",
        PORT: String(await freePort()),
        APP_URL: "https://todo.example.com",
        BETTER_AUTH_SECRET: SECRET,
        PGLITE_DIR: "memory://",
        GOOGLE_CLIENT_ID: "google-client",
      });
      const { code } = await server.exited();
      expect(code).toBe(1);
      const lines = server.output().trim().split("\n");
      expect(lines).toEqual([
        "Invalid configuration: GOOGLE_CLIENT_SECRET is required when GOOGLE_CLIENT_ID is set",
      ]);
    });
  });
});

describe("with no provider configured", () => {
  let services: Services;
  beforeAll(async () => {
    services = await createTestServices("pglite");
  });
  afterAll(() => services.close());

  it("shows no provider button", async () => {
    const client = new TestClient(services);
    for (const loader of [login.loader, signup.loader]) {
      expect((await client.get<{ providers: unknown[] }>(loader, "/login")).data.providers).toEqual([]);
    }
  });

  it.each(["github", "google", "oidc"])("has no route for %s: 404", async (provider) => {
    const client = new TestClient(services);
    const start = withParams(startSignIn.action, { provider });
    expect((await client.post(start, `/auth/${provider}`, {})).status).toBe(404);
    expect((await client.get(withParams(startSignIn.loader, { provider }), `/auth/${provider}`)).status).toBe(
      404,
    );
    const callback = withParams(socialCallback.loader, { providerId: provider });
    expect((await client.get(callback, `/api/auth/callback/${provider}?code=x&state=y`)).status).toBe(404);
    const oauth2 = withParams(oauth2Callback.loader, { providerId: provider });
    expect((await client.get(oauth2, `/api/auth/oauth2/callback/${provider}?code=x&state=y`)).status).toBe(
      404,
    );
  });

  it("offers nothing to connect, and refuses a link to an unconfigured provider", async () => {
    const { client } = await signUpVerified(services);
    const page = await client.get<{ available: unknown[] }>(
      settingsConnections.loader,
      "/settings/connections",
    );
    expect(page.data.available).toEqual([]);
    const link = await client.post(settingsConnections.action, "/settings/connections", {
      intent: "link",
      provider: "github",
    });
    expect(link.status).toBe(400);
  });

  describe("over HTTP", () => {
    let app: HttpApp;
    beforeAll(async () => {
      app = await startHttpApp();
    });
    afterAll(() => app.close());

    it("answers the 404 page for every provider path", async () => {
      for (const path of [
        "/auth/github",
        "/api/auth/callback/github?code=x&state=y",
        "/api/auth/oauth2/callback/oidc",
      ]) {
        const response = await fetch(app.url(path), { redirect: "manual" });
        expect(response.status, path).toBe(404);
        expect(await response.text(), path).toContain("Page not found");
      }
      const posted = await fetch(app.url("/auth/github"), {
        method: "POST",
        redirect: "manual",
        headers: { origin: app.origin, "content-type": "application/x-www-form-urlencoded" },
        body: "",
      });
      expect(posted.status).toBe(404);
    });
  });
});

describe("with GitHub and Google configured", () => {
  let services: Services;
  beforeAll(async () => {
    services = await createTestServices("pglite", { env: { ...GITHUB, ...GOOGLE } });
  });
  afterAll(() => services.close());

  it("shows their buttons, and none for OpenID Connect", async () => {
    const client = new TestClient(services);
    const page = await client.get<{ providers: unknown[] }>(login.loader, "/login");
    expect(page.data.providers).toEqual([
      { id: "github", name: "GitHub" },
      { id: "google", name: "Google" },
    ]);
    expect(
      (await client.post(withParams(startSignIn.action, { provider: "oidc" }), "/auth/oidc", {})).status,
    ).toBe(404);
  });

  it.each([
    ["github", "https://github.com/login/oauth/authorize"],
    ["google", "https://accounts.google.com/o/oauth2/v2/auth"],
  ])(
    "sends %s's button to the provider with a state, PKCE and the registered redirect URI",
    async (id, endpoint) => {
      const client = new TestClient(services);
      const started = await client.post(withParams(startSignIn.action, { provider: id }), `/auth/${id}`, {
        redirectTo: "/todos",
      });
      expect(started.status).toBe(302);
      const url = new URL(started.location ?? "");
      expect(`${url.origin}${url.pathname}`).toBe(endpoint);
      expect(url.searchParams.get("redirect_uri")).toBe(`${TEST_APP_URL}/api/auth/callback/${id}`);
      expect(url.searchParams.get("state")?.length).toBeGreaterThanOrEqual(32);
      expect(url.searchParams.get("code_challenge_method")).toBe("S256");
      // The state is bound to this browser by a cookie that goes along with the redirect.
      expect(client.cookies.has("todo.state")).toBe(true);
    },
  );
});
