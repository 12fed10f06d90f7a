import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { MIGRATIONS_DIR } from "./database.server";

// PostgreSQL advisory-lock keys, all here so that no two uses share one; any numbers no other
// program on the same database uses.
/** Instances starting together migrate one at a time. */
const MIGRATION_LOCK_KEY = 7_262_901;
/** One instance of all those on a database is the one that cleans up (app/maintenance.server.ts). */
export const MAINTENANCE_LOCK_KEY = 7_262_902;

/** The advisory locks this process holds for `asLeader`, each on its own connection. */
export function createLeadership(url: string) {
  const holders = new Map<number, postgres.Sql>();
  return {
    async asLeader<T>(key: number, task: () => Promise<T>): Promise<{ value: T } | null> {
      if (!holders.has(key)) {
        const connection: postgres.Sql = postgres(url, {
          max: 1,
          // Never closed while idle or for its age: the lock lives as long as the connection.
          max_lifetime: null,
          fetch_types: false,
          onnotice: () => {},
          onclose: () => {
            if (holders.get(key) === connection) holders.delete(key);
          },
        });
        let locked = false;
        try {
          const [row] = await connection<
            { locked: boolean }[]
          >`select pg_try_advisory_lock(${key}) as locked`;
          locked = row?.locked === true;
        } finally {
          if (!locked) await connection.end({ timeout: 0 });
        }
        if (!locked) return null;
        holders.set(key, connection);
      }
      return { value: await task() };
    },
    async close() {
      const connections = [...holders.values()];
      holders.clear();
      await Promise.all(connections.map((connection) => connection.end({ timeout: 5 })));
    },
  };
}

/**
 * On PostgreSQL a session-level advisory lock, held on one dedicated connection,
 * makes instances that start together take turns: the first migrates, the others
 * then find nothing left to do.
 */
export async function migratePostgresLocked(url: string): Promise<void> {
  const connection = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await connection`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await migratePostgres(drizzlePostgres({ client: connection }), { migrationsFolder: MIGRATIONS_DIR });
    } finally {
      await connection`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    await connection.end({ timeout: 5 });
  }
}
