import type { Auth, AuthSession } from "./auth.server";
import type { SessionCache } from "./session-cache.server";

/** Sessions end after a week without use; activity pushes the end back at most once a day. */
export const SESSION_IDLE_SECONDS = 7 * 24 * 60 * 60;
export const SESSION_REFRESH_SECONDS = 24 * 60 * 60;
/** However active, a session ends 30 days after its sign-in (better-auth knows only the idle end). */
export const SESSION_ABSOLUTE_SECONDS = 30 * 24 * 60 * 60;

/**
 * Whether better-auth would push the session's end back on this request (it
 * does so at most once a day): then the request must go through better-auth,
 * not the cache, so that the new expiry is stored and the cookie renewed.
 */
const isRefreshDue = ({ session }: AuthSession) =>
  session.expiresAt.getTime() - (SESSION_IDLE_SECONDS - SESSION_REFRESH_SECONDS) * 1000 <= Date.now();

const isPastAbsoluteEnd = ({ session }: AuthSession) =>
  Date.now() - session.createdAt.getTime() > SESSION_ABSOLUTE_SECONDS * 1000;

/** One cookie's value from a Cookie header, as sent (the cache's key is the exact signed value). */
function cookieValue(header: string | null, name: string): string | null {
  for (const pair of header?.split(";") ?? []) {
    const index = pair.indexOf("=");
    if (index > 0 && pair.slice(0, index).trim() === name) return pair.slice(index + 1).trim() || null;
  }
  return null;
}

export interface SessionResolver {
  /**
   * The signed-in session a request carries, or null. Cookies better-auth sets on the way (a
   * renewed or cleared session) go to `setCookie`, for the response.
   */
  resolve(headers: Headers, setCookie: (value: string) => void): Promise<AuthSession | null>;
}

/**
 * The session of a request: from the cache while no change to it was announced
 * (decision 001), else from better-auth; past its absolute end it is ended here.
 */
export function createSessionResolver(deps: {
  auth: Auth;
  sessionCache: SessionCache;
  cookieName: string;
}): SessionResolver {
  const { auth, sessionCache, cookieName } = deps;
  return {
    async resolve(headers, setCookie) {
      const forward = (from: Headers | null | undefined) => from?.getSetCookie().forEach(setCookie);
      const bearer = headers.has("authorization");
      // A bearer token may stand for another session than the cookie: only cookies use the cache.
      const cookie = bearer ? null : cookieValue(headers.get("cookie"), cookieName);
      // Neither a session cookie nor a token: nobody is signed in, and better-auth would only say so
      // after building its whole request context (docs/performance.md, "Anonymous pages").
      if (!bearer && !cookie) return null;
      const cached = cookie ? sessionCache.get(cookie) : null;
      let current = cached && !isRefreshDue(cached) ? cached : null;
      if (!current) {
        const readAt = sessionCache.generation();
        const { headers: set, response } = await auth.api.getSession({ headers, returnHeaders: true });
        forward(set);
        current = response;
        if (response && cookie) sessionCache.set(cookie, response, readAt);
      }
      if (current && isPastAbsoluteEnd(current)) {
        // Ended on the server and in the browser.
        const signedOut = await auth.api.signOut({ headers, returnHeaders: true });
        forward(signedOut.headers);
        return null;
      }
      return current;
    },
  };
}
