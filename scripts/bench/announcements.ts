/**
 * How long a change to a user takes to reach another instance's session cache:
 * from the moment the writer's UPDATE returns (its transaction committed) to the
 * moment a listener hears the database's announcement (migration 0006). On
 * PostgreSQL the listener is a second client of its own, with its own
 * connection, as another instance is; on PGlite, one process per database, it
 * is the writing process itself.
 */
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { SESSION_CHANGED_CHANNEL } from "../../app/auth/session-cache.server";
import { openDatabase, type Database, type DatabaseTarget } from "../../db/client.server";
import { user } from "../../db/schema";

export interface AnnouncementDelays {
  samples: number;
  medianMs: number;
  p99Ms: number;
  worstMs: number;
}

const percentile = (sorted: number[], fraction: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;

export async function measureAnnouncements(
  target: DatabaseTarget,
  samples: number,
): Promise<AnnouncementDelays> {
  const writer = await openDatabase(target);
  let listener: Database | null = null;
  const id = `bench-announcements-${randomBytes(6).toString("hex")}`;
  try {
    await writer.migrate();
    listener = target.kind === "postgres" ? await openDatabase(target) : writer;
    let heard: (() => void) | null = null;
    const unlisten = await listener.listen(
      SESSION_CHANGED_CHANNEL,
      (payload) => {
        if (payload.includes(id)) heard?.();
      },
      () => {},
    );
    await writer.db.insert(user).values({ id, name: "0", email: `${id}@example.com` });
    const delays: number[] = [];
    try {
      for (let i = 1; i <= samples; i++) {
        const arrived = new Promise<number>((resolve) => {
          heard = () => resolve(performance.now());
        });
        await writer.db
          .update(user)
          .set({ name: String(i) })
          .where(eq(user.id, id));
        const committed = performance.now();
        delays.push(Math.max(0, (await arrived) - committed));
      }
    } finally {
      await unlisten();
      await writer.db.delete(user).where(eq(user.id, id));
    }
    const sorted = delays.sort((a, b) => a - b);
    return {
      samples,
      medianMs: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      worstMs: sorted.at(-1) ?? 0,
    };
  } finally {
    if (listener && listener !== writer) await listener.close();
    await writer.close();
  }
}

export const formatAnnouncementDelays = ({ samples, medianMs, p99Ms, worstMs }: AnnouncementDelays) =>
  `median ${medianMs.toFixed(2)} ms, p99 ${p99Ms.toFixed(2)} ms, worst ${worstMs.toFixed(2)} ms (${samples} changes, one at a time)`;

/** `connections` loops requesting `url` until stopped: a server, and this process, kept busy. */
export function keepBusy(url: string, headers: Record<string, string>, connections: number) {
  let stopped = false;
  const loops = Array.from({ length: connections }, async () => {
    while (!stopped) {
      const response = await fetch(url, { headers }).catch(() => null);
      await response?.arrayBuffer().catch(() => null);
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
