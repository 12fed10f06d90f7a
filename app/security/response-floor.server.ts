import { setTimeout as sleep } from "node:timers/promises";

/** How long, at least, a form that must not tell whether an address has an account takes to answer (docs/security.md, M3). */
export const ENUMERATION_FLOOR_MS = 250;

/**
 * Runs `work` and settles (with its result or its error) no sooner than
 * `floorMs` after it began, so that the time an answer takes says nothing
 * about which way the work went.
 */
export async function withResponseFloor<T>(floorMs: number, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    // A timer may fire a fraction of a millisecond early: wait again until the floor has truly passed.
    for (let left = floorMs; left > 0; left = floorMs - (performance.now() - started)) {
      await sleep(Math.ceil(left));
    }
  }
}
