import { describe, expect, it } from "vitest";
import type { AuthSession } from "~/auth/auth.server";
import { createSessionCache } from "~/auth/session-cache.server";

const sessionOf = (sessionId: string, userId: string, expiresInMs = 60_000): AuthSession =>
  ({
    session: { id: sessionId, userId, expiresAt: new Date(Date.now() + expiresInMs) },
    user: { id: userId },
  }) as AuthSession;

function listeningCache(options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {
  const cache = createSessionCache({ ttlMs: 30_000, maxEntries: 100, ...options });
  cache.onListening();
  return cache;
}

describe("the session cache", () => {
  it("keeps nothing until the database's announcements are subscribed to", () => {
    const cache = createSessionCache({ ttlMs: 30_000, maxEntries: 100 });
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
});
