import { pino, stdSerializers, type DestinationStream, type Logger } from "pino";
import type { Config } from "./config.server";

export type { Logger };

type SerializedError = ReturnType<typeof stdSerializers.err>;

/**
 * Errors as pino writes them, less the values of failed queries. drizzle puts
 * a failed query's parameters (session tokens, emails, password hashes) in its
 * error's message, stack and `params`; PostgreSQL names the offending value in
 * `detail` ("Key (email)=(…) already exists"). The query text, the codes and
 * the stack stay: they are what an engineer needs, the values are not.
 */
function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const redactions: Array<[string, string]> = [];
  const seen = new Set<unknown>();
  for (let link: unknown = error; link instanceof Error && !seen.has(link); link = link.cause) {
    seen.add(link);
    const { query, params } = link as Error & { query?: unknown; params?: unknown };
    if (typeof query === "string" && Array.isArray(params)) {
      // The exact text drizzle built (DrizzleQueryError), so nothing else is touched.
      const withValues = `Failed query: ${query}\nparams: ${String(params)}`;
      redactions.push([withValues, `Failed query: ${query}\nparams: [${params.length} redacted]`]);
    }
  }
  const serialized: SerializedError & Record<string, unknown> = stdSerializers.err(error);
  const redact = (text: string) =>
    redactions.reduce((result, [withValues, without]) => result.split(withValues).join(without), text);
  serialized.message = redact(serialized.message);
  serialized.stack = redact(serialized.stack);
  if (Array.isArray(serialized.params)) serialized.params = `[${serialized.params.length} redacted]`;
  for (const key of ["parameters", "args"]) delete serialized[key];
  if (typeof serialized.detail === "string")
    serialized.detail = serialized.detail.replace(/=\(.*\)/s, "=([redacted])");
  return serialized;
}

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
    serializers: { err: serializeError },
    transport: pretty ? { target: "pino-pretty" } : undefined,
  };
  return destination ? pino(options, destination) : pino(options);
}
