import { randomUUID } from "node:crypto";
import type { AuthSession } from "./auth.server";

/** The channel the database announces session and user changes on (see migration 0006). */
export const SESSION_CHANGED_CHANNEL = "session_changed";

export interface SessionCacheOptions {
  /** How long an entry may be used at most, even if no change is announced. */
  ttlMs: number;
  maxEntries: number;
  /** Sends `payload` on the channel (`pg_notify`), for `settle`'s marker. */
  announce: (payload: string) => Promise<unknown>;
  /** How long `settle` waits for its marker before it empties the cache instead. */
  settleTimeoutMs?: number;
  now?: () => number;
}

/** A marker `settle` sends itself; every instance receives it, and only its sender acts on it. */
interface Marker {
  settled: string;
}

interface Entry {
  session: AuthSession;
  storedAt: number;
}

/**
 * Sessions this process has checked, by their cookie, so that a signed-in
 * page usually costs no session query at all. Correctness rests on the
 * database: triggers announce every change to a session or its user, and every
 * instance drops the entries concerned as soon as the announcement arrives.
 * Until the subscription is up (and again after it reconnects, when
 * announcements may have been missed) the cache is empty and unused; entries
 * also expire after `ttlMs` whatever happens.
 *
 * Announcements arrive a moment after the commit, on another connection: in
 * the writing process `settle` closes that gap, so that a request's own writes
 * are never hidden from the next request by a cached copy (docs/decisions/001-session-cache-and-announcements.md).
 */
export function createSessionCache({
  ttlMs,
  maxEntries,
  announce,
  settleTimeoutMs = 1_000,
  now = Date.now,
}: SessionCacheOptions) {
  const entries = new Map<string, Entry>();
  let listening = false;
  /** Counts the announcements (and resets): a read that began before one may be stale. */
  let announced = 0;
  /** The markers `settle` is waiting for, by id. */
  const markers = new Map<string, () => void>();

  function remove(matches: (session: AuthSession) => boolean) {
    for (const [key, entry] of entries) if (matches(entry.session)) entries.delete(key);
  }

  function forgetEverything() {
    announced++;
    entries.clear();
  }

  return {
    get(cookie: string): AuthSession | null {
      const entry = entries.get(cookie);
      if (!entry) return null;
      const at = now();
      if (at - entry.storedAt > ttlMs || entry.session.session.expiresAt.getTime() <= at) {
        entries.delete(cookie);
        return null;
      }
      return entry.session;
    },

    /** Call before reading a session from the database; hand the result to `set`. */
    generation() {
      return announced;
    },

    /**
     * Keeps a session read from the database, unless a change was announced
     * since that read began (`readAt`, from `generation()`): it may predate the change.
     */
    set(cookie: string, session: AuthSession, readAt: number) {
      if (!listening || readAt !== announced) return;
      // Oldest first: a Map keeps insertion order.
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.delete(cookie);
      entries.set(cookie, { session, storedAt: now() });
    },

    /**
     * A message from the channel: a change `{ sessionId?, userId }`, or a marker
     * of `settle`. Anything unreadable empties the cache.
     */
    onChange(payload: string) {
      let change: { sessionId?: unknown; userId?: unknown } & Partial<Marker> = {};
      try {
        change = JSON.parse(payload) as typeof change;
      } catch {
        forgetEverything();
        return;
      }
      if (typeof change.settled === "string") {
        markers.get(change.settled)?.();
        return;
      }
      announced++;
      const { sessionId, userId } = change;
      if (typeof sessionId === "string") remove((cached) => cached.session.id === sessionId);
      else if (typeof userId === "string") remove((cached) => cached.user.id === userId);
      else entries.clear();
    },

    /**
     * Returns once every change this process has committed so far has been
     * announced back and its entries dropped. The database delivers
     * announcements in the order their transactions committed, so a marker
     * sent now arrives after all of them. If it does not come back in time (the
     * subscription lost, the database out of reach) the cache is emptied instead.
     */
    async settle(): Promise<void> {
      if (!listening) return;
      const id = randomUUID();
      let timer: NodeJS.Timeout | undefined;
      const returned = new Promise<boolean>((resolve) => {
        markers.set(id, () => resolve(true));
        timer = setTimeout(() => resolve(false), settleTimeoutMs);
      });
      try {
        const marker: Marker = { settled: id };
        const arrived = await announce(JSON.stringify(marker)).then(
          () => returned,
          () => false,
        );
        if (!arrived) forgetEverything();
      } finally {
        clearTimeout(timer);
        markers.delete(id);
      }
    },

    /** The subscription is (again) up: start afresh, since announcements may have been missed. */
    onListening() {
      forgetEverything();
      listening = true;
    },

    stop() {
      listening = false;
      forgetEverything();
    },

    get size() {
      return entries.size;
    },
  };
}

export type SessionCache = ReturnType<typeof createSessionCache>;
