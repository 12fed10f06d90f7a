/** better-auth's prefix for this app's cookies. */
export const COOKIE_PREFIX = "todo";

/** The session cookie's name over plain HTTP (development, tests, the bench and the scan). */
export const SESSION_COOKIE = `${COOKIE_PREFIX}.session_token`;

/** Its name as better-auth sets it: over HTTPS with the `__Secure-` prefix, which browsers enforce. */
export const sessionCookieName = (secure: boolean) => `${secure ? "__Secure-" : ""}${SESSION_COOKIE}`;

/** The pending second step's cookie: better-auth's short name, which it prefixes as above. */
export const PENDING_SIGN_IN_COOKIE = "two_factor";

/** Whether a `Cookie` header carries a pending second step, over HTTP or HTTPS. */
export function carriesPendingSignIn(cookieHeader: string | null): boolean {
  const name = `${COOKIE_PREFIX}.${PENDING_SIGN_IN_COOKIE}`;
  return (cookieHeader ?? "").split(";").some((part) => {
    const found = part.trim().split("=", 1)[0];
    return found === name || found === `__Secure-${name}`;
  });
}
