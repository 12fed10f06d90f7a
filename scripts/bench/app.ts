/**
 * The app under measurement: the production bundle in its own process, on a
 * database of its own, with a real SMTP catcher, and users seeded through the
 * app's own forms and APIs (never straight into the tables), so that the
 * figures measure what a deployment would serve.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";
import { expectStatus, HttpClient } from "../../harness/client";
import { send } from "../../harness/http";
import { startServerProcess, waitForOk, type ServerProcess } from "../../harness/process";
import { mailedConfirmationLink, signUpAndConfirm } from "../../harness/sign-up";
import { startSmtpCatcher, type SmtpCatcher } from "../../harness/smtp";
export const BENCH_PASSWORD = "correct horse battery staple";

export type DatabaseKind = "pglite" | "postgres";

/** A database for one run, and how to get rid of it afterwards. */
interface BenchDatabase {
  env: Record<string, string>;
  label: string;
  drop(): Promise<void>;
}

/**
 * PGlite in a temporary folder on disk (not `memory://`): a deployment keeps
 * its data on disk, and so must the figures.
 */
async function pgliteDatabase(): Promise<BenchDatabase> {
  const dir = await mkdtemp(path.join(tmpdir(), "todo-bench-pglite-"));
  return {
    env: { PGLITE_DIR: dir },
    label: `PGlite in ${dir}`,
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * A fresh database in the cluster at `url`, so that tables left by tests (CI
 * runs the tests on the same throwaway cluster first) weigh nothing. Without
 * the right to create one, the given database itself is used.
 */
async function postgresDatabase(url: string): Promise<BenchDatabase> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const name = `todo_bench_${randomBytes(4).toString("hex")}`;
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end();
    console.warn(`Could not create a database of its own (${String(error)}); using ${redact(url)} as it is.`);
    return { env: { DATABASE_URL: url }, label: `PostgreSQL at ${redact(url)}`, drop: async () => {} };
  }
  const own = new URL(url);
  own.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: own.toString() },
    label: `PostgreSQL, database ${name} at ${redact(url)}`,
    async drop() {
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** A URL without its password, for printing. */
const redact = (url: string) => {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
};

export interface RunningApp {
  url: string;
  pid: number;
  databaseLabel: string;
  smtp: SmtpCatcher;
  server: ServerProcess;
  /** The server's whole environment, for a second server on the same database. */
  env: Record<string, string> & { NODE_ENV: "production" };
  stop(): Promise<void>;
}

/** Starts `node build/server.js` as production would run it, on the given port and database. */
export async function startApp(kind: DatabaseKind, port: number, postgresUrl?: string): Promise<RunningApp> {
  if (kind === "postgres" && !postgresUrl) throw new Error("a PostgreSQL run needs BENCH_DATABASE_URL");
  const database =
    kind === "postgres" && postgresUrl ? await postgresDatabase(postgresUrl) : await pgliteDatabase();
  const url = `http://127.0.0.1:${port}`;
  const base = {
    NODE_ENV: "production" as const,
    APP_URL: url,
    BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
    ...database.env,
  };
  // Created and migrated beforehand, as a deployment's database is: a server that creates a
  // PGlite database itself keeps hundreds of MB from initdb that a restarted one never holds.
  const migrated = spawnSync(process.execPath, ["--import", "tsx", "db/migrate.ts"], {
    env: { PATH: process.env.PATH ?? "", ...base },
    encoding: "utf8",
  });
  if (migrated.status !== 0) {
    await database.drop();
    throw new Error(`npm run db:migrate failed:\n${migrated.stdout}${migrated.stderr}`);
  }
  const smtp = await startSmtpCatcher();
  const env = {
    ...base,
    HOST: "127.0.0.1",
    PORT: String(port),
    // The bench sends X-Forwarded-For from loopback to give each sign-in and sign-up its own client address.
    TRUST_PROXY: "loopback",
    LOG_LEVEL: "warn",
    SMTP_URL: smtp.url,
  };
  const server = startServerProcess(env);
  const stop = async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill("SIGTERM");
      await server.exited();
    }
    await smtp.stop();
    await database.drop();
  };
  try {
    await Promise.race([
      waitForOk(`${url}/readyz`, 120_000),
      server.exited().then(({ code }) => {
        throw new Error(`the server exited with ${code} before it was ready:\n${server.output()}`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  const pid = server.child.pid;
  if (pid === undefined) throw new Error("the server process has no pid");
  return { url, pid, databaseLabel: database.label, smtp, server, env, stop };
}

/**
 * A second server on the same PostgreSQL database through `databaseUrl`, with
 * the same secret and APP_URL, so the first one's cookies and JWTs hold there.
 */
export async function startSecondServer(app: RunningApp, port: number, databaseUrl: string) {
  const server = startServerProcess({ ...app.env, PORT: String(port), DATABASE_URL: databaseUrl });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill("SIGTERM");
      await server.exited();
    }
  };
  try {
    await waitForOk(`${url}/readyz`, 120_000);
  } catch (error) {
    await stop();
    throw new Error(`the second server did not start:\n${server.output()}`, { cause: error });
  }
  return { url, stop, output: () => server.output() };
}

/** The server's resident memory in bytes, from /proc (Linux); null elsewhere. */
export async function residentBytes(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * CPU time the server has used so far, in seconds (user + system, all its
 * threads), from /proc (Linux); null elsewhere. Clock ticks are 1/100 s on
 * every Linux this runs on (USER_HZ).
 */
export async function cpuSeconds(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces: the fields counted from after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const user = Number(fields[11]);
    const system = Number(fields[12]);
    return Number.isFinite(user) && Number.isFinite(system) ? (user + system) / 100 : null;
  } catch {
    return null;
  }
}

let addressCount = 0;
/**
 * A client address of its own (believed through X-Forwarded-For), so that the
 * per-address limits on sign-up never stop the seeding. 198.18.0.0/15 is the
 * range set aside for benchmarks (RFC 2544).
 */
export const nextSeedAddress = () => {
  const n = ++addressCount;
  // Each in a /24 of its own: waiting password hashes are capped per /24 (a network's share).
  return `198.18.${n & 255}.${1 + ((n >> 8) & 127)}`;
};

export interface SeededUser {
  email: string;
  /** The session cookie (`SESSION_COOKIE=…`), as a browser would send it. */
  cookie: string;
  /** A JWT from /api/auth/token, valid 15 minutes. */
  token: string;
  todoIds: string[];
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function inBatches<T, R>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
) {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * A person's way in: sign up through the form, follow the link in the mail
 * from the SMTP catcher, then add `todoCount` todos through the form.
 */
export async function seedUser(app: RunningApp, index: number, todoCount: number): Promise<SeededUser> {
  const client = new HttpClient({ origin: app.url, address: nextSeedAddress() });
  const email = `bench-${index}-${randomBytes(3).toString("hex")}@example.com`;
  await signUpAndConfirm(
    client,
    { name: `Bench User ${index}`, email, password: BENCH_PASSWORD },
    mailedConfirmationLink(app.smtp, app.url, 60_000),
  );
  // The welcome message is a one-time cookie: read it once, as the browser would on arrival.
  await expectStatus(await client.get("/todos"), [200], "GET /todos");
  const session = client.cookies.get(SESSION_COOKIE);
  if (!session) throw new Error(`confirming ${email} set no session cookie`);

  for (let n = 1; n <= todoCount; n++) {
    const created = await client.post("/todos", { intent: "create", title: `Benchmark todo number ${n}` });
    await expectStatus(created, [302, 303], "POST /todos");
  }
  const tokenResponse = await expectStatus(await client.get("/api/auth/token"), [200], "GET /api/auth/token");
  const { token } = (await tokenResponse.json()) as { token: string };
  const listResponse = await expectStatus(
    await send(app.url, "/api/todos", { headers: { authorization: `Bearer ${token}` } }),
    [200],
    "GET /api/todos",
  );
  const list = (await listResponse.json()) as { todos: { id: string }[] };
  if (list.todos.length !== todoCount) {
    throw new Error(`${email} has ${list.todos.length} todos, not ${todoCount}`);
  }
  return { email, cookie: `${SESSION_COOKIE}=${session}`, token, todoIds: list.todos.map((todo) => todo.id) };
}
