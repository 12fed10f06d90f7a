import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthEndpoint, getOAuthState } from "better-auth/api";
import { setSessionCookie } from "better-auth/cookies";
import type { GenericEndpointContext } from "@better-auth/core";
import { z } from "zod";
import { originOf, type AuditLog } from "../audit/audit.server";
import { CLIENT_ADDRESS_HEADER } from "../auth/client-address";
import type { CredentialChanges } from "../auth/credential-changes.server";
import { retryAfterText, type RateLimits } from "../security/rate-limit.server";
import { PASSKEY_SIGN_IN_PATH } from "../passkeys/passkeys-plugin.server";
import { CHALLENGE_SECONDS, type SignInChallenges } from "./sign-in-challenges.server";
import type { TwoFactorService } from "./two-factor.server";
import { PENDING_SIGN_IN_COOKIE } from "../auth/session-cookie";

/** The page of the second step, where every way in that needs one lands. */
export const SECOND_STEP_PATH = "/login/two-factor";
/** better-auth's path of the second step, for the page (through `auth.api`) and programs alike. */
const VERIFY_PATH = "/two-factor/verify";
/** The code of the answer to a first step that passed but needs the second (403, no session). */
export const TWO_FACTOR_REQUIRED = "TWO_FACTOR_REQUIRED";
/** The code when there is no pending sign-in (none, expired, ended by wrong codes). */
export const NO_PENDING_SIGN_IN = "NO_PENDING_SIGN_IN";
export const INVALID_CODE = "INVALID_TWO_FACTOR_CODE";

/** How a session's sign-in was made, by the better-auth path that makes it. */
function signInMethodOf(ctx: GenericEndpointContext): string | null {
  if (ctx.path === "/sign-in/email") return "password";
  if (ctx.path === "/verify-email") return "link";
  if (ctx.path === "/callback/:id") return ctx.params?.id ?? null;
  if (ctx.path === "/oauth2/callback/:providerId") return ctx.params?.providerId ?? null;
  return null;
}

/** Where the first step said to go afterwards: the form's `callbackURL`, or a provider flow's. */
async function redirectOf(ctx: GenericEndpointContext): Promise<string | null> {
  const fromBody: unknown = ctx.body?.callbackURL;
  if (typeof fromBody === "string") return fromBody;
  const state = ctx.path.includes("callback") ? await getOAuthState() : null;
  return typeof state?.callbackURL === "string" ? state.callbackURL : null;
}

/** Endpoints that make a new session for the caller's own, signed-in and checked by their middleware. */
const REPLACES_OWN_SESSION: ReadonlySet<string> = new Set(["/change-password"]);

type NewSession = { userId: string } & Record<string, unknown>;

/**
 * Two-step sign-in on every way in. better-auth makes every session through one adapter call,
 * whichever endpoint asks (the form, `/api/auth/*`, a provider's callback, a mail link): its
 * `session.create` hook is the gate (`gate`). For an account with two-step sign-in on, no session
 * is made; a pending sign-in is, its token in a signed cookie, and the second step
 * (`/two-factor/verify`, the plugin below) makes the session once a code passes.
 */
export function createSecondStep(deps: {
  twoFactor: TwoFactorService;
  challenges: SignInChallenges;
  rateLimits: RateLimits;
  audit: AuditLog;
  credentialChanges: CredentialChanges;
}) {
  const { twoFactor, challenges, rateLimits, audit } = deps;

  const cookieOf = (ctx: GenericEndpointContext) =>
    ctx.context.createAuthCookie(PENDING_SIGN_IN_COOKIE, { maxAge: CHALLENGE_SECONDS });

  /** The end of a pending sign-in, its cookie cleared (an error's answer keeps only its own headers). */
  const noPendingSignIn = (
    ctx: GenericEndpointContext,
    message = "This sign-in has expired or ended. Please sign in again.",
  ) => {
    const cookie = cookieOf(ctx);
    const cleared = ctx.setCookie(cookie.name, "", { ...cookie.attributes, maxAge: 0 });
    return new APIError("UNAUTHORIZED", { code: NO_PENDING_SIGN_IN, message }, { "Set-Cookie": cleared });
  };

  /** The `session.create` hook: the session's data, or a refusal that starts the second step. */
  async function gate(session: NewSession, ctx: GenericEndpointContext | null) {
    if (!ctx) return { data: session };
    // The second step itself, which set how the sign-in was made; a passkey with user verification is both factors.
    if (ctx.path === VERIFY_PATH || ctx.path === PASSKEY_SIGN_IN_PATH) return { data: session };
    // A session that replaces the caller's own (a password change ending the others) inherits how it began.
    const current = REPLACES_OWN_SESSION.has(ctx.path) ? ctx.context.session : null;
    if (current && current.user.id === session.userId) {
      const { signInMethod, secondFactor } = current.session as {
        signInMethod?: unknown;
        secondFactor?: unknown;
      };
      return { data: { ...session, signInMethod, secondFactor } };
    }
    const method = signInMethodOf(ctx);
    if (!(await twoFactor.isEnabled(session.userId))) return { data: { ...session, signInMethod: method } };
    const token = await challenges.create({
      userId: session.userId,
      method: method ?? "password",
      redirectTo: await redirectOf(ctx),
    });
    const cookie = cookieOf(ctx);
    const setCookie = await ctx.setSignedCookie(cookie.name, token, ctx.context.secret, cookie.attributes);
    await audit.record(session.userId, "sign-in-second-step", originOf(ctx.headers), method ?? undefined);
    // A provider's callback is a browser's navigation: on to the page. Anything else answers 403.
    if (ctx.path.includes("callback")) throw ctx.redirect(SECOND_STEP_PATH);
    throw new APIError(
      "FORBIDDEN",
      {
        code: TWO_FACTOR_REQUIRED,
        message: `Enter a code from your authenticator app (POST /api/auth${VERIFY_PATH}).`,
      },
      { "Set-Cookie": setCookie },
    );
  }

  const verifyEndpoint = createAuthEndpoint(
    VERIFY_PATH,
    { method: "POST", body: z.object({ code: z.string().max(64) }) },
    async (ctx) => {
      const cookie = cookieOf(ctx);
      const token = await ctx.getSignedCookie(cookie.name, ctx.context.secret);
      const pending = token ? await challenges.find(token) : null;
      const user = pending ? await ctx.context.internalAdapter.findUserById(pending.userId) : null;
      if (!token || !pending || !user) throw noPendingSignIn(ctx);
      const origin = originOf(ctx.headers);
      const address = ctx.headers?.get(CLIENT_ADDRESS_HEADER) ?? "unknown";
      // Wrong codes count with wrong passwords: the same per-account limits hold both.
      const verdict = await rateLimits.signInFailures.check(user.email, address);
      if (!verdict.allowed) {
        throw new APIError(
          "TOO_MANY_REQUESTS",
          {
            code: "TOO_MANY_FAILED_SIGN_INS",
            message: `Too many failed sign-ins to this account. Try again ${retryAfterText(verdict.retryAfterSeconds)}.`,
          },
          { "Retry-After": String(verdict.retryAfterSeconds) },
        );
      }
      const accepted = await twoFactor.verify(user.id, ctx.body.code.trim());
      if (!accepted) {
        await rateLimits.signInFailures.recordFailure(user.email, address);
        await audit.record(user.id, "sign-in-second-step-failed", origin);
        const left = await challenges.recordFailure(token);
        if (left === 0) throw noPendingSignIn(ctx, "Too many wrong codes. Please sign in again.");
        throw new APIError("UNAUTHORIZED", {
          code: INVALID_CODE,
          message: `That code is not right, or was already used. ${left} ${left === 1 ? "try" : "tries"} left.`,
        });
      }
      // Finished once: of two requests with the same cookie, only one makes a session.
      if (!(await challenges.end(token))) throw noPendingSignIn(ctx);
      ctx.setCookie(cookie.name, "", { ...cookie.attributes, maxAge: 0 });
      const session = await ctx.context.internalAdapter.createSession(user.id, false, {
        signInMethod: pending.method,
        secondFactor: accepted.factor,
      });
      await setSessionCookie(ctx, { session, user });
      const provider =
        pending.method === "password" || pending.method === "link" ? undefined : pending.method;
      await audit.record(user.id, "sign-in", origin, provider);
      await rateLimits.signInFailures.clearAddress(user.email, address);
      if (accepted.factor === "recovery-code") {
        await deps.credentialChanges.record(
          user.id,
          { kind: "recovery-code-used", left: accepted.left },
          origin,
        );
      }
      return ctx.json({ token: session.token, user, redirectTo: pending.redirectTo });
    },
  );

  const plugin = {
    id: "second-step",
    endpoints: { verifyTwoFactor: verifyEndpoint },
  } satisfies BetterAuthPlugin;

  return { gate, plugin };
}

export type SecondStep = ReturnType<typeof createSecondStep>;
