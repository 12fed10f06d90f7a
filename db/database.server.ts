import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type * as schema from "./schema";

/** The drizzle handle every service receives; the same type on PGlite and PostgreSQL. */
export type AppDatabase = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseTarget = { kind: "postgres"; url: string } | { kind: "pglite"; dir: string };

export interface Database {
  db: AppDatabase;
  kind: DatabaseTarget["kind"];
  /** Resolves when the database answers a trivial query within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Applies the committed SQL migrations that have not run yet. */
  migrate(): Promise<void>;
  /**
   * Subscribes to NOTIFY on `channel`. `onReady` runs whenever the
   * subscription is (re)established: anything sent before may have been
   * missed. `onLost` runs as soon as the subscription's connection is lost
   * (messages may be missed from then until the next `onReady`). Resolves with
   * the way to unsubscribe; rejects when the first subscription fails.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onReady: () => void,
    onLost?: () => void,
  ): Promise<() => Promise<void>>;
  /**
   * Runs `task` in one process only of all those sharing this database: the
   * one holding the advisory lock `key` (PostgreSQL). The lock is kept on a
   * connection of its own until `close`, so the same process stays the one
   * and the others answer null at every call; if that connection is lost the
   * lock goes with it, and whichever process asks next takes it over. On
   * PGlite, one process per database, the task simply runs.
   */
  asLeader<T>(key: number, task: () => Promise<T>): Promise<{ value: T } | null>;
  /**
   * How many statements changing announced rows (an UPDATE or DELETE of a user or
   * a session: migration 0006's triggers NOTIFY each one) this process has sent so
   * far. Whatever sent them, the app's services or better-auth's adapter.
   */
  announcedWrites(): number;
  close(): Promise<void>;
}

export const MIGRATIONS_DIR = path.resolve("db/migrations");

/** `ping` on either database: whether `query` succeeds within `timeoutMs`. */
export async function answersWithin(query: () => Promise<unknown>, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = query();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([answer, timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
