import { describe, expect, it } from "vitest";
import type { AuthSession } from "../../app/auth/auth.server";
import { createSessionCache, type SessionCacheOptions } from "../../app/auth/session-cache.server";

const sessionOf = (sessionId: string, userId: string, expiresInMs = 60_000): AuthSession =>
  ({
    session: { id: sessionId, userId, expiresAt: new Date(Date.now() + expiresInMs) },
    user: { id: userId },
  }) as AuthSession;

/** A cache whose announcements go nowhere, unless a test says where. */
function listeningCache(options: Partial<SessionCacheOptions> = {}) {
  const cache = createSessionCache({
    ttlMs: 30_000,
    maxEntries: 100,
    announce: async () => {},
    ...options,
  });
  cache.onListening();
  return cache;
}

describe("the session cache", () => {
  it("keeps nothing until the database's announcements are subscribed to", () => {
    const cache = createSessionCache({ ttlMs: 30_000, maxEntries: 100, announce: async () => {} });
    cache.set("cookie", sessionOf("s1", "u1"), cache.generation());
    expect(cache.get("cookie")).toBeNull();
    cache.onListening();
    cache.set("cookie", sessionOf("s1", "u1"), cache.generation());
    expect(cache.get("cookie")?.session.id).toBe("s1");
  });

  it("drops a session when it or its user changes, and everything on an unreadable announcement", () => {
    const cache = listeningCache();
    cache.set("a", sessionOf("s1", "u1"), cache.generation());
    cache.set("b", sessionOf("s2", "u1"), cache.generation());
    cache.set("c", sessionOf("s3", "u2"), cache.generation());
    cache.onChange(JSON.stringify({ sessionId: "s1", userId: "u1" }));
    expect([cache.get("a"), cache.get("b")?.session.id, cache.get("c")?.session.id]).toEqual([
      null,
      "s2",
      "s3",
    ]);
    cache.onChange(JSON.stringify({ userId: "u1" }));
    expect([cache.get("b"), cache.get("c")?.session.id]).toEqual([null, "s3"]);
    cache.onChange("not json");
    expect(cache.size).toBe(0);
  });

  it("does not keep a read that began before an announcement: it may predate the change", () => {
    const cache = listeningCache();
    const readAt = cache.generation();
    cache.onChange(JSON.stringify({ sessionId: "s1", userId: "u1" }));
    cache.set("a", sessionOf("s1", "u1"), readAt);
    expect(cache.get("a")).toBeNull();
  });

  it("forgets everything when the subscription starts again, since announcements may have been missed", () => {
    const cache = listeningCache();
    const readAt = cache.generation();
    cache.set("a", sessionOf("s1", "u1"), readAt);
    cache.onListening();
    expect(cache.get("a")).toBeNull();
    cache.set("a", sessionOf("s1", "u1"), readAt);
    expect(cache.get("a")).toBeNull();
  });

  it("uses an entry for its time to live at most, and never past the session's expiry", () => {
    let now = Date.now();
    const cache = listeningCache({ ttlMs: 1_000, now: () => now });
    cache.set("a", sessionOf("s1", "u1"), cache.generation());
    cache.set("b", sessionOf("s2", "u2", 500), cache.generation());
    now += 600;
    expect(cache.get("a")?.session.id).toBe("s1");
    expect(cache.get("b")).toBeNull();
    now += 500;
    expect(cache.get("a")).toBeNull();
  });

  it("holds at most maxEntries, dropping the oldest", () => {
    const cache = listeningCache({ maxEntries: 2 });
    for (const key of ["a", "b", "c"]) cache.set(key, sessionOf(key, "u"), cache.generation());
    expect([cache.get("a"), cache.get("b")?.session.id, cache.get("c")?.session.id]).toEqual([
      null,
      "b",
      "c",
    ]);
  });

  describe("settle", () => {
    /** A channel as the database keeps it: messages delivered in order, each a moment later. */
    function channel() {
      const queue: string[] = [];
      let deliver: (payload: string) => void = () => {};
      return {
        announce: async (payload: string) => {
          queue.push(payload);
          setTimeout(() => {
            const next = queue.shift();
            if (next !== undefined) deliver(next);
          }, 5);
        },
        subscribe: (onMessage: (payload: string) => void) => (deliver = onMessage),
      };
    }

    it("returns once the changes committed before it have arrived and dropped their entries", async () => {
      const database = channel();
      const cache = listeningCache({ announce: database.announce });
      database.subscribe(cache.onChange);
      cache.set("a", sessionOf("s1", "u1"), cache.generation());
      // The change's own announcement is on its way (sent by the trigger at commit) when settle starts.
      await database.announce(JSON.stringify({ userId: "u1" }));
      expect(cache.get("a")?.session.id).toBe("s1");
      await cache.settle();
      expect(cache.get("a")).toBeNull();
    });

    it("empties the cache when its marker does not come back in time", async () => {
      const cache = listeningCache({ settleTimeoutMs: 20 });
      cache.set("a", sessionOf("s1", "u1"), cache.generation());
      await cache.settle();
      expect(cache.size).toBe(0);
    });

    it("empties the cache when the marker cannot be sent", async () => {
      const cache = listeningCache({ announce: () => Promise.reject(new Error("database down")) });
      cache.set("a", sessionOf("s1", "u1"), cache.generation());
      await cache.settle();
      expect(cache.size).toBe(0);
    });

    it("takes another process's marker for no change", () => {
      const cache = listeningCache();
      const readAt = cache.generation();
      cache.onChange(JSON.stringify({ settled: "someone else's" }));
      cache.set("a", sessionOf("s1", "u1"), readAt);
      expect(cache.get("a")?.session.id).toBe("s1");
    });
  });
});
