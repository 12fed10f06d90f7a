import { data, type AppLoadContext } from "@remix-run/node";
import type { AuthSession } from "./auth/auth.server";
import type { Flash } from "./http/flash.server";
import type { Logger } from "./logger.server";
import { retryAfterText, type AddressLimit } from "./security/rate-limit.server";
import type { Services } from "./services.server";

/**
 * What every loader and action receives besides the request: the process's
 * services and the facts the server layer established about this request.
 */
interface RequestContext {
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
  /**
   * The 503 of a route without a page of its own (sign-out, the APIs) while the database is out of
   * reach: a problem document under /api/, else a small page.
   */
  unavailable(): Response;
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
  /** The outage answer of this request (see `RequestContext.unavailable`). */
  unavailable(): Response;
  /**
   * Adds a header to the response whatever the route returns; used to forward
   * the cookies better-auth sets when it refreshes or clears a session.
   */
  appendResponseHeader(name: string, value: string): void;
}

export function createRequestContext(services: Services, facts: RequestFacts): AppLoadContext {
  let session: Promise<AuthSession | null> | undefined;
  let flash: Promise<Flash | null> | undefined;
  // Any write counts, this request's or another's at the same time: settling for one too many costs a query.
  let settledWrites = services.database.announcedWrites();
  let settling = Promise.resolve();
  // Made when first used: most requests log nothing from their loaders.
  let logger: Logger | undefined;
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
    get logger() {
      return (logger ??= services.logger.child({ reqId: facts.requestId }));
    },
    getSession() {
      session ??= services.sessionResolver.resolve(facts.headers, (cookie) =>
        facts.appendResponseHeader("Set-Cookie", cookie),
      );
      return session;
    },
    getFlash() {
      const cookies = facts.headers.get("cookie");
      // Without cookies there is no message to read (the common case of an anonymous page).
      if (!cookies) return (flash ??= Promise.resolve(null));
      flash ??= services.flash.parse(cookies).then(async (message) => {
        if (message) facts.appendResponseHeader("Set-Cookie", await services.flash.clear());
        return message;
      });
      return flash;
    },
    async rateLimit(limit) {
      const verdict = await services.rateLimits.hitAddress(limit, facts.clientAddress);
      if (!verdict.allowed) tooManyRequests(verdict.retryAfterSeconds);
    },
    unavailable: facts.unavailable,
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
