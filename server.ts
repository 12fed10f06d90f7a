/**
 * The process: reads the configuration, opens the database (migrating it),
 * serves the app (through Vite in development, the build in production) and
 * shuts down cleanly on SIGTERM or SIGINT.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { ConfigError, loadConfig } from "./app/config.server";
import { createLogger } from "./app/logger.server";
import { createApp } from "./app/server/app.server";
import { createServices } from "./app/services.server";
import { DatabaseLockedError } from "./db/client.server";

/** In-flight requests get this long to finish after a stop signal; the process exits 0 within 10 s. */
const SHUTDOWN_GRACE_MS = 8_000;

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
  const config = loadConfigOrExit();
  const logger = createLogger(config);
  const services = await createServices(config, logger).catch((error: unknown) => {
    // A second process on the same embedded database: one clear line, not a stack.
    if (error instanceof DatabaseLockedError) exitWith(error.message);
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

  async function shutdown(signal: string) {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, "shutting down: finishing requests in flight");
    const force = setTimeout(() => {
      logger.warn("requests still open after the grace period: closing them");
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(async () => {
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
    });
    // Keep-alive connections with no request in flight would hold the server open.
    server.closeIdleConnections();
  }
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

await main();
