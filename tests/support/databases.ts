import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { loadConfig, type Config } from "../../app/config.server";
import { createLogger } from "../../app/logger.server";
import type { OutboxOptions } from "../../app/mail/outbox.server";
import { createServices, type Services } from "../../app/services.server";

export const TEST_SECRET = "test-secret-that-is-long-enough-for-better-auth";
export const TEST_APP_URL = "http://app.test";

export type DatabaseKind = "pglite" | "postgres";

/** PGlite always; PostgreSQL too when `TEST_DATABASE_URL` points at a server we may create databases on. */
export const DATABASE_KINDS: DatabaseKind[] = process.env.TEST_DATABASE_URL
  ? ["pglite", "postgres"]
  : ["pglite"];

/**
 * A fresh, empty PostgreSQL database for one test file, dropped afterwards.
 */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `todo_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: "test",
    APP_URL: TEST_APP_URL,
    BETTER_AUTH_SECRET: TEST_SECRET,
    PGLITE_DIR: "memory://",
    LOG_LEVEL: "error",
    ...overrides,
  });
}

/** The app's real services on a fresh database of the given kind. */
export async function createTestServices(
  kind: DatabaseKind,
  { env = {}, mail = {} }: { env?: Record<string, string>; mail?: Partial<OutboxOptions> } = {},
): Promise<Services> {
  if (kind === "pglite") {
    const config = testConfig(env);
    return createServices(config, createLogger(config), mail);
  }
  const database = await createPostgresDatabase();
  const config = testConfig({ ...env, DATABASE_URL: database.url });
  const services = await createServices(config, createLogger(config), mail);
  return {
    ...services,
    async close() {
      await services.close();
      await database.drop();
    },
  };
}

/**
 * Runs `task` while the PostgreSQL backends LISTENing on `databaseUrl`'s
 * database are paused (SIGSTOP): every announcement is held back, as on a
 * database too busy to deliver them, so that nothing can depend on their
 * arriving in time. The backends go on (SIGCONT) afterwards.
 */
export async function withAnnouncementsHeld<T>(databaseUrl: string, task: () => Promise<T>): Promise<T> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  let pids: number[] = [];
  try {
    const rows = await admin<{ pid: number }[]>`
      select pid from pg_stat_activity where datname = ${name} and query ilike 'listen %'`;
    pids = rows.map((row) => row.pid);
    if (pids.length === 0) throw new Error(`no backend listens on ${name}`);
    for (const pid of pids) process.kill(pid, "SIGSTOP");
    return await task();
  } finally {
    for (const pid of pids) process.kill(pid, "SIGCONT");
    await admin.end();
  }
}
