/**
 * The process: reads the configuration, opens the database (migrating it),
 * serves the app (through Vite in development, the build in production) and
 * shuts down cleanly on SIGTERM or SIGINT.
 */
import { Server as NetServer } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import type { ServerBuild } from "@remix-run/node";
import { ConfigError, loadConfig } from "./app/config.server";
import { createLogger } from "./app/logger.server";
import { createApp } from "./app/server/app.server";
import { createServices } from "./app/services.server";
import { EmbeddedDatabaseError } from "./db/client.server";

/**
 * After a stop signal, kept-alive connections get this long to send one more request, answered
 * with `Connection: close`, before the idle ones are closed: closing them at once (as
 * http.Server#close does) resets a request a client is just sending on one, which the resilience
 * suite saw under load.
 */
const DRAIN_MS = 1_000;

/** In-flight requests then get this long to finish; the process exits 0 within 10 s. */
const SHUTDOWN_GRACE_MS = 7_000;

/** How long an idle kept-alive connection stays open: longer than a load balancer keeps its own. */
const KEEP_ALIVE_MS = 65_000;

/**
 * How far V8 lets its heap grow past what the last full collection kept, in percent (its default
 * lets a server's heap reach four times what it keeps; docs/decisions/007-heap-settings.md). V8
 * reads it at every collection, so setting it once the process runs takes effect.
 */
const HEAP_GROWING_PERCENT = 40;

function exitWith(line: string): never {
  console.error(line);
  process.exit(1);
}

function loadConfigOrExit() {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) exitWith(`Invalid configuration: ${error.message}`);
    throw error;
  }
}

async function main() {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const config = loadConfigOrExit();
  const logger = createLogger(config);
  const services = await createServices(config, logger).catch((error: unknown) => {
    // A second process on the same embedded database, or a folder it cannot use: one clear line, not a stack.
    if (error instanceof EmbeddedDatabaseError) exitWith(error.message);
    throw error;
  });

  const vite = config.isProduction
    ? undefined
    : await import("vite").then(({ createServer }) => createServer({ server: { middlewareMode: true } }));
  const build: ServerBuild | (() => Promise<ServerBuild>) = vite
    ? () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>
    : ((await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild);

  let shuttingDown = false;
  const app = createApp({
    services,
    build,
    devMiddleware: vite?.middlewares,
    isShuttingDown: () => shuttingDown,
  });

  const server = app.listen(config.port, config.host, () => {
    logger.info(`Todo is listening on ${config.appUrl.origin} (${config.env}, ${services.database.kind})`);
    services.mail.start();
  });
  server.on("error", (error) => {
    logger.fatal({ err: error }, "server error");
    process.exit(1);
  });
  // An idle kept-alive connection must be closed by the client or the load balancer in front,
  // never by us: a request sent on it the instant we close it is lost (a reset, or a 502 at the
  // balancer). Node's default of 5 s is shorter than any balancer's idle timeout (60 s on AWS),
  // and the resilience suite's load saw those resets; the headers timeout must exceed it.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;

  async function shutdown(signal: string) {
    if (shuttingDown) return;
    // From here /readyz says 503 and every answer closes its connection (app.server.ts).
    shuttingDown = true;
    logger.info({ signal }, "shutting down: finishing requests in flight");
    // New connections are refused at once; the open ones stay for now (net.Server's close, not
    // http.Server's, which would also drop the idle ones). Resolves when the last one has ended.
    const drained = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    // In development nobody keeps connections alive but the browser: Ctrl-C stops at once.
    if (config.isProduction) await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
    server.closeIdleConnections();
    const force = setTimeout(() => {
      logger.warn("requests still open after the grace period: closing them");
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    await drained;
    clearTimeout(force);
    try {
      await vite?.close();
      // Stops the mail worker (a send in progress finishes), then closes the database.
      await services.close();
      logger.info("stopped");
    } catch (error) {
      logger.error({ err: error }, "error while closing");
    }
    logger.flush();
    process.exit(0);
  }
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

await main();
