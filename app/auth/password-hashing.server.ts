import { availableParallelism } from "node:os";
import type { AppLoadContext } from "@remix-run/node";
import { APIError, isAPIError } from "better-auth/api";
import { hashPassword, verifyPassword } from "better-auth/crypto";

/** The code of the 503 a password check gets while too many are waiting. */
export const HASHING_BUSY = "PASSWORD_HASHING_BUSY";
const RETRY_AFTER_SECONDS = 2;

/**
 * better-auth's scrypt (node:crypto, on libuv's thread pool, so never on the
 * event loop), with a bound on how many run at once and how many may wait.
 * Each hash holds about 32 MiB while it runs: a burst of sign-ins must queue,
 * not balloon memory or starve the thread pool that file and zlib work share;
 * past the queue's end the answer is 503 with Retry-After.
 */
export function createPasswordHasher({
  concurrency = Math.max(1, availableParallelism()),
  maxWaiting = 50,
}: { concurrency?: number; maxWaiting?: number } = {}) {
  let running = 0;
  const waiting: Array<() => void> = [];

  async function bounded<T>(work: () => Promise<T>): Promise<T> {
    if (running < concurrency) {
      running++;
    } else {
      if (waiting.length >= maxWaiting) {
        throw new APIError(
          "SERVICE_UNAVAILABLE",
          { code: HASHING_BUSY, message: "Too many sign-ins at this moment. Try again in a few seconds." },
          { "Retry-After": String(RETRY_AFTER_SECONDS) },
        );
      }
      // The finishing task hands its slot over: `running` stays as it is.
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  }

  return {
    hash: (password: string) => bounded(() => hashPassword(password)),
    verify: (input: { hash: string; password: string }) => bounded(() => verifyPassword(input)),
    get load() {
      return { running, waiting: waiting.length };
    },
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;

/**
 * For the actions that check or set a password: a busy hasher is the 503 page
 * with Retry-After, not a failure (nor, say, an unusable reset link).
 */
export function refuseIfHashingBusy(error: unknown, context: AppLoadContext): void {
  if (isAPIError(error) && error.body?.code === HASHING_BUSY) {
    context.serviceUnavailable(
      RETRY_AFTER_SECONDS,
      "Too many passwords are being checked at this moment. Please try again in a few seconds.",
    );
  }
}
