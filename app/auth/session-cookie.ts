/** better-auth's prefix for this app's cookies. */
export const COOKIE_PREFIX = "todo";

/** The session cookie's name over plain HTTP (development, tests, the bench and the scan). */
export const SESSION_COOKIE = `${COOKIE_PREFIX}.session_token`;

/** Its name as better-auth sets it: over HTTPS with the `__Secure-` prefix, which browsers enforce. */
export const sessionCookieName = (secure: boolean) => `${secure ? "__Secure-" : ""}${SESSION_COOKIE}`;
