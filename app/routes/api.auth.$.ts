import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { AUTH_API_LIMITS, retryAfterText } from "~/security/rate-limit.server";

const BASE_PATH = "/api/auth";

/** The endpoint under /api/auth, as better-auth routes it. */
const endpointOf = (request: Request) =>
  new URL(request.url).pathname.slice(BASE_PATH.length).toLowerCase().replace(/\/+$/, "");

/** Endpoints whose answers carry session tokens: the caller's, and those of every other session. */
const TOKEN_BEARING = new Set(["/get-session", "/list-sessions"]);

/**
 * better-auth's own HTTP API, for JavaScript and native clients (JSON). The
 * session is looked up first through the load context, which ends it when it
 * is past its absolute lifetime (better-auth knows only the idle one).
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await context.getSession();
  const response = cookieOnlyForBrowsers(request, await context.services.auth.handler(request));
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
  return cookieOnlyForBrowsers(request, await context.services.auth.handler(request));
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
