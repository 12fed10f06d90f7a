import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { AUTH_API_LIMITS, retryAfterText } from "../security/rate-limit.server";
import { ENUMERATION_FLOOR_MS, withResponseFloor } from "../security/response-floor.server";

const BASE_PATH = "/api/auth";

/** The endpoint under /api/auth, as better-auth routes it. */
const endpointOf = (request: Request) =>
  new URL(request.url).pathname.slice(BASE_PATH.length).toLowerCase().replace(/\/+$/, "");

/** Endpoints that must not tell, by how long they take, whether an address has an account. */
const ENUMERABLE = new Set(["/request-password-reset", "/send-verification-email"]);

/** Endpoints whose answers carry session tokens: the caller's, and those of every other session. */
const TOKEN_BEARING = new Set(["/get-session", "/list-sessions"]);

/**
 * better-auth's own HTTP API, for JavaScript and native clients (JSON). The
 * session is looked up first through the load context, which ends it when it
 * is past its absolute lifetime (better-auth knows only the idle one).
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await context.getSession();
  const response = cookieOnlyForBrowsers(request, await handle(request, context));
  return TOKEN_BEARING.has(endpointOf(request)) ? withoutTokens(response) : response;
}

/** The same limits as the forms', per client address, answered in JSON. */
export async function action({ request, context }: ActionFunctionArgs) {
  const limit = AUTH_API_LIMITS[endpointOf(request)];
  if (limit) {
    const verdict = await context.services.rateLimits.hitAddress(limit, context.clientAddress);
    if (!verdict.allowed) {
      return Response.json(
        {
          code: "TOO_MANY_REQUESTS",
          message: `Too many attempts from your network. Try again ${retryAfterText(verdict.retryAfterSeconds)}.`,
        },
        { status: 429, headers: { "Retry-After": String(verdict.retryAfterSeconds) } },
      );
    }
  }
  await context.getSession();
  const answer = ENUMERABLE.has(endpointOf(request))
    ? await withResponseFloor(ENUMERATION_FLOOR_MS, () => handle(request, context))
    : await handle(request, context);
  const response = cookieOnlyForBrowsers(request, answer);
  // A password change answers with the caller's new session token: a program (bearer) needs it,
  // a browser has it in its HttpOnly cookie, where scripts cannot read it.
  return endpointOf(request) === "/change-password" && !request.headers.has("authorization")
    ? withoutTokens(response)
    : response;
}

/**
 * better-auth's answer, unless the database is unreachable. better-auth then
 * answers a failed query with its own 500, a failed session lookup with 401
 * (telling a signed-in client it was signed out), and a sign-out whose session
 * it could not delete with success (it only logs that). During an outage the
 * answer is the site's 503 with Retry-After, as on every route, and a sign-out
 * keeps its cookie rather than leave a live session behind (as the form does).
 */
async function handle(request: Request, context: AppLoadContext): Promise<Response> {
  const response = await context.services.auth.handler(request);
  const doubtful = response.status === 401 || response.status >= 500 || endpointOf(request) === "/sign-out";
  if (!doubtful || (await context.services.database.ping(1_000))) return response;
  context.logger.warn(
    { status: response.status },
    "database unreachable: answered 503, not better-auth's answer",
  );
  return context.unavailable();
}

/**
 * The bearer plugin copies a refreshed session token into a `set-auth-token`
 * header for programs. A browser has it in an HttpOnly cookie, where scripts
 * cannot read it: it gets no copy in a header they can.
 */
function cookieOnlyForBrowsers(request: Request, response: Response): Response {
  if (request.headers.has("authorization") || !response.headers.has("set-auth-token")) return response;
  const headers = new Headers(response.headers);
  headers.delete("set-auth-token");
  headers.delete("access-control-expose-headers");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * A session token is a credential: whoever reads one from a listing could use
 * that session. The cookie already carries the caller's own, so no answer
 * needs to repeat any.
 */
async function withoutTokens(response: Response): Promise<Response> {
  if (!response.headers.get("content-type")?.includes("application/json")) return response;
  const body: unknown = await response.json();
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return new Response(JSON.stringify(dropTokens(body)), {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

function dropTokens(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropTokens);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "token")
      .map(([key, item]) => [key, dropTokens(item)]),
  );
}
