import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { createLogger } from "../../app/logger.server";
import { createApp } from "../../app/server/app.server";
import { createServices, type Services } from "../../app/services.server";
import { HttpClient } from "../../harness/client";
import { signUpAndConfirm } from "../../harness/sign-up";
import { latestMail } from "./accounts";
import { STRONG_PASSWORD } from "./client";
import { testConfig } from "./databases";
import { linkIn } from "../../harness/smtp";

/**
 * The real HTTP application (server layer and production Remix build) on an
 * ephemeral loopback port, with its log lines captured for inspection.
 */
export async function startHttpApp(env: Record<string, string> = {}) {
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString("utf8"));
      done();
    },
  });
  // Bind first: APP_URL must name the port the server really listens on.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const config = testConfig({ APP_URL: origin, LOG_LEVEL: "debug", ...env });
  const services: Services = await createServices(config, createLogger(config, sink));
  const build = (await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild;
  let shuttingDown = false;
  const app = createApp({ services, build, isShuttingDown: () => shuttingDown });
  // Responses not yet closed: their log lines are written as they close (the request log's listener runs first).
  let open = 0;
  const onQuiet = new Set<() => void>();
  server.on("request", (req, res) => {
    open++;
    app(req, res);
    res.on("close", () => {
      if (--open === 0) for (const wake of onQuiet) wake();
    });
  });

  return {
    origin,
    services,
    logLines,
    url: (pathname: string) => new URL(pathname, origin).toString(),
    beginShutdown() {
      shuttingDown = true;
    },
    /** Resolves once every response so far has closed, and so been logged; fails after `timeoutMs`. */
    async quiet(timeoutMs = 5_000) {
      if (open === 0) return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          onQuiet.delete(wake);
          reject(new Error(`${open} responses still open after ${timeoutMs} ms`));
        }, timeoutMs);
        const wake = () => {
          clearTimeout(timer);
          onQuiet.delete(wake);
          resolve();
        };
        onQuiet.add(wake);
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
    },
  };
}

export type HttpApp = Awaited<ReturnType<typeof startHttpApp>>;

let clientAddressCount = 0;
/**
 * A new private address each call, to send as X-Forwarded-For to an app
 * started with `TRUST_PROXY: "loopback"`: each simulated person then has rate
 * limits of their own.
 */
export const newClientAddress = () => {
  const n = ++clientAddressCount;
  // Each in a /24 of its own: password hashing is shared per /24, and each person is their own network.
  return `10.${(n >> 8) & 255}.${n & 255}.${10 + ((n >> 16) & 127)}`;
};

/** A form post as a browser on the app's own page would send it; `headers` (a cookie, say) win over a browser's. */
export const formPost = (
  app: HttpApp,
  pathname: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) => new HttpClient({ origin: app.origin }).post(pathname, fields, headers);

/** The `name=value` pairs of a response's cookies, for the next request's Cookie header. */
export const cookiesOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");

/**
 * Signs a new account up through the form and follows the confirmation link in
 * its mail, over HTTP; answers the signed-in cookie header.
 */
export async function signUpOverHttp(
  app: HttpApp,
  email: string,
  headers: Record<string, string> = {},
): Promise<{ email: string; cookie: string }> {
  const client = new HttpClient({ origin: app.origin, headers });
  await signUpAndConfirm(client, { name: "Http User", email, password: STRONG_PASSWORD }, async (to) =>
    linkIn(await latestMail(app.services, to, "verify-email"), `${app.origin}/verify-email?token=`),
  );
  return { email, cookie: client.cookies.header() };
}
