import { afterAll, beforeAll } from "vitest";
import { STRONG_PASSWORD } from "./client";
import { createPostgresDatabase } from "./databases";
import { freePort, startServerProcess, waitForOk, type ServerProcess } from "../../harness/process";
import { HttpClient } from "../../harness/client";
import { mailedConfirmationLink, signUpAndConfirm } from "../../harness/sign-up";
import { startSmtpCatcher, type SmtpCatcher } from "../../harness/smtp";

/** One `node build/server.js` process of the app, on a port of its own. */
export interface AppInstance {
  origin: string;
  process: ServerProcess;
  /** A form post as a browser on this instance's page would send it (the harness client, without its cookies). */
  post(pathname: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  get(pathname: string, headers?: Record<string, string>): Promise<Response>;
}

/**
 * One production server process on `port` (a free one unless given) with the
 * database given (`DATABASE_URL`, or `PGLITE_DIR`), sending mail to `smtp`,
 * believing X-Forwarded-For from loopback, so tests can play many client
 * addresses. Resolves once it is ready; killed if it never is.
 */
export async function startInstance({
  database,
  smtp,
  port,
  env = {},
}: {
  database: Record<string, string>;
  smtp: SmtpCatcher;
  port?: number;
  env?: Record<string, string>;
}): Promise<AppInstance> {
  const origin = `http://127.0.0.1:${port ?? (await freePort())}`;
  const serverProcess = startServerProcess({
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: new URL(origin).port,
    // Each instance is its own site here; in production one origin sits in front of all.
    APP_URL: origin,
    BETTER_AUTH_SECRET: "a-production-secret-of-at-least-32-chars",
    SMTP_URL: smtp.url,
    TRUST_PROXY: "loopback",
    LOG_LEVEL: "warn",
    ...database,
    ...env,
  });
  try {
    await waitForOk(`${origin}/readyz`, 90_000);
  } catch (error) {
    serverProcess.child.kill("SIGKILL");
    throw new Error(`the server did not start:\n${serverProcess.output()}`, { cause: error });
  }
  return {
    origin,
    process: serverProcess,
    post: (pathname, fields, headers = {}) => new HttpClient({ origin }).post(pathname, fields, headers),
    get: (pathname, headers = {}) => new HttpClient({ origin }).get(pathname, headers),
  };
}

/**
 * `count` production server processes sharing one PostgreSQL database and one
 * mailbox, as several instances behind a load balancer would.
 */
export async function startInstances(
  count: number,
  { databaseUrl, smtp, env = {} }: { databaseUrl: string; smtp: SmtpCatcher; env?: Record<string, string> },
) {
  const instances: AppInstance[] = [];
  const stop = async () => {
    for (const { process } of instances.splice(0)) {
      process.child.kill("SIGTERM");
      await process.exited();
    }
  };
  try {
    for (let i = 0; i < count; i++) {
      instances.push(await startInstance({ database: { DATABASE_URL: databaseUrl }, smtp, env }));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { instances, stop };
}

/**
 * Runs `body` with two instances on a fresh PostgreSQL database (dropped
 * afterwards) and a mailbox, and stops everything however `body` ends.
 */
export async function withTwoInstances(
  body: (setup: { one: AppInstance; two: AppInstance; smtp: SmtpCatcher }) => Promise<void>,
): Promise<void> {
  const database = await createPostgresDatabase();
  const smtp = await startSmtpCatcher();
  try {
    const { instances, stop } = await startInstances(2, { databaseUrl: database.url, smtp });
    try {
      const [one, two] = instances;
      if (!one || !two) throw new Error("servers did not start");
      await body({ one, two, smtp });
    } finally {
      await stop();
    }
  } finally {
    await smtp.stop();
    await database.drop();
  }
}

/** Signs a new account up on `instance` and follows its confirmation link: the signed-in cookie header. */
export async function signUpOn(
  instance: AppInstance,
  smtp: SmtpCatcher,
  email: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const client = new HttpClient({ origin: instance.origin, headers });
  const account = { name: "Instance User", email, password: STRONG_PASSWORD };
  await signUpAndConfirm(client, account, mailedConfirmationLink(smtp, instance.origin));
  return client.cookies.header();
}

/**
 * For the describe block it is called in: a throwaway PostgreSQL database, an
 * SMTP catcher and `count` instances on them, started before its tests and
 * stopped (the database dropped) after them.
 */
export function instancesForSuite(count: number) {
  let database: { url: string; drop(): Promise<void> } | undefined;
  let smtp: SmtpCatcher | undefined;
  let started: { instances: AppInstance[]; stop(): Promise<void> } | undefined;
  beforeAll(async () => {
    database = await createPostgresDatabase();
    smtp = await startSmtpCatcher();
    started = await startInstances(count, { databaseUrl: database.url, smtp });
  });
  afterAll(async () => {
    await started?.stop();
    await smtp?.stop();
    await database?.drop();
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} has not started`);
    return value;
  };
  return {
    get databaseUrl() {
      return ready(database, "the database").url;
    },
    get smtp() {
      return ready(smtp, "the SMTP catcher");
    },
    get instances() {
      return ready(started, "the instances").instances;
    },
  };
}
