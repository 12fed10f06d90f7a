import postgres from "postgres";

/** The tables whose updated and deleted rows the database announces (migration 0006). */
const ANNOUNCING_WRITE = /^\s*(?:update|delete\s+from)\s+"(?:user|session)"/i;

/**
 * Counts the statements that will make the database announce a change, as drizzle
 * sends them (its logger sees every query, in and out of transactions).
 */
export function countAnnouncedWrites() {
  let count = 0;
  return {
    logger: {
      logQuery(query: string) {
        if (ANNOUNCING_WRITE.test(query)) count++;
      },
    },
    count: () => count,
  };
}

/** How soon a lost LISTEN subscription is tried again, doubling up to a second. */
const RELISTEN_FIRST_MS = 100;
const RELISTEN_MAX_MS = 1_000;

/**
 * LISTEN on a connection of its own, not postgres.js's `listen`: the subscriber hears at once that it
 * may miss messages (`onLost`), and is subscribed again within a second
 * (docs/decisions/001-session-cache-and-announcements.md).
 */
export async function listenPostgres(
  url: string,
  channel: string,
  onMessage: (payload: string) => void,
  onReady: () => void,
  onLost: () => void,
): Promise<() => Promise<void>> {
  let stopped = false;
  let subscribed = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = RELISTEN_FIRST_MS;
  const options = {
    max: 1,
    max_lifetime: null,
    fetch_types: false,
    connect_timeout: 10,
    backoff: false,
    onnotice: () => {},
    // postgres.js's own listen is built on this option; it is not in its types.
    onnotify: (from: string, payload: string) => {
      if (from === channel) onMessage(payload);
    },
    // Also after each failed attempt to connect.
    onclose: () => {
      if (stopped) return;
      if (subscribed) {
        subscribed = false;
        onLost();
      }
      schedule();
    },
  };
  const connection = postgres(url, options);
  const subscribe = () => connection.unsafe(`listen "${channel.replace(/"/g, '""')}"`);

  function schedule() {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      if (stopped) return;
      subscribe().then(
        () => {
          delay = RELISTEN_FIRST_MS;
          subscribed = true;
          onReady();
        },
        () => {
          delay = Math.min(delay * 2, RELISTEN_MAX_MS);
          schedule();
        },
      );
    }, delay);
    retry.unref();
  }

  try {
    await subscribe();
  } catch (error) {
    stopped = true;
    clearTimeout(retry);
    await connection.end({ timeout: 0 });
    throw error;
  }
  subscribed = true;
  onReady();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await connection.end({ timeout: 5 });
  };
}
