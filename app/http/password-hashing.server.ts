import type { AppLoadContext } from "@remix-run/node";
import { isAPIError } from "better-auth/api";
import { HASHING_BUSY } from "../auth/password-hashing.server";

const BUSY_MESSAGE =
  "Too many passwords are being checked at this moment. Please try again in a few seconds.";

/**
 * For the actions that check or set a password: a busy hasher is the 503 page
 * with Retry-After, not a failure (nor, say, an unusable reset link).
 */
export function refuseIfHashingBusy(error: unknown, context: AppLoadContext): void {
  if (isAPIError(error) && error.body?.code === HASHING_BUSY) {
    // The hasher's refusal says how long to wait; the page passes it on.
    const retryAfter = Number(new Headers(error.headers).get("Retry-After"));
    context.serviceUnavailable(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1, BUSY_MESSAGE);
  }
}

/**
 * Runs work that hashes or checks a password (a better-auth call, a service):
 * its result, or its error, except that a busy hasher throws the 503 page.
 */
export async function withPasswordHashing<T>(context: AppLoadContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    refuseIfHashingBusy(error, context);
    throw error;
  }
}
