import type { ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import type { Logger } from "../logger.server";

/** Probes poll every few seconds: a line each would bury the requests. */
const UNLOGGED_PATHS = new Set(["/healthz", "/readyz"]);

/**
 * One log line per request when its response closes: method, path (never the
 * query: mail links carry tokens), status, time, request id and client
 * address; no headers (cookies). A 503 (the database out of reach, too many
 * passwords at once) is a condition to watch, a warning; any other 5xx an
 * error; the rest `info`. What it costs a request whose line the level drops
 * is one listener: the line is built only when it is written.
 */
export function requestLogging(
  logger: Logger,
  factsOf: (res: ServerResponse) => { requestId: string; clientAddress: string },
): RequestHandler {
  return (req, res, next) => {
    if (UNLOGGED_PATHS.has(req.path)) return next();
    const start = performance.now();
    res.once("close", () => {
      const statusCode = res.statusCode;
      const level = statusCode === 503 ? "warn" : statusCode >= 500 ? "error" : "info";
      if (!logger.isLevelEnabled(level)) return;
      const { requestId, clientAddress } = factsOf(res);
      logger[level](
        {
          reqId: requestId,
          client: clientAddress,
          req: { method: req.method, path: req.originalUrl.split("?")[0] },
          res: { statusCode },
          responseTime: Math.round(performance.now() - start),
        },
        res.writableFinished ? "request completed" : "request aborted",
      );
    });
    next();
  };
}
