import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * The environment, parsed once at start into a typed object. Nothing else in the
 * app reads `process.env`: the server, the migration command and the tests all
 * call `loadConfig` and hand the result down.
 */

const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

/** Express's `trust proxy` setting: off, on, a hop count, or a list of addresses/subnets. */
type TrustProxy = boolean | number | string[];

interface MailConfig {
  /** `smtp://…` when mail leaves the machine; `null` keeps it in the dev mailbox. */
  smtpUrl: string | null;
  from: string;
}

/** The providers people can sign in with, each present only when its variables are set. */
export type OAuthProviderConfig =
  | { id: "github" | "google"; clientId: string; clientSecret: string }
  | {
      id: "oidc";
      /** What the button says: "Continue with $OIDC_NAME". */
      name: string;
      /** Discovery is at `$issuer/.well-known/openid-configuration`. */
      issuer: URL;
      clientId: string;
      clientSecret: string;
    };

export interface Config {
  env: "development" | "production" | "test";
  isProduction: boolean;
  port: number;
  host: string;
  /** The public origin; every origin check and every link in a mail is built from it. */
  appUrl: URL;
  /** The origins a form may come from: APP_URL's, and in development its loopback aliases too. */
  appOrigins: readonly string[];
  authSecret: string;
  database: { kind: "postgres"; url: string } | { kind: "pglite"; dir: string };
  mail: MailConfig;
  trustProxy: TrustProxy;
  logLevel: LogLevel;
  /** Sign-in with GitHub, Google or one OpenID Connect provider; empty when none is configured. */
  oauthProviders: OAuthProviderConfig[];
  /** Where generated state (the dev secret, the embedded database) lives. */
  dataDir: string;
  /** Seconds after its last password (or provider) check during which a session may make sensitive changes. */
  reauthMaxAgeSeconds: number;
}

/** Ten minutes: long enough for one errand in the settings, short enough that an unattended browser soon needs the password again. */
const DEFAULT_REAUTH_MAX_AGE_SECONDS = 600;

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

/**
 * A developer who opens http://127.0.0.1:3000 when APP_URL says localhost is the same person on
 * the same machine: on a loopback APP_URL, the three names are one site (development only).
 */
function withLoopbackAliases(appUrl: URL): string[] {
  if (!LOOPBACK_NAMES.includes(appUrl.hostname)) return [appUrl.origin];
  const aliases = LOOPBACK_NAMES.filter((name) => name !== appUrl.hostname).map((name) => {
    const alias = new URL(appUrl);
    alias.hostname = name;
    return alias.origin;
  });
  return [appUrl.origin, ...aliases];
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** An unset variable and an empty one mean the same: use the default. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    schema.optional(),
  );

const httpOrigin = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://todo.example.com" })
  .transform((value) => new URL(value))
  .refine((url) => url.pathname === "/" && !url.search && !url.hash, {
    error: "must be an origin only, with no path, query or fragment",
  });

const EnvSchema = z.object({
  NODE_ENV: optional(z.enum(["development", "production", "test"])),
  PORT: optional(z.coerce.number().int().min(0).max(65535)),
  HOST: optional(z.string()),
  APP_URL: optional(httpOrigin),
  BETTER_AUTH_SECRET: optional(z.string().min(32, { error: "must be at least 32 characters" })),
  DATABASE_URL: optional(
    z.string().regex(/^postgres(ql)?:\/\//, { error: "must be a postgres:// or postgresql:// URL" }),
  ),
  PGLITE_DIR: optional(z.string()),
  SMTP_URL: optional(z.string().regex(/^smtps?:\/\//, { error: "must be an smtp:// or smtps:// URL" })),
  MAIL_FROM: optional(z.string()),
  TRUST_PROXY: optional(z.string()),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS)),
  REAUTH_MAX_AGE: optional(
    z.coerce
      .number({ error: "must be a whole number of seconds greater than 0" })
      .int({ error: "must be a whole number of seconds greater than 0" })
      .positive({ error: "must be a whole number of seconds greater than 0" }),
  ),
  GITHUB_CLIENT_ID: optional(z.string().trim()),
  GITHUB_CLIENT_SECRET: optional(z.string().trim()),
  GOOGLE_CLIENT_ID: optional(z.string().trim()),
  GOOGLE_CLIENT_SECRET: optional(z.string().trim()),
  OIDC_ISSUER: optional(
    z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://id.example.com" })
      .transform((value) => new URL(value))
      .refine((url) => !url.search && !url.hash, { error: "must not have a query or fragment" }),
  ),
  OIDC_CLIENT_ID: optional(z.string().trim()),
  OIDC_CLIENT_SECRET: optional(z.string().trim()),
  OIDC_NAME: optional(z.string().trim().max(50, { error: "must be at most 50 characters" })),
});

/**
 * A provider's variables come as a group: all set, or none. Half a group is a
 * mistake worth stopping for, not a provider to leave out silently.
 */
function setTogether<Group extends Record<string, unknown>>(
  group: Group,
): { [Name in keyof Group]: NonNullable<Group[Name]> } | null {
  const names = Object.keys(group);
  const unset = names.filter((name) => group[name] === undefined);
  if (unset.length === names.length) return null;
  const [first] = unset;
  if (first !== undefined) {
    const set = names.filter((name) => group[name] !== undefined);
    throw new ConfigError(
      `${first} is required when ${set.join(" and ")} ${set.length > 1 ? "are" : "is"} set`,
    );
  }
  // Every value was checked just above.
  return group as { [Name in keyof Group]: NonNullable<Group[Name]> };
}

function parseOAuthProviders(vars: z.infer<typeof EnvSchema>): OAuthProviderConfig[] {
  const providers: OAuthProviderConfig[] = [];
  const github = setTogether({
    GITHUB_CLIENT_ID: vars.GITHUB_CLIENT_ID,
    GITHUB_CLIENT_SECRET: vars.GITHUB_CLIENT_SECRET,
  });
  if (github) {
    providers.push({
      id: "github",
      clientId: github.GITHUB_CLIENT_ID,
      clientSecret: github.GITHUB_CLIENT_SECRET,
    });
  }
  const google = setTogether({
    GOOGLE_CLIENT_ID: vars.GOOGLE_CLIENT_ID,
    GOOGLE_CLIENT_SECRET: vars.GOOGLE_CLIENT_SECRET,
  });
  if (google) {
    providers.push({
      id: "google",
      clientId: google.GOOGLE_CLIENT_ID,
      clientSecret: google.GOOGLE_CLIENT_SECRET,
    });
  }
  const oidc = setTogether({
    OIDC_ISSUER: vars.OIDC_ISSUER,
    OIDC_CLIENT_ID: vars.OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET: vars.OIDC_CLIENT_SECRET,
    OIDC_NAME: vars.OIDC_NAME,
  });
  if (oidc) {
    providers.push({
      id: "oidc",
      name: oidc.OIDC_NAME,
      issuer: oidc.OIDC_ISSUER,
      clientId: oidc.OIDC_CLIENT_ID,
      clientSecret: oidc.OIDC_CLIENT_SECRET,
    });
  }
  return providers;
}

function parseTrustProxy(raw: string | undefined): TrustProxy {
  if (raw === undefined || raw === "false") return false;
  if (raw === "true") return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
}

/**
 * Outside production a missing secret is generated once and kept in the data
 * folder, so sessions survive restarts of `npm run dev` without any set-up.
 */
function devSecret(dataDir: string): string {
  const file = path.join(dataDir, "auth-secret");
  try {
    const saved = readFileSync(file, "utf8").trim();
    if (saved.length >= 32) return saved;
  } catch {
    // not there yet: make one below
  }
  const secret = randomBytes(32).toString("base64url");
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join(".") ?? "environment";
    throw new ConfigError(`${name} ${issue?.message ?? "is invalid"}`);
  }
  const vars = parsed.data;
  const nodeEnv = vars.NODE_ENV ?? "development";
  const isProduction = nodeEnv === "production";
  const port = vars.PORT ?? 3000;
  const dataDir = path.resolve(".data");

  if (isProduction && !vars.APP_URL) {
    throw new ConfigError(
      "APP_URL is required in production (the public origin, e.g. https://todo.example.com)",
    );
  }
  if (isProduction && !vars.BETTER_AUTH_SECRET) {
    throw new ConfigError("BETTER_AUTH_SECRET is required in production (at least 32 random characters)");
  }

  const pgliteDir = vars.PGLITE_DIR ?? path.join(dataDir, "pglite");
  const appUrl = vars.APP_URL ?? new URL(`http://localhost:${port}`);
  return {
    env: nodeEnv,
    isProduction,
    port,
    host: vars.HOST ?? "0.0.0.0",
    appUrl,
    appOrigins: nodeEnv === "development" ? withLoopbackAliases(appUrl) : [appUrl.origin],
    authSecret: vars.BETTER_AUTH_SECRET ?? devSecret(dataDir),
    database: vars.DATABASE_URL
      ? { kind: "postgres", url: vars.DATABASE_URL }
      : { kind: "pglite", dir: pgliteDir === "memory://" ? pgliteDir : path.resolve(pgliteDir) },
    mail: { smtpUrl: vars.SMTP_URL ?? null, from: vars.MAIL_FROM ?? "Todo <no-reply@localhost>" },
    trustProxy: parseTrustProxy(vars.TRUST_PROXY),
    logLevel: vars.LOG_LEVEL ?? "info",
    oauthProviders: parseOAuthProviders(vars),
    dataDir,
    reauthMaxAgeSeconds: vars.REAUTH_MAX_AGE ?? DEFAULT_REAUTH_MAX_AGE_SECONDS,
  };
}
