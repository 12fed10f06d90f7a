import { availableParallelism } from "node:os";
import { APIError } from "better-auth/api";
import { hashPassword, verifyPassword } from "better-auth/crypto";
import { tryGetCurrentAuthEndpointContext } from "@better-auth/core/context";
import { networkOf } from "../security/client-address.server";
import { CLIENT_ADDRESS_HEADER } from "./client-address";

/** The code of the 503 a password check gets while too many are waiting. */
export const HASHING_BUSY = "PASSWORD_HASHING_BUSY";
const RETRY_AFTER_SECONDS = 2;

/**
 * How many hashes run at once: one per core, each on a thread of libuv's pool (node:crypto's
 * scrypt), each holding 32 MiB (docs/decisions/011-app-layer-costs.md; 003 for the queue).
 */
export const HASHES_AT_ONCE = Math.max(1, availableParallelism());

/** How many checks may wait for a hash before the answer is 503. */
export const HASHES_WAITING = 50;

/**
 * How many checks from one client network (IPv4 /24, IPv6 /48) may wait. A
 * flood from one network then holds at most this many places and gets 503s
 * beyond them, while the rest of the queue stays open to everyone else; four
 * people of one office signing in in the same instant still all get in line.
 */
export const HASHES_WAITING_PER_NETWORK = 4;

/** The network every call without a request counts as (scripts, maintenance). */
const UNKNOWN_NETWORK = "unknown";

/**
 * The client network of the better-auth endpoint this hash runs for:
 * better-auth calls the hasher with no request, but inside the endpoint's
 * AsyncLocalStorage, whose headers carry the address the server layer set.
 */
function currentNetwork(): string {
  const address = tryGetCurrentAuthEndpointContext()?.headers?.get(CLIENT_ADDRESS_HEADER);
  return address ? networkOf(address) : UNKNOWN_NETWORK;
}

/**
 * better-auth's scrypt (node:crypto, on libuv's thread pool, so never on the
 * event loop), with a bound on how many run at once and how many may wait,
 * overall and per client network. A burst of sign-ins must queue, not balloon
 * memory or starve the thread pool that file and zlib work share; past the
 * queue's end, or past its network's share, the answer is 503 with
 * Retry-After. The queue is served round-robin between networks, not first
 * come first served: someone from elsewhere waits for one hash per network
 * ahead of them, not for a whole flood.
 */
export function createPasswordHasher({
  concurrency = HASHES_AT_ONCE,
  maxWaiting = HASHES_WAITING,
  maxWaitingPerNetwork = HASHES_WAITING_PER_NETWORK,
}: { concurrency?: number; maxWaiting?: number; maxWaitingPerNetwork?: number } = {}) {
  let running = 0;
  let waitingCount = 0;
  // One line per network with someone waiting; a Map keeps insertion order, which is the turn order.
  const waiting = new Map<string, Array<() => void>>();

  const busy = () =>
    new APIError(
      "SERVICE_UNAVAILABLE",
      { code: HASHING_BUSY, message: "Too many sign-ins at this moment. Try again in a few seconds." },
      { "Retry-After": String(RETRY_AFTER_SECONDS) },
    );

  /** The next waiter in turn: the first of the network whose turn it is, which then goes to the back. */
  function takeNext(): (() => void) | undefined {
    const first = waiting.entries().next();
    if (first.done) return undefined;
    const [network, line] = first.value;
    waiting.delete(network);
    const next = line.shift();
    if (line.length > 0) waiting.set(network, line);
    waitingCount--;
    return next;
  }

  async function bounded<T>(work: () => Promise<T>): Promise<T> {
    if (running < concurrency) {
      running++;
    } else {
      const network = currentNetwork();
      const line = waiting.get(network) ?? [];
      if (waitingCount >= maxWaiting || line.length >= maxWaitingPerNetwork) throw busy();
      // The finishing task hands its slot over: `running` stays as it is.
      const turn = new Promise<void>((resolve) => line.push(resolve));
      if (!waiting.has(network)) waiting.set(network, line);
      waitingCount++;
      await turn;
    }
    try {
      return await work();
    } finally {
      const next = takeNext();
      if (next) next();
      else running--;
    }
  }

  return {
    hash: (password: string) => bounded(() => hashPassword(password)),
    verify: (input: { hash: string; password: string }) => bounded(() => verifyPassword(input)),
    get load() {
      return { running, waiting: waitingCount };
    },
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;
