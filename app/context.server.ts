import { data, type AppLoadContext } from "@remix-run/node";
import {
  SESSION_ABSOLUTE_SECONDS,
  SESSION_IDLE_SECONDS,
  SESSION_REFRESH_SECONDS,
  type AuthSession,
} from "./auth/auth.server";
import type { Flash } from "./flash.server";
import type { Logger } from "./logger.server";
import { retryAfterText, type AddressLimit } from "./security/rate-limit.server";
import type { Services } from "./services.server";

/**
 * What every loader and action receives besides the request: the process's
 * services and the facts the server layer established about this request.
 */
export interface RequestContext {
  services: Services;
  requestId: string;
  /** The client's address: the socket's, or the one `TRUST_PROXY` allows. */
  clientAddress: string;
  /** The CSP nonce of this response, for inline scripts. */
  nonce: string;
  logger: Logger;
  /** The signed-in session of this request, looked up at most once per request. */
  getSession(): Promise<AuthSession | null>;
  /** The one-time message for this page, if any; reading it clears it. */
  getFlash(): Promise<Flash | null>;
  /**
   * Counts an attempt at `limit` from this client address; over the limit it
   * throws the 429 page (see `tooManyRequests`).
   */
  rateLimit(limit: AddressLimit): Promise<void>;
  /** Throws a 429 with `Retry-After`, rendered by the error boundary as a page a person can read. */
  tooManyRequests(retryAfterSeconds: number, message?: string): never;
  /** Throws a 503 with `Retry-After`: the app is too busy for this request right now. */
  serviceUnavailable(retryAfterSeconds: number, message: string): never;
  /**
   * Returns once no cached session in this process predates a user or session
   * change that this process committed during this request: the server layer
   * calls it after every loader and action, so the next page shows what this
   * one saved (read your own writes).
   */
  settleWrites(): Promise<void>;
}

declare module "@remix-run/server-runtime" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends RequestContext {}
}

export interface RequestFacts {
  /** The incoming request's headers, with the client address header set by the server layer. */
  headers: Headers;
  requestId: string;
  clientAddress: string;
  nonce: string;
  /**
   * Adds a header to the response whatever the route returns; used to forward
   * the cookies better-auth sets when it refreshes or clears a session.
   */
  appendResponseHeader(name: string, value: string): void;
}

/**
 * Whether better-auth would push the session's end back on this request (it
 * does so at most once a day): then the request must go through better-auth,
 * not the cache, so that the new expiry is stored and the cookie renewed.
 */
const isRefreshDue = ({ session }: AuthSession) =>
  session.expiresAt.getTime() - (SESSION_IDLE_SECONDS - SESSION_REFRESH_SECONDS) * 1000 <= Date.now();

/** One cookie's value from a Cookie header, as sent (the cache's key is the exact signed value). */
function cookieValue(header: string | null, name: string): string | null {
  for (const pair of header?.split(";") ?? []) {
    const index = pair.indexOf("=");
    if (index > 0 && pair.slice(0, index).trim() === name) return pair.slice(index + 1).trim() || null;
  }
  return null;
}

export function createRequestContext(services: Services, facts: RequestFacts): AppLoadContext {
  let session: Promise<AuthSession | null> | undefined;
  let flash: Promise<Flash | null> | undefined;
  // Any write counts, this request's or another's at the same time: settling for one too many costs a query.
  let settledWrites = services.database.announcedWrites();
  let settling = Promise.resolve();
  const logger = services.logger.child({ reqId: facts.requestId });
  // Remix keeps only cookies from a thrown response's headers, so Retry-After goes on directly.
  const refuse = (status: 429 | 503, retryAfterSeconds: number, message: string): never => {
    facts.appendResponseHeader("Retry-After", String(retryAfterSeconds));
    throw data(message, { status });
  };
  const tooManyRequests = (retryAfterSeconds: number, message?: string): never =>
    refuse(
      429,
      retryAfterSeconds,
      message ?? `Too many attempts from your network. Try again ${retryAfterText(retryAfterSeconds)}.`,
    );
  return {
    services,
    requestId: facts.requestId,
    clientAddress: facts.clientAddress,
    nonce: facts.nonce,
    logger,
    getSession() {
      session ??= (async () => {
        const { auth, sessionCache } = services;
        // A bearer token may stand for another session than the cookie: only cookies use the cache.
        const cookie = facts.headers.has("authorization")
          ? null
          : cookieValue(facts.headers.get("cookie"), services.sessionCookieName);
        const cached = cookie ? sessionCache.get(cookie) : null;
        const forward = (from: Headers | null | undefined) => {
          for (const value of from?.getSetCookie() ?? []) facts.appendResponseHeader("Set-Cookie", value);
        };
        let current = cached && !isRefreshDue(cached) ? cached : null;
        if (!current) {
          const readAt = sessionCache.generation();
          const { headers, response } = await auth.api.getSession({
            headers: facts.headers,
            returnHeaders: true,
          });
          forward(headers);
          current = response;
          if (response && cookie) sessionCache.set(cookie, response, readAt);
        }
        if (current && Date.now() - current.session.createdAt.getTime() > SESSION_ABSOLUTE_SECONDS * 1000) {
          // Past its absolute lifetime: end it on the server and in the browser.
          const signedOut = await auth.api.signOut({ headers: facts.headers, returnHeaders: true });
          forward(signedOut.headers);
          return null;
        }
        return current;
      })();
      return session;
    },
    getFlash() {
      flash ??= services.flash.parse(facts.headers.get("cookie")).then(async (message) => {
        if (message) facts.appendResponseHeader("Set-Cookie", await services.flash.clear());
        return message;
      });
      return flash;
    },
    async rateLimit(limit) {
      const verdict = await services.rateLimits.hitAddress(limit, facts.clientAddress);
      if (!verdict.allowed) tooManyRequests(verdict.retryAfterSeconds);
    },
    tooManyRequests,
    serviceUnavailable: (retryAfterSeconds, message) => refuse(503, retryAfterSeconds, message),
    settleWrites() {
      const writes = services.database.announcedWrites();
      if (writes !== settledWrites) {
        settledWrites = writes;
        settling = services.sessionCache.settle();
      }
      return settling;
    },
  };
}
