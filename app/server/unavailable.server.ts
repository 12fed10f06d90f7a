/**
 * An unreachable database is an outage, not a bug: the request could not be
 * served now and may succeed in a few seconds. It is answered with 503 and
 * `Retry-After` (as `/readyz` says at the same time), a page a person can read,
 * or a problem document under /api/, and logged as one warning, not a stack.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { problem } from "../http/api/problem.server";
import { isDatabaseUnavailable, rootCause } from "../../db/outage";
import { statusPage } from "./status-page.server";

/** What `Retry-After` says, in seconds: about as long as a restart of PostgreSQL or a failover takes. */
export const RETRY_AFTER_SECONDS = 5;

export const UNAVAILABLE_TITLE = "Temporarily unavailable";
export const UNAVAILABLE_MESSAGE =
  "Todo cannot reach its database at the moment, so nothing was changed. Please try again in a few seconds.";

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
  pathname: string,
  { requestId, nonce }: { requestId: string; nonce: string },
) {
  if (pathname.startsWith("/api/")) {
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
  if (!hasPage) throw unavailableResponse(new URL(request.url).pathname, context);
  return context.serviceUnavailable(RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE);
}
