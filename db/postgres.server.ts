import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { answersWithin, type AppDatabase, type Database } from "./database.server";
import { createLeadership, migratePostgresLocked } from "./locks.server";
import { countAnnouncedWrites, listenPostgres } from "./notifications.server";
import * as schema from "./schema";

/** Seconds before a failed connection is tried again: under one, not postgres.js's 10 to 20 (docs/operations.md). */
const reconnectBackoff = (attempt: number) => Math.min(0.05 * 2 ** attempt, 1);

/** A postgres.js pool; LISTEN, leadership and the migration lock have connections of their own. */
export function openPostgres(url: string): Database {
  const client = postgres(url, {
    max: 10,
    connect_timeout: 10,
    idle_timeout: 60,
    backoff: reconnectBackoff,
    onnotice: () => {},
  });
  const writes = countAnnouncedWrites();
  const db: AppDatabase = drizzlePostgres({ client, schema, casing: "snake_case", logger: writes.logger });
  const leadership = createLeadership(url);
  return {
    db,
    kind: "postgres",
    announcedWrites: writes.count,
    asLeader: leadership.asLeader,
    migrate: () => migratePostgresLocked(url),
    listen: (channel, onMessage, onReady, onLost = () => {}) =>
      listenPostgres(url, channel, onMessage, onReady, onLost),
    ping: (timeoutMs) => answersWithin(() => client`select 1`, timeoutMs),
    async close() {
      await leadership.close();
      await client.end({ timeout: 5 });
    },
  };
}
