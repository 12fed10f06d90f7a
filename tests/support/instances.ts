import { afterAll, beforeAll } from "vitest";
import { STRONG_PASSWORD } from "./client";
import { createPostgresDatabase } from "./databases";
import { freePort, startServerProcess, waitForOk, type ServerProcess } from "../../harness/process";
import { confirmSignUp } from "./links";
import { linkIn, startSmtpCatcher, type SmtpCatcher } from "../../harness/smtp";

/** One `node build/server.js` process of the app, on a port of its own. */
export interface AppInstance {
  origin: string;
  process: ServerProcess;
  /** A form post as a browser on this instance's page would send it (Origin set, redirects not followed). */
  post(pathname: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  get(pathname: string, headers?: Record<string, string>): Promise<Response>;
}

/**
 * `count` production server processes sharing one PostgreSQL database and one
 * mailbox, as several instances behind a load balancer would. Each believes
 * X-Forwarded-For from loopback, so tests can play many client addresses.
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
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      const serverProcess = startServerProcess({
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        PORT: String(port),
        // Each instance is its own site here; in production one origin sits in front of all.
        APP_URL: origin,
        BETTER_AUTH_SECRET: "a-production-secret-of-at-least-32-chars",
        DATABASE_URL: databaseUrl,
        SMTP_URL: smtp.url,
        TRUST_PROXY: "loopback",
        LOG_LEVEL: "warn",
        ...env,
      });
      instances.push({
        origin,
        process: serverProcess,
        post: (pathname, fields, headers = {}) =>
          fetch(new URL(pathname, origin), {
            method: "POST",
            redirect: "manual",
            headers: { "content-type": "application/x-www-form-urlencoded", origin, ...headers },
            body: new URLSearchParams(fields),
          }),
        get: (pathname, headers = {}) => fetch(new URL(pathname, origin), { redirect: "manual", headers }),
      });
      await waitForOk(`${origin}/healthz`);
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
  const signedUp = await instance.post(
    "/signup",
    { name: "Instance User", email, password: STRONG_PASSWORD, confirmPassword: STRONG_PASSWORD },
    headers,
  );
  if (signedUp.status !== 302) throw new Error(`sign-up answered ${signedUp.status}`);
  const [mail] = await smtp.waitFor(email);
  if (!mail) throw new Error(`no mail to ${email}`);
  return confirmSignUp(linkIn(mail, `${instance.origin}/verify-email?token=`), signedUp, headers);
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
