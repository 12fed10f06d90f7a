import type { AuthSession } from "./auth.server";

/** The channel the database announces session and user changes on (see migration 0006). */
export const SESSION_CHANGED_CHANNEL = "session_changed";

export interface SessionCacheOptions {
  /** How long an entry may be used at most, even if no change is announced. */
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
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
 */
export function createSessionCache({ ttlMs, maxEntries, now = Date.now }: SessionCacheOptions) {
  const entries = new Map<string, Entry>();
  let listening = false;
  /** Counts the announcements (and resets): a read that began before one may be stale. */
  let announced = 0;

  function remove(matches: (session: AuthSession) => boolean) {
    for (const [key, entry] of entries) if (matches(entry.session)) entries.delete(key);
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

    /** A message from the channel: `{ sessionId?, userId }`. Anything unreadable empties the cache. */
    onChange(payload: string) {
      announced++;
      let change: { sessionId?: unknown; userId?: unknown } = {};
      try {
        change = JSON.parse(payload) as typeof change;
      } catch {
        entries.clear();
        return;
      }
      const { sessionId, userId } = change;
      if (typeof sessionId === "string") remove((cached) => cached.session.id === sessionId);
      else if (typeof userId === "string") remove((cached) => cached.user.id === userId);
      else entries.clear();
    },

    /** The subscription is (again) up: start afresh, since announcements may have been missed. */
    onListening() {
      announced++;
      entries.clear();
      listening = true;
    },

    stop() {
      announced++;
      listening = false;
      entries.clear();
    },

    get size() {
      return entries.size;
    },
  };
}

export type SessionCache = ReturnType<typeof createSessionCache>;
