import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpClient } from "../../harness/client";
import Provider, { interactionPolicy, type Configuration, type KoaContextWithOIDC } from "oidc-provider";

/**
 * A real OpenID Connect provider on loopback for the tests (the `oidc-provider`
 * package, as certified providers run it): discovery, signed ID tokens,
 * PKCE required, codes that work once. Its development sign-in form asks who
 * you are every time: whatever is typed as the login becomes the subject
 * (`sub`), and the claims of that subject are whatever the test set for it,
 * in process (`setIdentity`) or over `PUT /test/identities/<sub>` (JSON).
 */

interface TestIdentity {
  email: string;
  email_verified: boolean;
  name?: string;
}

export interface TestOidcProvider {
  /** The issuer, e.g. http://127.0.0.1:41234 (discovery at /.well-known/openid-configuration). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  setIdentity(sub: string, identity: TestIdentity): void;
  close(): Promise<void>;
}

export const TEST_OIDC_CLIENT = { clientId: "todo-app", clientSecret: "todo-app-secret-for-tests-only" };

const IDENTITY_PATH = /^\/test\/identities\/([^/]+)$/;

/** A subject nobody set claims for gets a made-up address its provider vouches for. */
const defaultIdentity = (sub: string): TestIdentity => ({
  email: `${sub}@idp.test`,
  email_verified: true,
  name: `IdP user ${sub}`,
});

export async function startTestOidcProvider({
  redirectUris,
  port = 0,
  client = TEST_OIDC_CLIENT,
  claimsInIdToken = false,
}: {
  redirectUris: string[];
  port?: number;
  client?: { clientId: string; clientSecret: string };
  /**
   * Put the email and profile claims in the ID token too, as Google, Keycloak and most providers
   * do; by default (the specification's strict reading) they come from userinfo only.
   */
  claimsInIdToken?: boolean;
}): Promise<TestOidcProvider> {
  const identities = new Map<string, TestIdentity>();
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Sign in every time, so that each flow can be a different identity.
  const policy = interactionPolicy.base();
  policy
    .get("login")
    ?.checks.add(
      new interactionPolicy.Check(
        "test_provider_asks_every_time",
        "the test provider asks who you are at every sign-in",
        (ctx: KoaContextWithOIDC) => ctx.oidc.result?.login === undefined,
      ),
    );

  const configuration: Configuration = {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({ sub, ...(identities.get(sub) ?? defaultIdentity(sub)) }),
    }),
    interactions: { policy },
    // A first-party client: no consent screen, the scopes asked for are granted.
    async loadExistingGrant(ctx) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
    pkce: { required: () => true },
    // Short lives, said explicitly (the package otherwise notes each default it falls back to).
    ttl: {
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 600,
      Grant: 600,
      AccessToken: 600,
      IdToken: 600,
    },
    features: { devInteractions: { enabled: true } },
    conformIdTokenClaims: !claimsInIdToken,
    cookies: { keys: ["test-provider-cookie-key-0123456789"] },
  };
  const provider = new Provider(issuer, configuration);
  const handleOidc = provider.callback();

  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const identity = IDENTITY_PATH.exec(path);
    if (identity && request.method === "PUT") {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const sub = decodeURIComponent(identity[1] ?? "");
        identities.set(sub, JSON.parse(Buffer.concat(chunks).toString("utf8")) as TestIdentity);
        response.writeHead(204).end();
      });
      return;
    }
    void handleOidc(request, response);
  });

  return {
    issuer,
    ...client,
    setIdentity: (sub, claims) => identities.set(sub, claims),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * What a browser does at the provider, over plain HTTP: follows the
 * authorization URL, fills in the sign-in form with `login` (any password) and
 * follows the redirects until they leave the provider. Answers that last
 * address: the app's callback with `code` and `state` (or `error`).
 */
export async function signInAtProvider(authorizationUrl: string, login: string): Promise<string> {
  const issuerOrigin = new URL(authorizationUrl).origin;
  // A browser of its own, with the provider's cookies only.
  const browser = new HttpClient();

  let url = authorizationUrl;
  for (let hop = 0; hop < 10; hop++) {
    const response = await browser.get(url);
    const location = response.headers.get("location");
    if (location) {
      url = new URL(location, url).toString();
      if (new URL(url).origin !== issuerOrigin) return url;
      continue;
    }
    // The sign-in form: post the login it asks for.
    const page = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    if (!action)
      throw new Error(`the provider answered ${response.status} without a form:\n${page.slice(0, 500)}`);
    const submitted = await browser.post(new URL(action.replaceAll("&amp;", "&"), url).toString(), {
      prompt: "login",
      login,
      password: "any",
    });
    const next = submitted.headers.get("location");
    if (!next) throw new Error(`the provider's sign-in answered ${submitted.status}`);
    url = new URL(next, url).toString();
  }
  throw new Error("too many redirects at the provider");
}
