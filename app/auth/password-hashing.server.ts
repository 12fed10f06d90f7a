import type { AppLoadContext } from "@remix-run/node";
import { APIError, isAPIError } from "better-auth/api";
import { hashPassword, verifyPassword } from "better-auth/crypto";

/** The code of the 503 a password check gets while too many are waiting. */
export const HASHING_BUSY = "PASSWORD_HASHING_BUSY";
const RETRY_AFTER_SECONDS = 2;

/**
 * How many hashes run at once. Each holds 32 MiB while it runs, a tenth of the
 * server's memory budget (300 MB, issue 8): one per core (two here) made a
 * burst of sign-ins the server's peak, 64 MiB above its working size. One at a
 * time keeps a burst to one hash's memory and leaves the other cores to serve
 * pages; a burst then waits longer (eight at once: a median of about 0.9 s
 * instead of 0.5 s on two cores), but one sign-in takes as long as before.
 */
export const HASHES_AT_ONCE = 1;

/** How many checks may wait for a hash before the answer is 503. */
export const HASHES_WAITING = 50;

/**
 * better-auth's scrypt (node:crypto, on libuv's thread pool, so never on the
 * event loop), with a bound on how many run at once and how many may wait.
 * A burst of sign-ins must queue, not balloon memory or starve the thread
 * pool that file and zlib work share; past the queue's end the answer is 503
 * with Retry-After.
 */
export function createPasswordHasher({
  concurrency = HASHES_AT_ONCE,
  maxWaiting = HASHES_WAITING,
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
