import { pino, type DestinationStream, type Logger } from "pino";
import type { Config } from "./config.server";

export type { Logger };

/**
 * One structured logger for the process: JSON in production (one line per
 * event, for a log shipper), pretty in development. Values that could carry a
 * credential are redacted wherever they appear in a logged object.
 */
export function createLogger(
  config: Pick<Config, "logLevel" | "isProduction" | "env">,
  destination?: DestinationStream,
): Logger {
  const pretty = !config.isProduction && config.env !== "test" && !destination;
  const options = {
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
    transport: pretty ? { target: "pino-pretty" } : undefined,
  };
  return destination ? pino(options, destination) : pino(options);
}
