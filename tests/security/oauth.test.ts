import { createHash, randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { account, session, user } from "../../db/schema";
import { STRONG_PASSWORD, uniqueEmail } from "../support/client";
import type { HttpApp } from "../support/http-app";
import { OIDC_NAME } from "../support/oauth";
import { signInAtProvider, type TestOidcProvider } from "../support/oidc-provider";
import { APP_URL, CALLBACK_PATH, withProvider } from "./provider";
import { allSessionTokens, mailLink, Browser, sessionsOf, signIn, signUp, userByEmail } from "./support";
import { SESSION_COOKIE_PATTERN } from "../../harness/cookies";

/**
 * The OAuth lines, through the real HTTP server and a real OpenID Connect
 * provider (`oidc-provider` on loopback), driven the way a browser without
 * JavaScript drives them: the "Continue with …" button posts to `/auth/oidc`,
 * the app answers with a redirect to the provider, the provider's sign-in
 * redirects back to the app's callback, and the browser follows it with its
 * cookies.
 */

describe("OAuth (ASVS 10, when it exists)", () => {
  const provider = withProvider();
  const { identity, pressProviderButton, atProvider, followCallback, signInThroughProvider } = provider;
  let app: HttpApp;
  let idp: TestOidcProvider;
  beforeAll(() => {
    app = provider.app();
    idp = provider.idp();
  });

  const db = () => app.services.database.db;

  /** A copy of a callback URL with one parameter changed (`null`: left out). */
  function withParam(callback: URL, name: string, value: string | null): URL {
    const changed = new URL(callback);
    if (value === null) changed.searchParams.delete(name);
    else changed.searchParams.set(name, value);
    return changed;
  }

  /** `?error=` of the app's redirect after a callback. */
  const errorCodeOf = (response: Response) =>
    new URL(response.headers.get("location") ?? "/", APP_URL).searchParams.get("error");

  /** A callback the app refused: back to /login with an error, and no session cookie handed out. */
  function expectRefused(response: Response, code: string | RegExp) {
    expect(response.status).toBe(302);
    expect(response.headers.get("location") ?? "").toMatch(/^\/login\?/);
    expect(errorCodeOf(response)).toMatch(code);
    const sessionCookies = response.headers
      .getSetCookie()
      .filter((cookie) => new RegExp(`^${SESSION_COOKIE_PATTERN}=[^;]`).test(cookie));
    expect(sessionCookies).toEqual([]);
  }

  /** The user the browser's session belongs to, as the database says (null: no session). */
  async function signedInUserId(browser: Browser): Promise<string | null> {
    const token = browser.sessionToken;
    if (!token) return null;
    const [row] = await db().select({ userId: session.userId }).from(session).where(eq(session.token, token));
    return row?.userId ?? null;
  }

  async function oidcAccounts(userId: string) {
    return db()
      .select({ id: account.id, accountId: account.accountId })
      .from(account)
      .where(and(eq(account.userId, userId), eq(account.providerId, "oidc")));
  }

  async function usersWithEmail(email: string) {
    return db().select({ id: user.id }).from(user).where(eq(user.email, email));
  }

  /** A refused callback left no one signed in and made no account. */
  async function expectNoOneSignedIn(browser: Browser, email: string) {
    expect(await browser.isSignedIn()).toBe(false);
    expect(await usersWithEmail(email)).toEqual([]);
  }

  /** The positive control: `browser` completes the sign-in and is signed in as the account of `email`. */
  async function expectCompletes(browser: Browser, callback: URL, email: string) {
    const completed = await followCallback(browser, callback);
    expect(completed.headers.get("location")).toBe("/todos");
    expect(await signedInUserId(browser)).toBe((await userByEmail(app, email))?.id);
  }

  it("`state` and PKCE checked; a code works once. — every sign-in asks for S256 PKCE, a nonce and a state of its own", async () => {
    const urls = [
      new URL(await pressProviderButton(new Browser(app))),
      new URL(await pressProviderButton(new Browser(app))),
    ];
    for (const url of urls) {
      expect(url.searchParams.get("code_challenge_method")).toBe("S256");
      expect(url.searchParams.get("code_challenge") ?? "").toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((url.searchParams.get("state") ?? "").length).toBeGreaterThanOrEqual(16);
      expect((url.searchParams.get("nonce") ?? "").length).toBeGreaterThanOrEqual(16);
      expect(url.searchParams.get("redirect_uri")).toBe(`${APP_URL}${CALLBACK_PATH}`);
    }
    for (const name of ["code_challenge", "state", "nonce"]) {
      expect(urls[0]?.searchParams.get(name)).not.toBe(urls[1]?.searchParams.get(name));
    }
    // The verifier behind the challenge never leaves the server: not in the URL, not in a cookie.
    for (const url of urls) expect(url.searchParams.has("code_verifier")).toBe(false);
  });

  it("`state` and PKCE checked; a code works once. — a callback with a tampered or missing state is refused and signs no one in", async () => {
    const { sub, email } = identity(true);
    const browser = new Browser(app);
    const callback = await atProvider(await pressProviderButton(browser), sub);
    const state = callback.searchParams.get("state") ?? "";

    for (const forged of [
      withParam(callback, "state", `${state}x`),
      withParam(callback, "state", state.slice(0, -1)),
      withParam(callback, "state", "0".repeat(state.length)),
      withParam(callback, "state", ""),
      withParam(callback, "state", null),
    ]) {
      expectRefused(await followCallback(browser, forged), /^state_/);
      expect(await signedInUserId(browser)).toBeNull();
      expect(await browser.isSignedIn()).toBe(false);
    }
    // Nobody signed in, and no account was made for the identity either.
    expect(await usersWithEmail(email)).toEqual([]);

    // Positive control: the untouched callback, in its own browser, does sign in.
    const completed = await followCallback(browser, callback);
    expect(completed.status).toBe(302);
    expect(completed.headers.get("location")).toBe("/todos");
    const created = await userByEmail(app, email);
    expect(created).toBeDefined();
    expect(await signedInUserId(browser)).toBe(created?.id);
    expect(await browser.isSignedIn()).toBe(true);
  });

  it("`state` and PKCE checked; a code works once. — a callback replayed in another browser is refused", async () => {
    const { sub, email } = identity(true);
    const victim = new Browser(app);
    // The attacker's own sign-in, whose callback they send someone else (login CSRF).
    const callback = await atProvider(await pressProviderButton(victim), sub);

    // A browser that never started a sign-in: no state cookie.
    const stranger = new Browser(app);
    expectRefused(await followCallback(stranger, callback), /^state_/);
    expect(await stranger.isSignedIn()).toBe(false);

    // A browser in the middle of a sign-in of its own: its state cookie is for another state.
    const other = new Browser(app);
    await pressProviderButton(other);
    expect(other.cookies.size).toBeGreaterThan(0);
    expectRefused(await followCallback(other, callback), /^state_/);
    await expectNoOneSignedIn(other, email);

    // Positive control: the browser that started it completes it.
    await expectCompletes(victim, callback, email);
  });

  it("`state` and PKCE checked; a code works once. — the same authorization code works only once", async () => {
    const { sub, email } = identity(true);
    const browser = new Browser(app);
    const first = await atProvider(await pressProviderButton(browser), sub);
    const completed = await followCallback(browser, first);
    expect(completed.headers.get("location")).toBe("/todos");
    const owner = await userByEmail(app, email);
    expect(owner).toBeDefined();
    const sessionsAfterFirst = (await sessionsOf(app, email)).length;
    expect(sessionsAfterFirst).toBe(1);

    // The same callback again, in the same browser and in another: its state is spent.
    const again = await followCallback(browser, first);
    expectRefused(again, /^state_/);
    const replayer = new Browser(app);
    expectRefused(await followCallback(replayer, first), /^state_/);
    expect(await replayer.isSignedIn()).toBe(false);

    // The spent code under a fresh, valid state of the replaying browser: the code is refused.
    const second = await atProvider(await pressProviderButton(replayer), sub);
    const spliced = withParam(second, "code", first.searchParams.get("code"));
    expectRefused(await followCallback(replayer, spliced), "invalid_code");
    expect(await replayer.isSignedIn()).toBe(false);
    expect(await sessionsOf(app, email)).toHaveLength(sessionsAfterFirst);

    // Positive control: a fresh code of a fresh sign-in in that browser works.
    const fresh = await signInThroughProvider(replayer, sub);
    expect(fresh.headers.get("location")).toBe("/todos");
    expect(await signedInUserId(replayer)).toBe(owner?.id);
  });

  it("`state` and PKCE checked; a code works once. — a code cannot be redeemed with another sign-in's PKCE verifier", async () => {
    const { sub, email } = identity(true);
    // The code of someone's sign-in, intercepted before it is used...
    const owner = new Browser(app);
    const intercepted = await atProvider(await pressProviderButton(owner), sub);
    // ...pasted into the attacker's own sign-in, with its valid state (and so its own verifier).
    const attacker = new Browser(app);
    const attackersOwn = await atProvider(await pressProviderButton(attacker), provider.newSubject());
    const swapped = withParam(attackersOwn, "code", intercepted.searchParams.get("code"));
    expectRefused(await followCallback(attacker, swapped), "invalid_code");
    await expectNoOneSignedIn(attacker, email);

    // Positive control: the same code, with the verifier of its own sign-in, works (the refusal was the verifier's).
    await expectCompletes(owner, intercepted, email);
  });

  it("An OAuth identity links to an existing account only when the provider says the email is verified, and an unverified password account is never merged into. — provider says email_verified=false: no link, no session", async () => {
    const owner = await signUp(new Browser(app));
    const existing = await userByEmail(app, owner.email);
    expect(existing?.emailVerified).toBe(true);
    const sessionsBefore = (await sessionsOf(app, owner.email)).length;

    const { sub } = identity(false, owner.email);
    const browser = new Browser(app);
    const answer = await signInThroughProvider(browser, sub);
    expectRefused(answer, "account_not_linked");
    expect(await signedInUserId(browser)).toBeNull();
    expect(await browser.isSignedIn()).toBe(false);
    expect(await oidcAccounts(existing?.id ?? "")).toEqual([]);
    expect(await sessionsOf(app, owner.email)).toHaveLength(sessionsBefore);
    expect(await usersWithEmail(owner.email)).toHaveLength(1);

    // The page it lands on says what to do instead.
    const page = await browser.get(answer.headers.get("location") ?? "");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`Sign in with your password, then connect ${OIDC_NAME}`);

    // Trying again changes nothing: the identity never joined.
    expectRefused(await signInThroughProvider(new Browser(app), sub), "account_not_linked");
    expect(await oidcAccounts(existing?.id ?? "")).toEqual([]);
  });

  it("An OAuth identity links to an existing account only when the provider says the email is verified, and an unverified password account is never merged into. — provider says verified, the password account never confirmed its address: nothing of it is merged, its password dies", async () => {
    // Someone registers a password account with an address that is not theirs, and never confirms it.
    const squatter = new Browser(app);
    const email = uniqueEmail("squatted");
    const registered = await squatter.post("/signup", {
      name: "Squatter",
      email,
      password: STRONG_PASSWORD,
      confirmPassword: STRONG_PASSWORD,
    });
    expect(registered.status).toBe(302);
    const squatted = await userByEmail(app, email);
    expect(squatted?.emailVerified).toBe(false);

    // The address's real owner signs in through a provider that vouches for it: the address is theirs.
    const { sub } = identity(true, email);
    const realOwner = new Browser(app);
    const answer = await signInThroughProvider(realOwner, sub);
    expect(answer.headers.get("location")).toBe("/todos");
    expect(await signedInUserId(realOwner)).toBe(squatted?.id);
    expect(await oidcAccounts(squatted?.id ?? "")).toEqual([expect.objectContaining({ accountId: sub })]);
    expect(await usersWithEmail(email)).toHaveLength(1);
    // Nothing the squatter set survives: not the password, not the name.
    expect((await userByEmail(app, email))?.name).not.toBe("Squatter");
    const squatterAgain = new Browser(app);
    expect((await signIn(squatterAgain, { email, password: STRONG_PASSWORD })).status).toBe(400);
    expect(await squatterAgain.isSignedIn()).toBe(false);
    // Nor does the squatter's confirmation link open anything now.
    const link = await mailLink(app, email, "verify-email", "/verify-email?token=");
    const pressed = await squatter.pressOnLinkPage(link, { intent: "confirm" });
    expect(pressed.headers.get("location")).toBe("/login");
    expect(squatter.sessionToken).toBeNull();
  });

  it("An OAuth identity links to an existing account only when the provider says the email is verified, and an unverified password account is never merged into. — provider says verified and the account is verified: it joins that account", async () => {
    const owner = await signUp(new Browser(app));
    const existing = await userByEmail(app, owner.email);
    const { sub } = identity(true, owner.email);

    const browser = new Browser(app);
    const answer = await signInThroughProvider(browser, sub);
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toBe("/todos");
    expect(await signedInUserId(browser)).toBe(existing?.id);
    expect(await oidcAccounts(existing?.id ?? "")).toEqual([expect.objectContaining({ accountId: sub })]);
    expect(await usersWithEmail(owner.email)).toHaveLength(1);
    // The account keeps its own name (the provider calls this identity "Ada Lovelace").
    expect((await userByEmail(app, owner.email))?.name).toBe(existing?.name);
    // The password still signs in to the same account.
    const withPassword = new Browser(app);
    expect((await signIn(withPassword, owner)).status).toBe(302);
    expect(await signedInUserId(withPassword)).toBe(existing?.id);
  });

  it("A new session token at every sign-in; every way of creating a session (form, `/api/auth/*`, provider, mail link, passkey) ends the session that browser had, on the server. — provider", async () => {
    // The provider's page is opened signed out; meanwhile the same browser signs in with a password.
    const owner = await signUp(new Browser(app));
    const browser = new Browser(app);
    const { sub, email } = identity(true);
    const callback = await atProvider(await pressProviderButton(browser), sub);
    expect((await signIn(browser, owner)).status).toBe(302);
    const held = browser.sessionToken;
    expect(held).not.toBeNull();
    const answer = await followCallback(browser, callback);
    expect(answer.headers.get("location")).toBe("/todos");
    expect(await signedInUserId(browser)).toBe((await userByEmail(app, email))?.id);
    // The password session this browser had is over on the server.
    expect(await allSessionTokens(app)).not.toContain(held);
  });

  it("An OAuth identity links to an existing account only when the provider says the email is verified, and an unverified password account is never merged into. — connecting from Settings → Connections needs a verified address too", async () => {
    const browser = new Browser(app);
    const owner = await signUp(browser);
    const existing = await userByEmail(app, owner.email);
    const connect = async (sub: string) => {
      const started = await browser.post("/settings/connections", { intent: "link", provider: "oidc" });
      expect(started.status).toBe(302);
      return followCallback(browser, await atProvider(started.headers.get("location") ?? "", sub));
    };

    const unverified = identity(false);
    const refused = await connect(unverified.sub);
    expect(refused.headers.get("location")).toBe(
      "/settings/connections?provider=oidc&error=unable_to_link_account",
    );
    expect(await oidcAccounts(existing?.id ?? "")).toEqual([]);
    expectRefused(await signInThroughProvider(new Browser(app), unverified.sub), /.+/);
    expect(await oidcAccounts(existing?.id ?? "")).toEqual([]);

    // Positive control: an identity whose address the provider vouches for connects, and signs in to this account.
    const verified = identity(true);
    const linked = await connect(verified.sub);
    expect(linked.headers.get("location")).toBe("/settings/connections?linked=oidc");
    expect(await oidcAccounts(existing?.id ?? "")).toEqual([
      expect.objectContaining({ accountId: verified.sub }),
    ]);
    const elsewhere = new Browser(app);
    expect((await signInThroughProvider(elsewhere, verified.sub)).headers.get("location")).toBe("/todos");
    expect(await signedInUserId(elsewhere)).toBe(existing?.id);
  });

  /** Someone who signed up through the provider: no password, one connection. */
  /** The provider is still linked, and signs its user in from a new browser. */
  async function expectProviderStillSignsIn(userId: string, sub: string) {
    expect(await oidcAccounts(userId)).toHaveLength(1);
    const later = new Browser(app);
    expect((await signInThroughProvider(later, sub)).headers.get("location")).toBe("/todos");
    expect(await signedInUserId(later)).toBe(userId);
  }

  async function providerOnlyUser() {
    const { sub, email } = identity(true);
    const browser = new Browser(app);
    const answer = await signInThroughProvider(browser, sub);
    expect(answer.headers.get("location")).toBe("/todos");
    const owner = await userByEmail(app, email);
    const [connection, ...others] = await oidcAccounts(owner?.id ?? "");
    expect(others).toEqual([]);
    if (!owner || !connection) throw new Error("the provider sign-in made no account");
    return { browser, sub, email, userId: owner.id, connectionId: connection.id };
  }

  const setPassword = async (browser: Browser) => {
    const answer = await browser.post("/settings/password", {
      newPassword: STRONG_PASSWORD,
      confirmPassword: STRONG_PASSWORD,
    });
    expect(answer.status, await answer.clone().text()).toBe(302);
  };

  it("A user cannot remove their last way to sign in. — unlinking the only provider on /settings/connections is refused", async () => {
    const { browser, sub, email, userId } = await providerOnlyUser();
    const unlink = () => browser.post("/settings/connections", { intent: "unlink", provider: "oidc" });

    const refused = await unlink();
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("the only way you can sign in");
    await expectProviderStillSignsIn(userId, sub);

    // Positive control: with a password set, the provider may go, and the password signs in.
    await setPassword(browser);
    const unlinked = await unlink();
    expect(unlinked.status).toBe(302);
    expect(unlinked.headers.get("location")).toBe("/settings/connections");
    expect(await oidcAccounts(userId)).toEqual([]);
    const withPassword = new Browser(app);
    expect((await signIn(withPassword, { email, password: STRONG_PASSWORD })).status).toBe(302);
    expect(await signedInUserId(withPassword)).toBe(userId);
  });

  it("A user cannot remove their last way to sign in. — unlinking the only provider through POST /api/auth/unlink-account is refused", async () => {
    const { browser, sub, userId, connectionId } = await providerOnlyUser();
    const unlink = () =>
      browser.postJson("/api/auth/unlink-account", { providerId: "oidc", accountId: connectionId });

    const refused = await unlink();
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: "FAILED_TO_UNLINK_LAST_ACCOUNT" });
    await expectProviderStillSignsIn(userId, sub);

    // Positive control: with a password set, the same call unlinks.
    await setPassword(browser);
    const unlinked = await unlink();
    expect(unlinked.status, await unlinked.clone().text()).toBe(200);
    expect(await oidcAccounts(userId)).toEqual([]);
  });

  it("A user cannot remove their last way to sign in. — nor their password: /api/auth/unlink-account never removes it, so a stolen session cannot replace it", async () => {
    const { browser, email, userId } = await providerOnlyUser();
    await setPassword(browser);
    // Someone holding only the session cookie: it lists the account's rows, the password's among them.
    const listed = await browser.get("/api/auth/list-accounts");
    expect(listed.status).toBe(200);
    const rows = (await listed.json()) as Array<{ id: string; providerId: string }>;
    const passwordRow = rows.find((row) => row.providerId === "credential");
    expect(passwordRow).toBeDefined();

    const refused = await browser.postJson("/api/auth/unlink-account", { accountId: passwordRow?.id });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: "PASSWORD_NOT_UNLINKABLE" });
    // The password still signs in, and a new one still needs it.
    const owner = new Browser(app);
    expect((await signIn(owner, { email, password: STRONG_PASSWORD })).status).toBe(302);
    expect(await signedInUserId(owner)).toBe(userId);
    const replaced = await browser.post("/settings/password", {
      newPassword: "the thief's own pass phrase",
      confirmPassword: "the thief's own pass phrase",
    });
    expect(replaced.status).toBe(400);
    const thief = new Browser(app);
    expect((await signIn(thief, { email, password: "the thief's own pass phrase" })).status).not.toBe(302);

    // Positive control: the provider's row, named the same way, is unlinked (a password remains).
    const providerRow = rows.find((row) => row.providerId === "oidc");
    const unlinked = await browser.postJson("/api/auth/unlink-account", { accountId: providerRow?.id });
    expect(unlinked.status, await unlinked.clone().text()).toBe(200);
    expect(await oidcAccounts(userId)).toEqual([]);
  });

  it("Tokens never appear in URLs (except single-use mail links), in page HTML, in route data or in logs — nor does /api/auth/* hand out a provider's tokens", async () => {
    const { browser, connectionId } = await providerOnlyUser();
    // The app never uses a provider's tokens, so it keeps none (a database leak gives none away)…
    const [stored] = await db()
      .select({
        accessToken: account.accessToken,
        refreshToken: account.refreshToken,
        idToken: account.idToken,
      })
      .from(account)
      .where(eq(account.id, connectionId));
    expect(stored).toEqual({ accessToken: null, refreshToken: null, idToken: null });
    // …and the endpoints that would hand them out (or use them) are not served.
    const answers = [
      await browser.postJson("/api/auth/get-access-token", { accountId: connectionId }),
      await browser.postJson("/api/auth/refresh-token", { accountId: connectionId }),
      await browser.get(`/api/auth/account-info?accountId=${encodeURIComponent(connectionId)}`),
    ];
    for (const answer of answers) {
      expect(answer.status, answer.url).toBe(404);
      expect(await answer.text(), answer.url).not.toMatch(/access_?token|id_?token|Ada Lovelace/i);
    }
    // Positive control: the same session is good for what the API does offer.
    expect((await browser.get("/api/auth/list-accounts")).status).toBe(200);
  });

  /**
   * An ID token this app's client was issued, got the way any OAuth client gets one: the
   * authorization code flow with PKCE, the code redeemed at the provider's token endpoint. It is
   * what an attacker holds after it leaks (a log, a proxy, a compromised device).
   */
  async function idTokenFor(sub: string): Promise<string> {
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
      authorization_endpoint: string;
      token_endpoint: string;
    };
    const verifier = randomBytes(32).toString("base64url");
    const authorize = new URL(discovery.authorization_endpoint);
    authorize.search = new URLSearchParams({
      client_id: idp.clientId,
      redirect_uri: `${APP_URL}${CALLBACK_PATH}`,
      response_type: "code",
      scope: "openid email profile",
      state: randomBytes(16).toString("base64url"),
      nonce: randomBytes(16).toString("base64url"),
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
    }).toString();
    const code = new URL(await signInAtProvider(authorize.toString(), sub)).searchParams.get("code") ?? "";
    const tokens = await fetch(discovery.token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        code_verifier: verifier,
        redirect_uri: `${APP_URL}${CALLBACK_PATH}`,
        client_id: idp.clientId,
        client_secret: idp.clientSecret,
      }),
    });
    expect(tokens.status).toBe(200);
    const { id_token: idToken } = (await tokens.json()) as { id_token: string };
    return idToken;
  }

  it("`state` and PKCE checked; a code works once. — an ID token is no way in: posted to /api/auth/*, it neither signs in nor links", async () => {
    const { sub, email } = identity(true);
    // The account exists, made the proper way.
    const owner = new Browser(app);
    expect((await signInThroughProvider(owner, sub)).headers.get("location")).toBe("/todos");
    const idToken = await idTokenFor(sub);
    // A genuine token for this app, naming the account's verified address: all it would take.
    expect(decodeJwt(idToken)).toMatchObject({ sub, email, email_verified: true, aud: idp.clientId });

    const stranger = new Browser(app);
    const signInAnswer = await stranger.postJson("/api/auth/sign-in/social", {
      provider: "oidc",
      idToken: { token: idToken },
    });
    expect(signInAnswer.status).toBe(400);
    expect(await signInAnswer.json()).toMatchObject({ code: "ID_TOKEN_SIGN_IN_DISABLED" });
    expect(await signedInUserId(stranger)).toBeNull();

    const other = new Browser(app);
    const otherAccount = await signUp(other);
    const linkAnswer = await other.postJson("/api/auth/link-social", {
      provider: "oidc",
      idToken: { token: idToken },
    });
    expect(linkAnswer.status).toBe(400);
    const otherUser = await userByEmail(app, otherAccount.email);
    expect(await oidcAccounts(otherUser?.id ?? "")).toEqual([]);
    expect(await sessionsOf(app, email)).toHaveLength(1);
  });
});
