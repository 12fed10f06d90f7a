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
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { answersWithin, MIGRATIONS_DIR, type Database } from "./database.server";
import { countAnnouncedWrites } from "./notifications.server";
import * as schema from "./schema";

/** The embedded database's folder cannot be used; the message says why and what to do. */
export class EmbeddedDatabaseError extends Error {
  override name = "EmbeddedDatabaseError";
}

class DatabaseLockedError extends EmbeddedDatabaseError {
  override name = "DatabaseLockedError";
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

/** Small shared buffers, few connections: PGlite's memory is ours (docs/decisions/005-embedded-database-by-default.md). */
const PGLITE_START_PARAMS = [
  ...PGlite.defaultStartParams,
  ...["-c", "shared_buffers=8MB"],
  ...["-c", "max_connections=5"],
];

/**
 * Sets V8's process-wide `--liftoff-only`, read when a WebAssembly module compiles: call it before the
 * first PGlite starts (docs/decisions/005-embedded-database-by-default.md).
 */
export function compileWebAssemblyWithBaselineOnly() {
  setFlagsFromString("--liftoff-only");
}

/**
 * initdb in a short-lived child process: one that ran it keeps hundreds of MB for good
 * (docs/decisions/005-embedded-database-by-default.md).
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

/** PGlite in this process, its folder locked to it and created in a child process when new. */
export async function openPglite(dir: string): Promise<Database> {
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
      ping: (timeoutMs) => answersWithin(() => client.query("select 1"), timeoutMs),
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
