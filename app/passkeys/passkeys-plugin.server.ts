import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthEndpoint, sessionMiddleware } from "better-auth/api";
import { setSessionCookie } from "better-auth/cookies";
import type { GenericEndpointContext } from "@better-auth/core";
import { z } from "zod";
import { originOf, type AuditLog } from "../audit/audit.server";
import { isRecentlyAuthenticated, REAUTHENTICATION_REQUIRED } from "../auth/reauthentication.server";
import { PASSKEY_CHALLENGE_SECONDS } from "./challenges.server";
import type { PasskeyService } from "./passkeys.server";
import type { SessionService } from "../auth/sessions.server";
import { AuthenticationResponseSchema, PasskeyNameSchema, RegistrationResponseSchema } from "./schemas";

/** better-auth's path of the passkey sign-in: the session gate lets it through (user verification is both factors). */
export const PASSKEY_SIGN_IN_PATH = "/passkey/sign-in";

/** The error codes the client turns into messages (the library's own text is never sent). */
const PASSKEY_CHALLENGE_EXPIRED = "PASSKEY_CHALLENGE_EXPIRED";
const PASSKEY_REFUSED = "PASSKEY_REFUSED";
const PASSKEY_UNAVAILABLE = "PASSKEY_UNAVAILABLE";

/** One cookie per ceremony, so autofill on /login and adding a passkey elsewhere never clobber each other. */
export const PASSKEY_CHALLENGE_COOKIES = {
  registration: "passkey_registration",
  "sign-in": "passkey_sign_in",
  reauthentication: "passkey_reauth",
} as const;
type Ceremony = keyof typeof PASSKEY_CHALLENGE_COOKIES;

/**
 * Passkeys' HTTP side, as better-auth endpoints (POST only, so under the origin checks): the
 * challenge's token goes in a signed HttpOnly cookie; the ceremonies are passkeys.server.ts's.
 */
export function createPasskeysPlugin(deps: {
  passkeys: PasskeyService;
  audit: AuditLog;
  sessions: SessionService;
  reauthMaxAgeSeconds: number;
}) {
  const { passkeys, audit } = deps;

  const cookieOf = (ctx: GenericEndpointContext, purpose: Ceremony) =>
    ctx.context.createAuthCookie(PASSKEY_CHALLENGE_COOKIES[purpose], { maxAge: PASSKEY_CHALLENGE_SECONDS });

  /** The token of this browser's ceremony; null when missing or its signature is wrong. */
  const readToken = async (ctx: GenericEndpointContext, purpose: Ceremony) =>
    (await ctx.getSignedCookie(cookieOf(ctx, purpose).name, ctx.context.secret)) || null;

  const setToken = async (ctx: GenericEndpointContext, purpose: Ceremony, token: string) => {
    const cookie = cookieOf(ctx, purpose);
    await ctx.setSignedCookie(cookie.name, token, ctx.context.secret, cookie.attributes);
  };

  const clearToken = (ctx: GenericEndpointContext, purpose: Ceremony) => {
    const cookie = cookieOf(ctx, purpose);
    ctx.setCookie(cookie.name, "", { ...cookie.attributes, maxAge: 0 });
  };

  const refuseUnavailable = () => {
    if (!passkeys.relyingParty.available) {
      throw new APIError("NOT_FOUND", {
        code: PASSKEY_UNAVAILABLE,
        message: "Passkeys need the site on a domain name, not an IP address.",
      });
    }
  };

  /** Adding a passkey is a sensitive change: within the re-authentication window (also checked in hooks.before). */
  const requireWindow = (session: { createdAt: Date; reauthenticatedAt?: unknown }) => {
    const { reauthenticatedAt } = session;
    const last =
      reauthenticatedAt instanceof Date || typeof reauthenticatedAt === "string" ? reauthenticatedAt : null;
    if (
      isRecentlyAuthenticated(
        { createdAt: session.createdAt, reauthenticatedAt: last },
        deps.reauthMaxAgeSeconds,
      )
    )
      return;
    throw new APIError("FORBIDDEN", {
      code: REAUTHENTICATION_REQUIRED,
      message: "Adding a passkey needs a recent password check: confirm it is you, then try again.",
    });
  };

  const expired = () =>
    new APIError("BAD_REQUEST", {
      code: PASSKEY_CHALLENGE_EXPIRED,
      message: "That took too long or was already used. Please try again.",
    });

  const registrationOptions = createAuthEndpoint(
    "/passkey/registration-options",
    { method: "POST", use: [sessionMiddleware] },
    async (ctx) => {
      refuseUnavailable();
      const { user, session } = ctx.context.session;
      requireWindow(session);
      const issued = await passkeys.registrationOptions(user, await readToken(ctx, "registration"));
      if (issued === "too-many") {
        throw new APIError("BAD_REQUEST", {
          code: "TOO_MANY_PASSKEYS",
          message: "You have as many passkeys as an account can hold. Remove one first.",
        });
      }
      await setToken(ctx, "registration", issued.token);
      return ctx.json(issued.options);
    },
  );

  const register = createAuthEndpoint(
    "/passkey/register",
    {
      method: "POST",
      use: [sessionMiddleware],
      body: z.object({ name: PasskeyNameSchema, response: RegistrationResponseSchema }),
    },
    async (ctx) => {
      refuseUnavailable();
      const { user, session } = ctx.context.session;
      requireWindow(session);
      const token = await readToken(ctx, "registration");
      clearToken(ctx, "registration");
      if (!token) throw expired();
      const result = await passkeys.register(
        user.id,
        token,
        ctx.body.name,
        ctx.body.response,
        originOf(ctx.headers),
      );
      switch (result.outcome) {
        case "added":
          return ctx.json({ name: result.name });
        case "expired":
          throw expired();
        case "already-added":
          throw new APIError("BAD_REQUEST", {
            code: "PASSKEY_ALREADY_ADDED",
            message: "This passkey is already on your account.",
          });
        case "too-many":
          throw new APIError("BAD_REQUEST", {
            code: "TOO_MANY_PASSKEYS",
            message: "You have as many passkeys as an account can hold. Remove one first.",
          });
        case "refused":
          throw new APIError("BAD_REQUEST", {
            code: PASSKEY_REFUSED,
            message: "That passkey could not be added. It must check that it is you (a PIN, a fingerprint).",
          });
      }
    },
  );

  const signInOptions = createAuthEndpoint("/passkey/sign-in-options", { method: "POST" }, async (ctx) => {
    refuseUnavailable();
    const issued = await passkeys.signInOptions(await readToken(ctx, "sign-in"));
    await setToken(ctx, "sign-in", issued.token);
    return ctx.json(issued.options);
  });

  const signIn = createAuthEndpoint(
    PASSKEY_SIGN_IN_PATH,
    {
      method: "POST",
      body: z.object({ response: AuthenticationResponseSchema, redirectTo: z.string().max(2048).optional() }),
    },
    async (ctx) => {
      refuseUnavailable();
      const token = await readToken(ctx, "sign-in");
      clearToken(ctx, "sign-in");
      if (!token) throw expired();
      const result = await passkeys.signIn(token, ctx.body.response);
      const user =
        result.outcome === "signed-in" ? await ctx.context.internalAdapter.findUserById(result.userId) : null;
      if (result.outcome === "expired") throw expired();
      if (!user || !user.emailVerified) {
        throw new APIError("UNAUTHORIZED", {
          code: PASSKEY_REFUSED,
          message: "That passkey did not sign you in. Try another way to sign in.",
        });
      }
      // A passkey with user verification is both factors: no second step (the gate lets this path through).
      const session = await ctx.context.internalAdapter.createSession(user.id, false, {
        signInMethod: "passkey",
        secondFactor: null,
      });
      await setSessionCookie(ctx, { session, user });
      await audit.record(user.id, "sign-in", originOf(ctx.headers), "passkey");
      // No token in the answer: a browser has it in its HttpOnly cookie.
      return ctx.json({ redirectTo: ctx.body.redirectTo ?? null });
    },
  );

  const reauthenticateOptions = createAuthEndpoint(
    "/passkey/reauthenticate-options",
    { method: "POST", use: [sessionMiddleware] },
    async (ctx) => {
      refuseUnavailable();
      const { user } = ctx.context.session;
      const issued = await passkeys.signInOptions(await readToken(ctx, "reauthentication"), user.id);
      await setToken(ctx, "reauthentication", issued.token);
      return ctx.json(issued.options);
    },
  );

  /** A passkey of this account, checked with user verification, opens this session's window (both factors). */
  const reauthenticate = createAuthEndpoint(
    "/passkey/reauthenticate",
    { method: "POST", use: [sessionMiddleware], body: z.object({ response: AuthenticationResponseSchema }) },
    async (ctx) => {
      refuseUnavailable();
      const { user, session } = ctx.context.session;
      const token = await readToken(ctx, "reauthentication");
      clearToken(ctx, "reauthentication");
      if (!token) throw expired();
      const result = await passkeys.signIn(token, ctx.body.response, user.id);
      if (result.outcome === "expired") throw expired();
      const marked =
        result.outcome === "signed-in" &&
        (await deps.sessions
          .forOwner(user.id)
          .markReauthenticated(session.id, originOf(ctx.headers), "passkey"));
      if (!marked) {
        throw new APIError("UNAUTHORIZED", {
          code: PASSKEY_REFUSED,
          message: "That passkey did not confirm it is you. Try again, or another way.",
        });
      }
      return ctx.json({ reauthenticated: true });
    },
  );

  return {
    id: "passkeys",
    endpoints: {
      passkeyReauthenticateOptions: reauthenticateOptions,
      passkeyReauthenticate: reauthenticate,
      passkeyRegistrationOptions: registrationOptions,
      passkeyRegister: register,
      passkeySignInOptions: signInOptions,
      passkeySignIn: signIn,
    },
  } satisfies BetterAuthPlugin;
}
