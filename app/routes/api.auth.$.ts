import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { AUTH_API_LIMITS, retryAfterText } from "~/security/rate-limit.server";

const BASE_PATH = "/api/auth";

/** better-auth's own HTTP API, for JavaScript and native clients (JSON). */
export function loader({ request, context }: LoaderFunctionArgs) {
  return context.services.auth.handler(request);
}

/** The same limits as the forms', per client address, answered in JSON. */
export async function action({ request, context }: ActionFunctionArgs) {
  const endpoint = new URL(request.url).pathname.slice(BASE_PATH.length).toLowerCase().replace(/\/+$/, "");
  const limit = AUTH_API_LIMITS[endpoint];
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
  return context.services.auth.handler(request);
}
