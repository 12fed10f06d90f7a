import type { AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import { retryAfterText } from "../../security/rate-limit.server";
import { isDatabaseUnavailable } from "../../../db/outage";
import { problem } from "./problem.server";

const REALM = 'Bearer realm="todo"';

/**
 * The caller of the JSON API, from `Authorization: Bearer <JWT>`: the token
 * must verify against our keys and its user must still exist. Each user's
 * requests are rate-limited. Throws the 401 or 429 problem otherwise.
 */
export async function requireApiUser(request: Request, context: AppLoadContext): Promise<string> {
  const header = request.headers.get("authorization") ?? "";
  const token = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)$/i.exec(header.trim())?.[1];
  if (!token) {
    throw problem(
      "missing-token",
      "Send an access token from GET /api/auth/token as 'Authorization: Bearer <token>'.",
      {
        headers: { "WWW-Authenticate": REALM },
      },
    );
  }
  const { services } = context;
  const verdict = await services.accessTokens.verify(token);
  const userId = verdict.valid && (await services.accounts.exists(verdict.userId)) ? verdict.userId : null;
  if (!userId) {
    const detail =
      !verdict.valid && verdict.reason === "expired"
        ? "The access token has expired; get a new one from GET /api/auth/token."
        : "The access token is not valid.";
    throw problem("invalid-token", detail, {
      headers: { "WWW-Authenticate": `${REALM}, error="invalid_token", error_description="${detail}"` },
    });
  }
  const limit = await services.rateLimits.hitApi(userId);
  if (!limit.allowed) {
    throw problem(
      "rate-limited",
      `Too many requests. Try again ${retryAfterText(limit.retryAfterSeconds)}.`,
      {
        headers: { "Retry-After": String(limit.retryAfterSeconds) },
      },
    );
  }
  return userId;
}

/** The request's JSON body, parsed with `schema`; throws a 415 or 400 problem otherwise. */
export async function readJson<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
): Promise<z.output<Schema>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw problem("unsupported-media-type", "Send the body as application/json.");
  }
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    throw problem("malformed-json", "The body is not valid JSON.");
  }
  return parseOrThrow(schema, body);
}

/** `value` parsed with `schema`, or the 400 problem naming each field's errors. */
export function parseOrThrow<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { formErrors, fieldErrors } = z.flattenError(parsed.error);
  const errors: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(fieldErrors)) {
    if (Array.isArray(messages) && messages.length > 0) errors[field] = messages.map(String);
  }
  throw problem("invalid-request", formErrors[0] ?? "Some fields are not valid.", { errors });
}

/**
 * A loader or action of the JSON API: a failure it did not expect is logged
 * and answered as a 500 problem document naming the request id, never as
 * Remix's plain-text error.
 */
export function apiHandler<Args extends { context: AppLoadContext }>(
  handler: (args: Args) => Promise<Response>,
): (args: Args) => Promise<Response> {
  return async (args) => {
    try {
      return await handler(args);
    } catch (error) {
      if (error instanceof Response) return error;
      // An outage, not a bug: the server layer answers it with a 503 (app/server/unavailable.server.ts).
      if (isDatabaseUnavailable(error)) throw error;
      args.context.logger.error({ err: error }, "API request failed");
      return problem(
        "internal-error",
        `We could not finish that request. Reference: ${args.context.requestId}`,
      );
    }
  };
}

/** The 405 for a method a resource does not offer. */
export const methodNotAllowed = (allowed: string[]) =>
  problem("method-not-allowed", `Use ${allowed.join(", ")}.`, { headers: { Allow: allowed.join(", ") } });
