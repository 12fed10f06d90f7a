import { execFile } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { setFlagsFromString } from "node:v8";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema";

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

/** The tables whose updated and deleted rows the database announces (migration 0006). */
const ANNOUNCING_WRITE = /^\s*(?:update|delete\s+from)\s+"(?:user|session)"/i;

/**
 * Counts the statements that will make the database announce a change, as drizzle
 * sends them (its logger sees every query, in and out of transactions).
 */
function countAnnouncedWrites() {
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

export const MIGRATIONS_DIR = path.resolve("db/migrations");

/** Any number, as long as no other program on the same PostgreSQL uses it for something else. */
const MIGRATION_LOCK_KEY = 7_262_901;

/** The embedded database's folder cannot be used; the message says why and what to do. */
export class EmbeddedDatabaseError extends Error {
  override name = "EmbeddedDatabaseError";
}

export class DatabaseLockedError extends EmbeddedDatabaseError {
  override name = "DatabaseLockedError";
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite does not lock its folder, and two processes writing one folder lose
 * data. A lock file beside the folder, created exclusively and holding our pid,
 * makes a second process fail at once; a lock left by a dead process is taken over.
 */
function lockPgliteDir(dir: string): () => void {
  const lockFile = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(lockFile, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isProcessAlive(holder)) {
        throw new DatabaseLockedError(
          `The embedded database at ${dir} is in use by process ${holder}; stop it first or set PGLITE_DIR to another folder.`,
        );
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new DatabaseLockedError(`Could not lock the embedded database at ${dir}.`);
}

/**
 * PGlite runs inside our process, so its memory is ours. PostgreSQL's defaults
 * (128 MB of shared buffers, shared memory for 100 connections) sit in the
 * WebAssembly heap; the embedded database serves one process, through one
 * connection, and a data set that the operating system's file cache holds
 * anyway. 8 MB of buffers and room for a few connections halve PostgreSQL's
 * shared memory (24 to 12 MB, and about 11 MB less resident at start)
 * (docs/performance.md, "What bounds memory").
 */
const PGLITE_START_PARAMS = [
  ...PGlite.defaultStartParams,
  ...["-c", "shared_buffers=8MB"],
  ...["-c", "max_connections=5"],
];

/**
 * V8 compiles PostgreSQL's WebAssembly with its baseline compiler, and by default compiles the
 * hot functions a second time with its optimising one, in the background, keeping both. Baseline
 * only saves 35 to 65 MB of the server's memory, and on this workload (short queries) it is no
 * slower: 4,000 queries took 1.6 s against 2.5 s with the optimising tier, whose compiling
 * competes for the same two cores (docs/performance.md, "What bounds memory"). The flag is read
 * when a module is compiled, so it must be set before the first PGlite starts; only PGlite runs
 * WebAssembly here.
 */
function compileWebAssemblyWithBaselineOnly() {
  setFlagsFromString("--liftoff-only");
}

/**
 * Creates the cluster in a new folder (initdb) in a short-lived child process.
 * initdb's WebAssembly heap grows to about 550 MB, and a process that ran it
 * keeps most of that for good, even after closing the database; a child gives
 * it all back when it exits. Costs a second or two, once per folder.
 */
async function initialisePgliteDir(dir: string): Promise<void> {
  // Resolved from the working directory, like the migrations folder.
  const script = [
    "try {",
    '  const { PGlite } = await import("@electric-sql/pglite");',
    "  const db = await PGlite.create(process.argv[1]);",
    "  await db.close();",
    "} catch (error) {",
    // One line for the parent's message; the file system's errors have no message, only a number.
    '  console.error(error?.message || `${error?.name ?? "error"} ${error?.errno ?? ""}`);',
    "  process.exit(1);",
    "}",
  ].join("\n");
  try {
    await promisify(execFile)(process.execPath, ["--input-type=module", "--eval", script, dir], {
      timeout: 120_000,
    });
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    const reason = typeof stderr === "string" ? stderr.trim().split("\n").at(-1) : undefined;
    throw new EmbeddedDatabaseError(
      `Could not create the embedded database at ${dir}: ${reason || String(error)}`,
      {
        cause: error,
      },
    );
  }
}

async function openPglite(dir: string): Promise<Database> {
  const inMemory = dir === "memory://";
  let unlock = () => {};
  if (!inMemory) {
    mkdirSync(path.dirname(dir), { recursive: true });
    unlock = lockPgliteDir(dir);
    mkdirSync(dir, { recursive: true });
  }
  try {
    if (!inMemory && !existsSync(path.join(dir, "PG_VERSION"))) {
      if (readdirSync(dir).length > 0) {
        throw new EmbeddedDatabaseError(
          `${dir} is not empty but holds no embedded database (no PG_VERSION): set PGLITE_DIR to a new or empty folder.`,
        );
      }
      await initialisePgliteDir(dir);
    }
    compileWebAssemblyWithBaselineOnly();
    const client = await PGlite.create(inMemory ? undefined : dir, { startParams: PGLITE_START_PARAMS });
    const writes = countAnnouncedWrites();
    const pgliteDb = drizzlePglite({ client, schema, casing: "snake_case", logger: writes.logger });
    return {
      db: pgliteDb,
      kind: "pglite",
      announcedWrites: writes.count,
      // One process per folder (see the lock above), so there is no one to race with.
      migrate: () => migratePglite(pgliteDb, { migrationsFolder: MIGRATIONS_DIR }),
      asLeader: async (_key, task) => ({ value: await task() }),
      async listen(channel, onMessage, onReady) {
        const unsubscribe = await client.listen(channel, onMessage);
        onReady();
        return () => unsubscribe();
      },
      async ping(timeoutMs = 2000) {
        try {
          await withTimeout(client.query("select 1"), timeoutMs);
          return true;
        } catch {
          return false;
        }
      },
      async close() {
        try {
          await client.close();
        } finally {
          unlock();
        }
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

/**
 * Seconds before a connection of the pool is opened again after a failed
 * attempt. postgres.js's default grows to 10-20 s after a few failures, and
 * during an outage every request waits that long before it can even fail;
 * after one, the pool keeps waiting while the database is back. Refused
 * connections are cheap: try again within a second.
 */
const reconnectBackoff = (attempt: number) => Math.min(0.05 * 2 ** attempt, 1);

/** How soon a lost LISTEN subscription is tried again, doubling up to a second. */
const RELISTEN_FIRST_MS = 100;
const RELISTEN_MAX_MS = 1_000;

/**
 * LISTEN on a connection of its own. postgres.js's own `listen` resubscribes
 * after a lost connection only at its reconnect backoff (12 s after a 6 s outage
 * in the resilience suite) and says nothing meanwhile, so another instance's
 * sign-out could go unheard that long. Here the subscriber hears at once that
 * it may miss messages (`onLost`), and is subscribed again within a second of
 * the database answering.
 */
async function listenPostgres(
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

/** The advisory locks this process holds for `asLeader`, each on its own connection. */
function createLeadership(url: string) {
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

function openPostgres(url: string): Database {
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
    async ping(timeoutMs = 2000) {
      try {
        await withTimeout(client`select 1`, timeoutMs);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await leadership.close();
      await client.end({ timeout: 5 });
    },
  };
}

/**
 * On PostgreSQL a session-level advisory lock, held on one dedicated connection,
 * makes instances that start together take turns: the first migrates, the others
 * then find nothing left to do.
 */
async function migratePostgresLocked(url: string): Promise<void> {
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

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === "postgres" ? openPostgres(target.url) : openPglite(target.dir);
}
