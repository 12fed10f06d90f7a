import { randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvent, passkey, passkeyChallenge } from "../../db/schema";
import { COOKIE_PREFIX } from "../../app/auth/session-cookie";
import { PASSKEY_CHALLENGE_COOKIES } from "../../app/passkeys/passkeys-plugin.server";
import { withProvider } from "./provider";
import type { HttpApp } from "../support/http-app";
import { ageSession, APP_START_TIMEOUT_MS, Browser, mailsTo, signUp, startApp, userByEmail } from "./support";

/**
 * Passkeys' server rules that need no authenticator (SECURITY.md, "Second factor": every challenge
 * random, single-use, bound to its browser and expiring within 5 minutes; relying party id and
 * origin from APP_URL), through the real HTTP server. The ceremonies themselves, with Chromium's
 * virtual authenticator, are in tests/e2e/passkeys.js-only.spec.ts.
 */

/** The sign-in challenge's cookie as better-auth names it over https (APP_URL is https here). */
const SIGN_IN_COOKIE = `__Secure-${COOKIE_PREFIX}.${PASSKEY_CHALLENGE_COOKIES["sign-in"]}`;

/** The `code` of a refusal's JSON body. */
const codeOf = async (response: Response) => ((await response.json()) as { code?: string }).code;

const b64 = (bytes = 32) => randomBytes(bytes).toString("base64url");

/** A well-formed sign-in answer whose signature is nobody's. */
const bogusAssertion = (credentialId = b64(16)) => ({
  id: credentialId,
  rawId: credentialId,
  type: "public-key",
  clientExtensionResults: {},
  response: { clientDataJSON: b64(100), authenticatorData: b64(37), signature: b64(70) },
});

describe("Passkeys (ASVS 6.5; NIST SP 800-63B-4 phishing resistance)", () => {
  const provider = withProvider();
  const app = provider.app;
  const db = () => app().services.database.db;

  const cookieNames = (response: Response) =>
    response.headers.getSetCookie().map((cookie) => cookie.slice(0, cookie.indexOf("=")));

  /** The challenge rows the database holds now. */
  const challengeRows = () => db().select().from(passkeyChallenge);

  /** A passkey row for `userId`, as a registration would leave it (its key is nobody's). */
  async function seedPasskey(userId: string, name = "Seeded key") {
    const [row] = await db()
      .insert(passkey)
      .values({
        userId,
        name,
        credentialId: b64(16),
        publicKey: b64(77),
        userHandle: b64(),
        counter: 0,
        deviceType: "singleDevice",
        backedUp: false,
      })
      .returning();
    if (!row) throw new Error("no passkey row");
    return row;
  }

  async function signedUpUser() {
    const browser = new Browser(app());
    const account = await signUp(browser);
    const row = await userByEmail(app(), account.email);
    if (!row) throw new Error("no user");
    return { browser, account, userId: row.id };
  }

  describe("sign-in challenges", () => {
    it("are issued with the relying party of APP_URL, user verification required, in a signed HttpOnly cookie of 5 minutes", async () => {
      const browser = new Browser(app());
      const answer = await browser.postJson("/api/auth/passkey/sign-in-options", {});
      expect(answer.status).toBe(200);
      const options = (await answer.json()) as {
        rpId?: string;
        userVerification?: string;
        challenge?: string;
      };
      expect(options.rpId).toBe("todo.example.com");
      expect(options.userVerification).toBe("required");
      expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const cookie =
        answer.headers.getSetCookie().find((line) => line.startsWith(`${SIGN_IN_COOKIE}=`)) ?? "";
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/Max-Age=300/i);
      // Signed: the value carries better-auth's signature after the token.
      expect(decodeURIComponent(cookie.split(";")[0] ?? "")).toMatch(/=[A-Za-z0-9_-]{43}\.[A-Za-z0-9+/=]+$/);
      // Only a hash of the token is kept, never the token.
      const token =
        decodeURIComponent(cookie.split(";")[0] ?? "")
          .split("=")[1]
          ?.split(".")[0] ?? "";
      const rows = await challengeRows();
      expect(rows.some((row) => row.tokenHash === token)).toBe(false);
      expect(rows.some((row) => row.challenge === options.challenge && row.purpose === "sign-in")).toBe(true);
    });

    it("are used once: a refused answer spends its challenge, and a second try finds none", async () => {
      const browser = new Browser(app());
      const options = await browser.postJson("/api/auth/passkey/sign-in-options", {});
      const { challenge } = (await options.json()) as { challenge: string };
      const first = await browser.postJson("/api/auth/passkey/sign-in", { response: bogusAssertion() });
      expect(first.status).toBe(401);
      expect(await codeOf(first)).toBe("PASSKEY_REFUSED");
      expect(cookieNames(first).some((name) => name.endsWith("session_token"))).toBe(false);
      expect((await challengeRows()).some((row) => row.challenge === challenge)).toBe(false);
      const second = await browser.postJson("/api/auth/passkey/sign-in", { response: bogusAssertion() });
      expect(second.status).toBe(400);
      expect(await codeOf(second)).toBe("PASSKEY_CHALLENGE_EXPIRED");
    });

    it("are bound to the browser that asked: another browser, or a forged cookie, has none", async () => {
      const asker = new Browser(app());
      await asker.postJson("/api/auth/passkey/sign-in-options", {});
      const other = new Browser(app());
      const answer = await other.postJson("/api/auth/passkey/sign-in", { response: bogusAssertion() });
      expect(answer.status).toBe(400);
      expect(await codeOf(answer)).toBe("PASSKEY_CHALLENGE_EXPIRED");
      const forged = await other.postJson(
        "/api/auth/passkey/sign-in",
        { response: bogusAssertion() },
        { cookie: `${SIGN_IN_COOKIE}=${b64()}` },
      );
      expect(forged.status).toBe(400);
      // Positive control: the asker still holds a live challenge (refused only for its bogus signature).
      const own = await asker.postJson("/api/auth/passkey/sign-in", { response: bogusAssertion() });
      expect(own.status).toBe(401);
    });

    it("expire after five minutes", async () => {
      const browser = new Browser(app());
      const options = await browser.postJson("/api/auth/passkey/sign-in-options", {});
      const { challenge } = (await options.json()) as { challenge: string };
      await db()
        .update(passkeyChallenge)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(passkeyChallenge.challenge, challenge));
      const answer = await browser.postJson("/api/auth/passkey/sign-in", { response: bogusAssertion() });
      expect(answer.status).toBe(400);
      expect(await codeOf(answer)).toBe("PASSKEY_CHALLENGE_EXPIRED");
    });

    it("refuse a malformed or oversized answer before anything is looked up", async () => {
      const browser = new Browser(app());
      await browser.postJson("/api/auth/passkey/sign-in-options", {});
      const garbage = await browser.postJson("/api/auth/passkey/sign-in", { response: { id: "x" } });
      expect(garbage.status).toBe(400);
      const huge = await browser.postJson("/api/auth/passkey/sign-in", {
        response: { ...bogusAssertion(), response: { ...bogusAssertion().response, signature: b64(20_000) } },
      });
      expect(huge.status).toBe(400);
      expect(cookieNames(huge).some((name) => name.endsWith("session_token"))).toBe(false);
      const offSite = await browser.postJson("/api/auth/passkey/sign-in", {
        response: bogusAssertion(),
        redirectTo: "https://evil.example/",
      });
      // better-auth's own origin check answers first (403), ours would (400): either way, refused.
      expect([400, 403]).toContain(offSite.status);
      expect(cookieNames(offSite).some((name) => name.endsWith("session_token"))).toBe(false);
    });

    it("are refused from another site", async () => {
      const browser = new Browser(app());
      const answer = await browser.postJson(
        "/api/auth/passkey/sign-in-options",
        {},
        { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      );
      expect(answer.status).toBe(403);
    });
  });

  describe("registration", () => {
    it("needs a session, and the re-authentication window", async () => {
      const anonymous = await new Browser(app()).postJson("/api/auth/passkey/registration-options", {});
      expect(anonymous.status).toBe(401);

      const { browser, account } = await signedUpUser();
      const fresh = await browser.postJson("/api/auth/passkey/registration-options", {});
      expect(fresh.status).toBe(200);
      const options = (await fresh.json()) as {
        rp?: { id?: string };
        user?: { id?: string };
        authenticatorSelection?: { residentKey?: string; userVerification?: string };
      };
      expect(options.rp?.id).toBe("todo.example.com");
      expect(options.authenticatorSelection).toMatchObject({
        residentKey: "required",
        userVerification: "required",
      });
      // The WebAuthn user handle is random, never the account's id.
      expect(options.user?.id).toMatch(/^[A-Za-z0-9_-]{43}$/);

      await ageSession(app(), browser, 60 * 60);
      const stale = await browser.postJson("/api/auth/passkey/registration-options", {});
      expect(stale.status).toBe(403);
      expect(await codeOf(stale)).toBe("REAUTHENTICATION_REQUIRED");

      // Positive control: the password typed at /reauthenticate opens the window again.
      const confirmed = await browser.post("/reauthenticate", {
        password: account.password,
        redirectTo: "/settings/passkeys",
      });
      expect(confirmed.status).toBe(302);
      const reopened = await browser.postJson("/api/auth/passkey/registration-options", {});
      expect(reopened.status).toBe(200);
    });

    it("spends its challenge once, and only for the account that asked", async () => {
      const { browser } = await signedUpUser();
      await browser.postJson("/api/auth/passkey/registration-options", {});
      const answer = {
        name: "Key",
        response: {
          id: b64(16),
          rawId: b64(16),
          type: "public-key",
          clientExtensionResults: {},
          response: { clientDataJSON: b64(100), attestationObject: b64(200) },
        },
      };
      const first = await browser.postJson("/api/auth/passkey/register", answer);
      expect(first.status).toBe(400);
      expect(await codeOf(first)).toBe("PASSKEY_REFUSED");
      const again = await browser.postJson("/api/auth/passkey/register", answer);
      expect(await codeOf(again)).toBe("PASSKEY_CHALLENGE_EXPIRED");
    });
  });

  describe("re-authentication with a passkey", () => {
    it("needs a session, offers only the account's own passkeys, and spends its challenge once", async () => {
      const anonymous = await new Browser(app()).postJson("/api/auth/passkey/reauthenticate-options", {});
      expect(anonymous.status).toBe(401);

      const owner = await signedUpUser();
      const other = await signedUpUser();
      const own = await seedPasskey(owner.userId, "Own");
      await seedPasskey(other.userId, "Other's");
      const answer = await owner.browser.postJson("/api/auth/passkey/reauthenticate-options", {});
      expect(answer.status).toBe(200);
      const options = (await answer.json()) as { allowCredentials?: Array<{ id: string }> };
      expect(options.allowCredentials?.map((credential) => credential.id)).toEqual([own.credentialId]);

      const first = await owner.browser.postJson("/api/auth/passkey/reauthenticate", {
        response: bogusAssertion(own.credentialId),
      });
      expect(first.status).toBe(401);
      const again = await owner.browser.postJson("/api/auth/passkey/reauthenticate", {
        response: bogusAssertion(own.credentialId),
      });
      expect(again.status).toBe(400);
      // A sign-in challenge is not a re-authentication's, nor the other way round.
      await owner.browser.postJson("/api/auth/passkey/reauthenticate-options", {});
      const crossed = await owner.browser.postJson("/api/auth/passkey/sign-in", {
        response: bogusAssertion(),
      });
      expect(crossed.status).toBe(400);
    });
  });

  describe("settings: rename and remove", () => {
    it("act only on the owner's passkeys", async () => {
      const owner = await signedUpUser();
      const other = await signedUpUser();
      const key = await seedPasskey(owner.userId, "Owner's key");
      const rename = await other.browser.post("/settings/passkeys", {
        intent: "rename",
        id: key.id,
        name: "Mine",
      });
      expect(rename.status).toBe(404);
      const remove = await other.browser.post("/settings/passkeys", { intent: "delete", id: key.id });
      expect(remove.status).toBe(404);
      const [still] = await db().select().from(passkey).where(eq(passkey.id, key.id));
      expect(still?.name).toBe("Owner's key");

      // Positive control: the owner renames it, then removes it; a mail and the activity say so.
      const renamed = await owner.browser.post("/settings/passkeys", {
        intent: "rename",
        id: key.id,
        name: "Desk",
      });
      expect(renamed.status).toBe(302);
      const removed = await owner.browser.post("/settings/passkeys", { intent: "delete", id: key.id });
      expect(removed.status).toBe(302);
      expect(await db().select().from(passkey).where(eq(passkey.id, key.id))).toEqual([]);
      expect(await mailsTo(app(), owner.account.email, "sign-in-method-notice")).toHaveLength(1);
      const events = await db()
        .select({ type: auditEvent.type })
        .from(auditEvent)
        .where(eq(auditEvent.userId, owner.userId));
      expect(events.map((event) => event.type)).toEqual(
        expect.arrayContaining(["passkey-renamed", "passkey-removed"]),
      );
    });

    it("refuse a name that is empty, too long or holds control characters, and an id that is not one", async () => {
      const { browser, userId } = await signedUpUser();
      const key = await seedPasskey(userId);
      for (const name of ["   ", "x".repeat(65), "bad\u0007name"]) {
        const answer = await browser.post("/settings/passkeys", { intent: "rename", id: key.id, name });
        expect(answer.status).toBe(400);
        expect(await answer.text()).toContain('role="alert"');
      }
      const unknown = await browser.post("/settings/passkeys", { intent: "delete", id: randomUUID() });
      expect(unknown.status).toBe(404);
      const junk = await browser.post("/settings/passkeys", { intent: "delete", id: "not-a-uuid" });
      expect(junk.status).toBe(400);
    });

    it("keep the last way in: a provider-only account's passkey stays until the provider or another way is there", async () => {
      const { sub, email } = provider.identity(true);
      const browser = new Browser(app());
      const signedIn = await provider.throughProvider(browser, await browser.post("/auth/oidc", {}), sub);
      expect(signedIn.headers.get("location")).toBe("/todos");
      const row = await userByEmail(app(), email);
      if (!row) throw new Error("no account");
      const key = await seedPasskey(row.id, "Only key");

      // With a passkey, the provider may go: the passkey is a way in.
      const unlinked = await browser.post("/settings/connections", { intent: "unlink", provider: "oidc" });
      expect(unlinked.status).toBe(302);

      // Now the passkey is the last way in: it stays.
      const refused = await browser.post("/settings/passkeys", { intent: "delete", id: key.id });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain("the only way you can sign in");
      expect(await db().select().from(passkey).where(eq(passkey.id, key.id))).toHaveLength(1);

      // Positive control: with a second passkey, the first may go.
      await seedPasskey(row.id, "Second key");
      const removed = await browser.post("/settings/passkeys", { intent: "delete", id: key.id });
      expect(removed.status).toBe(302);
      const left = await db()
        .select()
        .from(passkey)
        .where(and(eq(passkey.userId, row.id)));
      expect(left.map((key) => key.name)).toEqual(["Second key"]);
    });
  });
});

describe("Passkeys on an APP_URL that is an IP address (WebAuthn refuses one as relying party id)", () => {
  let app: HttpApp;
  beforeAll(async () => {
    app = await startApp();
  }, APP_START_TIMEOUT_MS);
  afterAll(() => app.close());

  it("are off: the sign-in page offers none and the endpoints answer 404", async () => {
    expect(app.services.config.appUrl.hostname).toBe("127.0.0.1");
    const browser = new Browser(app);
    const login = await (await browser.get("/login")).text();
    expect(login).not.toContain("Sign in with a passkey");
    expect(login).toMatch(/<input[^>]*name="email"[^>]*autoComplete="username"/i);
    expect(login).not.toContain("webauthn");
    const options = await browser.postJson("/api/auth/passkey/sign-in-options", {});
    expect(options.status).toBe(404);
    expect(await codeOf(options)).toBe("PASSKEY_UNAVAILABLE");
  });
});
