import { APIError, getSessionFromCtx } from "better-auth/api";

/**
 * Sudo mode (ASVS 7.5.1): a sensitive change needs a password check (or a
 * fresh provider sign-in) in this very session within `REAUTH_MAX_AGE`
 * seconds. The time is a column of the session row, so every instance agrees
 * and the window ends with the session. The pages enforce it with
 * `requireRecentAuth` (guards.server.ts); `/api/auth/*` with the rule below.
 */

/** Where a person confirms it is them, then goes back to `redirectTo`. */
export const REAUTHENTICATE_PATH = "/reauthenticate";

/** The error code of the JSON answer (403) to a program outside the window. */
export const REAUTHENTICATION_REQUIRED = "REAUTHENTICATION_REQUIRED";

/** A session's dates as the database, better-auth or a JSON copy hand them over. */
type When = Date | string | number;

export interface AuthenticatedSession {
  createdAt: When;
  reauthenticatedAt?: When | null;
}

/** When the session last proved who is using it: its sign-in, or the last re-authentication since. */
function lastAuthenticatedAt(session: AuthenticatedSession): Date {
  return new Date(session.reauthenticatedAt ?? session.createdAt);
}

/** Whether the session's last authentication is at most `maxAgeSeconds` old. */
export function isRecentlyAuthenticated(
  session: AuthenticatedSession,
  maxAgeSeconds: number,
  now = Date.now(),
): boolean {
  return now - lastAuthenticatedAt(session).getTime() <= maxAgeSeconds * 1000;
}

/**
 * The better-auth endpoints that make the same changes as the sensitive forms.
 * /change-email and /delete-user are off in this configuration (the settings
 * pages do both): listed so that switching them on cannot skip the window.
 * /set-password has no HTTP path (server only): its page checks the window.
 */
const SENSITIVE_ENDPOINTS: ReadonlySet<string> = new Set([
  "/change-password",
  "/change-email",
  "/link-social",
  "/unlink-account",
  "/delete-user",
  "/passkey/registration-options",
  "/passkey/register",
]);

type HookContext = Parameters<typeof getSessionFromCtx>[0];

/** The session token of an `Authorization: Bearer` header (signed or not), as the bearer plugin reads it. */
function bearerToken(headers: Headers | undefined): string | null {
  const header = headers?.get("authorization");
  if (!header || header.slice(0, 7).toLowerCase() !== "bearer ") return null;
  let value = header.slice(7).trim();
  try {
    value = decodeURIComponent(value);
  } catch {
    // not encoded
  }
  return value.split(".")[0] || null;
}

/**
 * Every session the request presents: its cookie's and its bearer token's.
 * The bearer plugin turns the token into a cookie only in its own hook, after
 * this one, so both are looked at; a request is let through only if each is
 * within the window (a stale cookie cannot ride along with a fresh token).
 */
async function presentedSessions(ctx: HookContext): Promise<AuthenticatedSession[]> {
  const sessions: AuthenticatedSession[] = [];
  const fromCookie = await getSessionFromCtx(ctx);
  if (fromCookie) sessions.push(fromCookie.session);
  const token = bearerToken(ctx.headers);
  const fromBearer = token ? await ctx.context.internalAdapter.findSession(token) : null;
  if (fromBearer) sessions.push(fromBearer.session);
  return sessions;
}

/**
 * The window for `/api/auth/*` (and for the app's own calls through
 * `auth.api`): outside it, a sensitive endpoint answers 403 with
 * `{ code: "REAUTHENTICATION_REQUIRED", message }` and changes nothing. Without
 * a session the endpoint's own 401 answers. Called from `hooks.before`.
 */
export async function requireRecentAuthForEndpoint(ctx: HookContext, maxAgeSeconds: number): Promise<void> {
  if (ctx.path === undefined || !SENSITIVE_ENDPOINTS.has(ctx.path)) return;
  const sessions = await presentedSessions(ctx);
  if (sessions.every((session) => isRecentlyAuthenticated(session, maxAgeSeconds))) return;
  throw new APIError("FORBIDDEN", {
    code: REAUTHENTICATION_REQUIRED,
    message: `This change needs a password check in this session within the last ${maxAgeSeconds} seconds: sign in again (or confirm your password at ${REAUTHENTICATE_PATH}), then retry.`,
  });
}

/** "10 minutes", "90 seconds", "1 hour": the window as a person reads it. */
export function describeWindow(seconds: number): string {
  const unit = (count: number, name: string) => `${count} ${name}${count === 1 ? "" : "s"}`;
  if (seconds % 3600 === 0) return unit(seconds / 3600, "hour");
  if (seconds % 60 === 0) return unit(seconds / 60, "minute");
  return unit(seconds, "second");
}
