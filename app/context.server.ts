import { data, type AppLoadContext } from "@remix-run/node";
import { SESSION_ABSOLUTE_SECONDS, type AuthSession } from "./auth/auth.server";
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

export function createRequestContext(services: Services, facts: RequestFacts): AppLoadContext {
  let session: Promise<AuthSession | null> | undefined;
  let flash: Promise<Flash | null> | undefined;
  const logger = services.logger.child({ reqId: facts.requestId });
  const tooManyRequests = (retryAfterSeconds: number, message?: string): never => {
    // Remix keeps only cookies from a thrown response's headers, so this one goes on directly.
    facts.appendResponseHeader("Retry-After", String(retryAfterSeconds));
    throw data(
      message ?? `Too many attempts from your network. Try again ${retryAfterText(retryAfterSeconds)}.`,
      {
        status: 429,
      },
    );
  };
  return {
    services,
    requestId: facts.requestId,
    clientAddress: facts.clientAddress,
    nonce: facts.nonce,
    logger,
    getSession() {
      session ??= (async () => {
        const { auth } = services;
        const { headers, response } = await auth.api.getSession({
          headers: facts.headers,
          returnHeaders: true,
        });
        const forward = (from: Headers | null | undefined) => {
          for (const cookie of from?.getSetCookie() ?? []) facts.appendResponseHeader("Set-Cookie", cookie);
        };
        const age = response ? Date.now() - response.session.createdAt.getTime() : 0;
        if (response && age > SESSION_ABSOLUTE_SECONDS * 1000) {
          // Past its absolute lifetime: end it on the server and in the browser.
          const signedOut = await auth.api.signOut({ headers: facts.headers, returnHeaders: true });
          forward(signedOut.headers);
          return null;
        }
        forward(headers);
        return response;
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
  };
}
