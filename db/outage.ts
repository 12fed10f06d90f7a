/**
 * Whether a failed query means "no connection to the database" (an outage, answered 503 with
 * `Retry-After`) rather than "this query is wrong" (a bug).
 */

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

/** The innermost error's code and message: what the driver said, without the query that failed. */
export function rootCause(error: unknown): { code?: string; message: string } {
  let current = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  if (!(current instanceof Error)) return { message: String(current) };
  const { code } = current as { code?: unknown };
  return { ...(typeof code === "string" ? { code } : {}), message: current.message };
}
