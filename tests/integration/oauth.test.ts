import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as socialCallback from "../../app/routes/api.auth.callback.$providerId";
import * as authApi from "../../app/routes/api.auth.$";
import * as login from "../../app/routes/login";
import type { AccountExport } from "../../app/auth/account.server";
import * as accountExport from "../../app/routes/settings.account_.export";
import * as settingsAccount from "../../app/routes/settings.account";
import * as settingsConnections from "../../app/routes/settings.connections";
import * as settingsEmail from "../../app/routes/settings.email";
import * as settingsPassword from "../../app/routes/settings.password";
import * as settingsSecurity from "../../app/routes/settings.security";
import * as signup from "../../app/routes/signup";
import type { Services } from "../../app/services.server";
import { account, auditEvent, session, user } from "../../db/schema";
import { signUpVerified } from "../support/accounts";
import { STRONG_PASSWORD, TestClient, uniqueEmail } from "../support/client";
import { createTestServices, DATABASE_KINDS } from "../support/databases";
import {
  callbackFromProvider,
  errorCodeOf,
  followCallback,
  linkThroughProvider,
  OIDC_NAME,
  OIDC_REDIRECT_URI,
  oidcEnv,
  signInThroughProvider,
  startSignInWithProvider,
  withParams,
} from "../support/oauth";
import { startTestOidcProvider, type TestOidcProvider } from "../support/oidc-provider";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";

interface LoginPage {
  providers: Array<{ id: string; name: string }>;
  providerError: { message: string; offerNewConfirmationLink: boolean } | null;
}

interface ConnectionsPage {
  hasPassword: boolean;
  connections: Array<{ providerId: string; name: string }>;
  available: Array<{ id: string; name: string }>;
  linkedNotice: string | null;
  providerError: string | null;
}

let subjects = 0;
/** A subject (and address) the provider has never seen. */
const newSubject = () => `subject-${process.pid}-${Date.now().toString(36)}-${++subjects}`;

describe.each(DATABASE_KINDS)("sign-in through an OpenID Connect provider on %s", (kind) => {
  let services: Services;
  let idp: TestOidcProvider;

  beforeAll(async () => {
    idp = await startTestOidcProvider({ redirectUris: [OIDC_REDIRECT_URI] });
    services = await createTestServices(kind, { env: oidcEnv(idp) });
  });
  afterAll(async () => {
    await services.close();
    await idp.close();
  });

  const db = () => services.database.db;

  async function userByEmail(email: string) {
    const [found] = await db().select().from(user).where(eq(user.email, email));
    return found;
  }

  async function providerAccounts(userId: string) {
    return db()
      .select({ providerId: account.providerId, accountId: account.accountId })
      .from(account)
      .where(and(eq(account.userId, userId), eq(account.providerId, "oidc")));
  }

  /** The user's security events, as [type, provider] pairs. */
  async function eventsOf(userId: string) {
    const events = await db().select().from(auditEvent).where(eq(auditEvent.userId, userId));
    return events.map((event) => [event.type, event.provider]);
  }

  /** The user the client's session belongs to, if it has one. */
  async function signedInUserId(client: TestClient) {
    const token = client.cookies.get(SESSION_COOKIE);
    if (!token) return null;
    const [row] = await db()
      .select({ userId: session.userId })
      .from(session)
      .where(eq(session.token, decodeURIComponent(token).split(".")[0] ?? ""));
    return row?.userId ?? null;
  }

  /** A provider identity whose address the provider vouches for (or not). */
  function identity(verified: boolean, email = uniqueEmail("idp")) {
    const sub = newSubject();
    idp.setIdentity(sub, { email, email_verified: verified, name: "Grace Hopper" });
    return { sub, email };
  }

  it("offers a button for the configured provider on the sign-in and sign-up pages", async () => {
    const client = new TestClient(services);
    for (const loader of [login.loader, signup.loader]) {
      const page = await client.get<LoginPage>(loader, "/login");
      expect(page.data.providers).toEqual([{ id: "oidc", name: OIDC_NAME }]);
    }
  });

  it("signs a new user up, verified by the provider, and brings them back where they meant to go", async () => {
    const { sub, email } = identity(true);
    const client = new TestClient(services);
    const result = await signInThroughProvider(client, sub, "/todos?filter=active");
    expect(result.status).toBe(302);
    expect(result.location).toBe("/todos?filter=active");

    const created = await userByEmail(email);
    expect(created).toMatchObject({ emailVerified: true, name: "Grace Hopper" });
    expect(await signedInUserId(client)).toBe(created?.id);
    expect(await providerAccounts(created?.id ?? "")).toEqual([{ providerId: "oidc", accountId: sub }]);
  });

  it("signs a returning user in to the same account", async () => {
    const { sub, email } = identity(true);
    await signInThroughProvider(new TestClient(services), sub);
    const again = new TestClient(services);
    const result = await signInThroughProvider(again, sub);
    expect(result.location).toBe("/todos");
    const owner = await userByEmail(email);
    expect(await signedInUserId(again)).toBe(owner?.id);
    expect(await providerAccounts(owner?.id ?? "")).toHaveLength(1);
  });

  it("keeps an unsafe redirectTo on the site", async () => {
    const { sub } = identity(true);
    const result = await signInThroughProvider(new TestClient(services), sub, "//evil.example/steal");
    expect(result.location).toBe("/todos");
  });

  it("records each sign-in through the provider, and the connection, as security events", async () => {
    const { sub } = identity(true);
    await signInThroughProvider(new TestClient(services, "198.51.100.77"), sub);
    const client = new TestClient(services, "198.51.100.77");
    await signInThroughProvider(client, sub);
    const page = await client.get<{ events: Array<{ type: string; label: string; ipAddress: string }> }>(
      settingsSecurity.loader,
      "/settings/security",
    );
    const labels = page.data.events.map((event) => event.label);
    expect(labels.filter((label) => label === `Signed in with ${OIDC_NAME}`)).toHaveLength(2);
    expect(labels).toContain(`${OIDC_NAME} connected`);
    expect(page.data.events.every((event) => event.ipAddress === "198.51.100.77")).toBe(true);
  });

  it("joins a verified account when the provider vouches for the same address", async () => {
    const { email } = await signUpVerified(services);
    const { sub } = identity(true, email);
    const client = new TestClient(services);
    const result = await signInThroughProvider(client, sub);
    expect(result.location).toBe("/todos");
    const owner = await userByEmail(email);
    expect(await signedInUserId(client)).toBe(owner?.id);
    expect(await providerAccounts(owner?.id ?? "")).toEqual([{ providerId: "oidc", accountId: sub }]);
  });

  it("does not join an account when the provider does not vouch for the address, and says how to link", async () => {
    const { email } = await signUpVerified(services);
    const { sub } = identity(false, email);
    const client = new TestClient(services);
    const result = await signInThroughProvider(client, sub);
    expect(result.location).toMatch(/^\/login\?/);
    expect(errorCodeOf(result)).toBe("account_not_linked");
    expect(await signedInUserId(client)).toBeNull();
    expect(await providerAccounts((await userByEmail(email))?.id ?? "")).toEqual([]);

    const page = await client.get<LoginPage>(login.loader, result.location ?? "");
    expect(page.status).toBe(200);
    expect(page.data.providerError?.message).toMatch(/Sign in with your password, then connect Test IdP/);
  });

  it("gives a sign-up never confirmed to the provider that vouches for its address: the password chosen at it stops working", async () => {
    const email = uniqueEmail("unconfirmed");
    const squatter = new TestClient(services);
    const signedUp = await squatter.post(signup.action, "/signup", {
      name: "Squatter",
      email,
      password: STRONG_PASSWORD,
      confirmPassword: STRONG_PASSWORD,
    });
    expect(signedUp.status).toBe(302);
    const { sub } = identity(true, email);
    const owner = new TestClient(services);
    const result = await signInThroughProvider(owner, sub);
    expect(result.location).toBe("/todos");
    const account = await userByEmail(email);
    expect(await signedInUserId(owner)).toBe(account?.id);
    expect(account?.emailVerified).toBe(true);
    expect(await providerAccounts(account?.id ?? "")).toEqual([expect.objectContaining({ accountId: sub })]);
    // Nothing of the earlier sign-up is a way in: its password is gone.
    const withPassword = await new TestClient(services).post(login.action, "/login", {
      email,
      password: STRONG_PASSWORD,
    });
    expect(withPassword.status).toBe(400);
    expect((await services.connections.forOwner(account?.id ?? "").signInMethods()).hasPassword).toBe(false);
  });

  it("makes no account from an address the provider does not vouch for, and says to sign up with it", async () => {
    const { sub, email } = identity(false);
    const client = new TestClient(services);
    const result = await signInThroughProvider(client, sub);
    expect(errorCodeOf(result)).toBe("email_not_vouched");
    expect(await signedInUserId(client)).toBeNull();
    expect(await userByEmail(email)).toBeUndefined();
    const page = await client.get<LoginPage>(login.loader, result.location ?? "");
    expect(page.data.providerError?.message).toMatch(/Create an account with the address instead/);
  });

  it("refuses a callback whose state was tampered with, or that comes to another browser", async () => {
    const { sub } = identity(true);
    const client = new TestClient(services);
    const callback = await callbackFromProvider(await startSignInWithProvider(client), sub);

    const tampered = new URL(callback);
    tampered.searchParams.set("state", `${tampered.searchParams.get("state") ?? ""}x`);
    const refused = await followCallback(client, tampered.toString());
    expect(refused.location).toBe("/login?error=state_mismatch");
    expect(await signedInUserId(client)).toBeNull();

    // The real callback, but in a browser that never started this sign-in (no state cookie).
    const stranger = new TestClient(services);
    const elsewhere = await followCallback(stranger, callback);
    expect(errorCodeOf(elsewhere)).toBe("state_mismatch");
    expect(await signedInUserId(stranger)).toBeNull();

    // Neither attempt spent the state: its own browser still completes the sign-in.
    expect((await followCallback(client, callback)).location).toBe("/todos");
    expect(await signedInUserId(client)).not.toBeNull();
  });

  it("uses a code once, and only with the PKCE verifier of its own sign-in", async () => {
    const { sub } = identity(true);
    const client = new TestClient(services);
    const first = await callbackFromProvider(await startSignInWithProvider(client), sub);
    expect((await followCallback(client, first)).location).toBe("/todos");

    // The same callback again: its state is spent.
    const fresh = new TestClient(services);
    const replayed = await followCallback(fresh, first);
    expect(errorCodeOf(replayed)).toBe("state_mismatch");

    // The spent code under a new, valid state: the provider refuses it.
    const second = await callbackFromProvider(await startSignInWithProvider(fresh), sub);
    const spliced = new URL(second);
    spliced.searchParams.set("code", new URL(first).searchParams.get("code") ?? "");
    const refused = await followCallback(fresh, spliced.toString());
    expect(errorCodeOf(refused)).toBe("invalid_code");
    expect(await signedInUserId(fresh)).toBeNull();

    // An unused code, but from another sign-in (another code_verifier): refused too.
    const other = new TestClient(services);
    const unused = await callbackFromProvider(await startSignInWithProvider(other), sub);
    const third = await callbackFromProvider(await startSignInWithProvider(fresh), sub);
    const swapped = new URL(third);
    swapped.searchParams.set("code", new URL(unused).searchParams.get("code") ?? "");
    expect(errorCodeOf(await followCallback(fresh, swapped.toString()))).toBe("invalid_code");
    expect(await signedInUserId(fresh)).toBeNull();
  });

  it("answers each provider only at its registered redirect URI", async () => {
    const client = new TestClient(services);
    const elsewhere = await client.get(
      withParams(socialCallback.loader, { providerId: "oidc" }),
      "/api/auth/callback/oidc?code=x&state=y",
    );
    expect(elsewhere.status).toBe(404);
  });

  it("ends the session already in the browser when someone signs in there through the provider", async () => {
    const { sub } = identity(true);
    const { email, password } = await signUpVerified(services);
    const client = new TestClient(services);
    const authorizationUrl = await startSignInWithProvider(client);
    // Meanwhile, in another tab of the same browser, someone signs in with a password.
    expect((await client.post(login.action, "/login", { email, password })).status).toBe(302);
    const before = await signedInUserId(client);
    const token = client.cookies.sessionToken() ?? "";

    expect((await followCallback(client, await callbackFromProvider(authorizationUrl, sub))).location).toBe(
      "/todos",
    );
    expect(await signedInUserId(client)).not.toBe(before);
    expect(await db().select().from(session).where(eq(session.token, token))).toEqual([]);
  });

  it("shows every failure as a readable message on the sign-in page, never better-auth's error page", async () => {
    const client = new TestClient(services);
    const noState = await followCallback(client, `${OIDC_REDIRECT_URI}?code=abc`);
    expect(noState.location).toBe("/login?error=state_not_found");
    const page = await client.get<LoginPage>(login.loader, "/login?error=state_not_found");
    expect(page.data.providerError?.message).toMatch(/did not work/);

    // The provider's own error (the user cancelled) comes back with the state, to the page the flow started on.
    const authorizationUrl = await startSignInWithProvider(client, "/todos?filter=completed");
    const state = new URL(authorizationUrl).searchParams.get("state") ?? "";
    const cancelled = await followCallback(
      client,
      `${OIDC_REDIRECT_URI}?${new URLSearchParams({ error: "access_denied", state, iss: idp.issuer })}`,
    );
    expect(cancelled.location).toBe(
      "/login?provider=oidc&redirectTo=%2Ftodos%3Ffilter%3Dcompleted&error=access_denied",
    );
    // The page names only a configured provider: the query string is anybody's to write.
    const forged = await client.get<LoginPage>(
      login.loader,
      "/login?error=invalid_code&provider=Call+0800+FRAUD",
    );
    expect(forged.data.providerError?.message).toMatch(/^Signing in with your provider did not work/);
    expect(forged.data.providerError?.message).not.toContain("FRAUD");

    // better-auth's own error page is never shown: it sends people to ours.
    const libraryPage = await client.get(authApi.loader, "/api/auth/error?error=state_mismatch");
    expect(libraryPage.status).toBe(302);
    expect(libraryPage.location).toBe("/login?error=state_mismatch");

    const cancelledPage = await client.get<LoginPage & { redirectTo: string }>(
      login.loader,
      cancelled.location ?? "",
    );
    expect(cancelledPage.data.providerError?.message).toBe(`You cancelled signing in with ${OIDC_NAME}.`);
    expect(cancelledPage.data.redirectTo).toBe("/todos?filter=completed");
  });

  describe("connections", () => {
    const connectionsPage = (client: TestClient, path = "/settings/connections") =>
      client.get<ConnectionsPage>(settingsConnections.loader, path);

    it("links the provider to a signed-in account, whatever its address, and lists it", async () => {
      const { client } = await signUpVerified(services);
      const { sub } = identity(true);
      const result = await linkThroughProvider(client, sub);
      expect(result.location).toBe("/settings/connections?linked=oidc");
      const page = await connectionsPage(client, result.location ?? "");
      expect(page.data.connections).toEqual([
        expect.objectContaining({ providerId: "oidc", name: OIDC_NAME }),
      ]);
      expect(page.data.available).toEqual([]);
      expect(page.data.linkedNotice).toMatch(/Test IdP is connected/);

      // From now on the provider signs the same account in.
      const elsewhere = new TestClient(services);
      await signInThroughProvider(elsewhere, sub);
      expect(await signedInUserId(elsewhere)).toBe(await signedInUserId(client));

      // The account's export says so, and which events concerned the provider.
      const exported = await client.get<AccountExport>(accountExport.loader, "/settings/account/export");
      expect(exported.data.signIn).toEqual({
        password: true,
        connections: [{ provider: "oidc", connectedAt: expect.any(String) }],
        passkeys: [],
      });
      expect(exported.data.securityEvents).toContainEqual(
        expect.objectContaining({ type: "provider-linked", provider: "oidc" }),
      );
    });

    it("refuses to link an identity whose address the provider does not vouch for", async () => {
      const { client } = await signUpVerified(services);
      const { sub } = identity(false);
      const result = await linkThroughProvider(client, sub);
      expect(result.location).toMatch(/^\/settings\/connections\?provider=oidc&error=/);
      const page = await connectionsPage(client, result.location ?? "");
      expect(page.data.connections).toEqual([]);
      expect(page.data.providerError).toMatch(/has not confirmed the email address/);
    });

    it("refuses to link an identity that already signs in to another account", async () => {
      const { sub } = identity(true);
      await signInThroughProvider(new TestClient(services), sub);
      const { client } = await signUpVerified(services);
      const result = await linkThroughProvider(client, sub);
      expect(errorCodeOf(result)).toBe("account_already_linked_to_different_user");
    });

    it("unlinks a provider when a password remains, and records it", async () => {
      const { client, email } = await signUpVerified(services);
      await linkThroughProvider(client, identity(true).sub);
      const result = await client.post(settingsConnections.action, "/settings/connections", {
        intent: "unlink",
        provider: "oidc",
      });
      expect(result.status).toBe(302);
      expect(result.location).toBe("/settings/connections");
      const owner = await userByEmail(email);
      expect(await providerAccounts(owner?.id ?? "")).toEqual([]);
      expect(await eventsOf(owner?.id ?? "")).toContainEqual(["provider-unlinked", "oidc"]);
    });

    it("keeps the last way to sign in, until a password is set from the password page", async () => {
      const { sub, email } = identity(true);
      const client = new TestClient(services);
      await signInThroughProvider(client, sub);
      const unlink = () =>
        client.post<{ error: string }>(settingsConnections.action, "/settings/connections", {
          intent: "unlink",
          provider: "oidc",
        });

      const refused = await unlink();
      expect(refused.status).toBe(400);
      expect(refused.data.error).toMatch(/only way you can sign in/);
      const owner = await userByEmail(email);
      expect(await providerAccounts(owner?.id ?? "")).toHaveLength(1);

      // No current password to give: the page asks only for the new one, twice.
      const passwordPage = await client.get<{ hasPassword: boolean }>(
        settingsPassword.loader,
        "/settings/password",
      );
      expect(passwordPage.data.hasPassword).toBe(false);
      const common = await client.post(settingsPassword.action, "/settings/password", {
        newPassword: "password123",
        confirmPassword: "password123",
      });
      expect(common.status).toBe(400);
      const set = await client.post(settingsPassword.action, "/settings/password", {
        newPassword: STRONG_PASSWORD,
        confirmPassword: STRONG_PASSWORD,
      });
      expect(set.status).toBe(302);
      expect((await connectionsPage(client)).data.hasPassword).toBe(true);

      // The new password signs in, and now the provider may go.
      const withPassword = new TestClient(services);
      expect(
        (await withPassword.post(login.action, "/login", { email, password: STRONG_PASSWORD })).status,
      ).toBe(302);
      expect((await unlink()).status).toBe(302);
      expect(await providerAccounts(owner?.id ?? "")).toEqual([]);
      const types = (
        await db()
          .select()
          .from(auditEvent)
          .where(eq(auditEvent.userId, owner?.id ?? ""))
      ).map((event) => event.type);
      expect(types).toContain("password-set");
    });

    it("asks someone with no password yet to set one before changing their address or deleting the account", async () => {
      const { sub, email } = identity(true);
      const client = new TestClient(services);
      await signInThroughProvider(client, sub);
      type Refusal = { result: { error?: Record<string, string[] | null> } };
      const formErrorOf = (refusal: Refusal) => refusal.result.error?.[""] ?? [];

      const emailPage = await client.get<{ hasPassword: boolean }>(settingsEmail.loader, "/settings/email");
      expect(emailPage.data.hasPassword).toBe(false);
      const move = await client.post<Refusal>(settingsEmail.action, "/settings/email", {
        newEmail: uniqueEmail("moved"),
        currentPassword: "anything at all",
      });
      expect(move.status).toBe(400);
      expect(formErrorOf(move.data)).toEqual([expect.stringMatching(/^Set a password first/)]);

      const accountPage = await client.get<{ hasPassword: boolean }>(
        settingsAccount.loader,
        "/settings/account",
      );
      expect(accountPage.data.hasPassword).toBe(false);
      const deletion = await client.post<Refusal>(settingsAccount.action, "/settings/account", {
        intent: "delete-account",
        currentPassword: "anything at all",
        confirm: "on",
      });
      expect(deletion.status).toBe(400);
      expect(formErrorOf(deletion.data)).toEqual([expect.stringMatching(/^Set a password first/)]);
      expect(await userByEmail(email)).toBeDefined();

      // With a password set, the same pages ask for it.
      expect(
        (
          await client.post(settingsPassword.action, "/settings/password", {
            newPassword: STRONG_PASSWORD,
            confirmPassword: STRONG_PASSWORD,
          })
        ).status,
      ).toBe(302);
      expect(
        (await client.get<{ hasPassword: boolean }>(settingsEmail.loader, "/settings/email")).data
          .hasPassword,
      ).toBe(true);
      const wrong = await client.post<Refusal>(settingsAccount.action, "/settings/account", {
        intent: "delete-account",
        currentPassword: "anything at all",
        confirm: "on",
      });
      expect(wrong.status).toBe(400);
      expect(wrong.data.result.error?.currentPassword).toEqual(["That is not your current password"]);
    });

    it("records an unlink through /api/auth/unlink-account too, which also keeps the last way in", async () => {
      const { sub, email } = identity(true);
      const client = new TestClient(services);
      await signInThroughProvider(client, sub);
      const owner = await userByEmail(email);
      const [linked] = await db()
        .select({ id: account.id })
        .from(account)
        .where(eq(account.userId, owner?.id ?? ""));
      const unlink = () =>
        services.auth.api.unlinkAccount({
          body: { accountId: linked?.id ?? "" },
          headers: client.buildRequest("/api/auth/unlink-account", { method: "POST" }).headers,
        });
      await expect(unlink()).rejects.toMatchObject({ statusCode: 400 });

      await client.post(settingsPassword.action, "/settings/password", {
        newPassword: STRONG_PASSWORD,
        confirmPassword: STRONG_PASSWORD,
      });
      await unlink();
      expect(await providerAccounts(owner?.id ?? "")).toEqual([]);
      expect(await eventsOf(owner?.id ?? "")).toContainEqual(["provider-unlinked", "oidc"]);
    });

    it("answers 404 for unlinking a provider that is not linked, and 400 for linking an unknown one", async () => {
      const { client } = await signUpVerified(services);
      const unlinked = await client.post(settingsConnections.action, "/settings/connections", {
        intent: "unlink",
        provider: "oidc",
      });
      expect(unlinked.status).toBe(404);
      const unknown = await client.post(settingsConnections.action, "/settings/connections", {
        intent: "link",
        provider: "github",
      });
      expect(unknown.status).toBe(400);
    });
  });
});
