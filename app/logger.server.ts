import { pino, type Logger } from "pino";
import type { Config } from "./config.server";

export type { Logger };

/**
 * One structured logger for the process: JSON in production (one line per
 * event, for a log shipper), pretty in development. Values that could carry a
 * credential are redacted wherever they appear in a logged object.
 */
export function createLogger(config: Pick<Config, "logLevel" | "isProduction" | "env">): Logger {
  return pino({
    level: config.env === "test" && config.logLevel === "info" ? "warn" : config.logLevel,
    redact: {
      paths: [
        "password",
        "*.password",
        "currentPassword",
        "newPassword",
        "token",
        "*.token",
        "req.headers.cookie",
        "req.headers.authorization",
        'res.headers["set-cookie"]',
      ],
      censor: "[redacted]",
    },
    transport: config.isProduction || config.env === "test" ? undefined : { target: "pino-pretty" },
  });
}
