/**
 * An unreachable database is an outage, not a bug: the request could not be
 * served now and may succeed in a few seconds. It is answered with 503 and
 * `Retry-After` (as `/readyz` says at the same time), a page a person can read,
 * or a problem document under /api/, and logged as one warning, not a stack.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { problem } from "../api/problem.server";
import { statusPage } from "./status-page.server";

/** What `Retry-After` says, in seconds: about as long as a restart of PostgreSQL or a failover takes. */
export const RETRY_AFTER_SECONDS = 5;

export const UNAVAILABLE_TITLE = "Temporarily unavailable";
export const UNAVAILABLE_MESSAGE =
  "Todo cannot reach its database at the moment, so nothing was changed. Please try again in a few seconds.";

/**
 * Error codes that mean "no connection to the database", not "this query is wrong":
 * postgres.js's own, the socket's, and PostgreSQL's while it shuts down, starts,
 * or has no connection slot left. SQLSTATE class 08 (connection exception) is matched separately.
 */
const UNREACHABLE_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "57P01", // admin_shutdown: `pg_ctl stop`, a failover
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or shutting down
  "53300", // too_many_connections
]);

/** PGlite's answer to any query once it has been closed (only while the process stops). */
const PGLITE_CLOSED = "PGlite is closed";

/**
 * Whether `error` (or what it wraps: drizzle wraps every failed query in a
 * DrizzleQueryError whose `cause` is the driver's error) says the database
 * could not be reached.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 8 || typeof error !== "object" || error === null) return false;
  // A failed fetch (an OAuth provider, say) carries the same socket codes: not the database.
  if (error instanceof TypeError && error.message === "fetch failed") return false;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (typeof code === "string" && (UNREACHABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (error instanceof Error && error.message === PGLITE_CLOSED) return true;
  if (
    error instanceof AggregateError &&
    error.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))
  )
    return true;
  return isDatabaseUnavailable(cause, depth + 1);
}

/** Headers of every outage answer. */
const unavailableHeaders = () => ({
  "Retry-After": String(RETRY_AFTER_SECONDS),
  "Cache-Control": "no-store",
});

/**
 * The outage answer of a route without a page of its own (sign-out, the
 * export, the APIs): a problem document under /api/, else a small page.
 */
export function unavailableResponse(
  request: Request,
  { requestId, nonce }: { requestId: string; nonce: string },
) {
  if (new URL(request.url).pathname.startsWith("/api/")) {
    return problem("service-unavailable", UNAVAILABLE_MESSAGE, { headers: unavailableHeaders() });
  }
  return new Response(
    statusPage({ title: UNAVAILABLE_TITLE, message: UNAVAILABLE_MESSAGE, requestId, nonce }),
    {
      status: 503,
      headers: { ...unavailableHeaders(), "Content-Type": "text/html; charset=utf-8" },
    },
  );
}

/** The innermost error's code and message: what the driver said, without the query that failed. */
export function rootCause(error: unknown): { code?: string; message: string } {
  let current = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  if (!(current instanceof Error)) return { message: String(current) };
  const { code } = current as { code?: unknown };
  return { ...(typeof code === "string" ? { code } : {}), message: current.message };
}

/**
 * The answer to an error thrown by a loader or action while the database is out
 * of reach: a route with a page throws the 503 to the root error boundary, which
 * shows it in the site's layout (and the same after a client-side navigation
 * with JavaScript); a route without one (sign-out, the export, the APIs) answers
 * `unavailableResponse`. Either way the failure is one warning in the log, with
 * the driver's words only: a failed query's message quotes its parameters,
 * session tokens among them. Any other error is thrown on as it is.
 */
export function answerOutage(
  error: unknown,
  { request, context }: LoaderFunctionArgs | ActionFunctionArgs,
  hasPage: boolean,
): never {
  if (!isDatabaseUnavailable(error)) throw error;
  context.logger.warn({ reason: rootCause(error) }, "database unreachable: answered 503");
  if (!hasPage) throw unavailableResponse(request, context);
  return context.serviceUnavailable(RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE);
}
