import { openDatabase, type Database } from "../db/client.server";
import { createAccessTokenVerifier, type AccessTokenVerifier } from "./api/access-tokens.server";
import { createAuditLog, type AuditLog } from "./audit/audit.server";
import { createAccountService, type AccountService } from "./auth/account.server";
import { ACCESS_TOKEN_SECONDS, createAuth, type Auth } from "./auth/auth.server";
import { createEmailChangeService, type EmailChangeService } from "./auth/email-change.server";
import { createSessionService, type SessionService } from "./auth/sessions.server";
import type { Config } from "./config.server";
import { createFlashCookie, type FlashCookie } from "./flash.server";
import type { Logger } from "./logger.server";
import { createOutbox, type Outbox, type OutboxOptions } from "./mail/outbox.server";
import { devMailboxTransport, smtpTransport } from "./mail/transport.server";
import {
  createRateLimiter,
  createRateLimits,
  KNOWN_ADDRESS_DAYS,
  type RateLimits,
} from "./security/rate-limit.server";
import { createTodoService, type TodoService } from "./todos/todos.server";

/** How often closed rate-limit windows are deleted. */
const RATE_LIMIT_SWEEP_MS = 10 * 60 * 1000;

/**
 * Everything with state, created once per process by `server.ts` (or by a test)
 * and handed to loaders and actions through the load context. Route modules
 * never import a database client or an auth instance of their own.
 */
export interface Services {
  config: Config;
  logger: Logger;
  database: Database;
  auth: Auth;
  mail: Outbox;
  flash: FlashCookie;
  todos: TodoService;
  sessions: SessionService;
  audit: AuditLog;
  accounts: AccountService;
  emailChanges: EmailChangeService;
  rateLimits: RateLimits;
  /** Verifies the JWTs of the JSON API against our own published keys. */
  accessTokens: AccessTokenVerifier;
  /** Stops the mail worker, then closes the database. */
  close(): Promise<void>;
}

/** Where mail goes: SMTP when configured; the dev mailbox outside production; nowhere yet otherwise. */
function mailTransport(config: Config, logger: Logger) {
  if (config.mail.smtpUrl) return smtpTransport(config.mail.smtpUrl);
  if (!config.isProduction) return devMailboxTransport;
  logger.warn("SMTP_URL is not set: mail is kept in the outbox and sent once it is");
  return null;
}

export async function createServices(
  config: Config,
  logger: Logger,
  mailOptions: Partial<OutboxOptions> = {},
): Promise<Services> {
  const database = await openDatabase(config.database);
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    throw error;
  }
  const transport = mailTransport(config, logger);
  const mail = createOutbox(database.db, logger, {
    from: config.mail.from,
    transport,
    keepDelivered: transport === devMailboxTransport,
    ...mailOptions,
  });
  const audit = createAuditLog(database.db, logger);
  const sessions = createSessionService(database.db, audit);
  const rateLimits = createRateLimits(createRateLimiter(database.db), (email, address) =>
    audit.hasSignedInFrom(email, address, KNOWN_ADDRESS_DAYS),
  );
  const sweeper = setInterval(() => {
    rateLimits.sweep().catch((error: unknown) => logger.warn({ err: error }, "rate-limit sweep failed"));
  }, RATE_LIMIT_SWEEP_MS);
  sweeper.unref();
  const auth = createAuth({ db: database.db, config, logger, mail, audit, rateLimits });
  return {
    config,
    logger,
    database,
    auth,
    accessTokens: createAccessTokenVerifier({
      loadKeys: () => auth.api.getJwks(),
      issuer: config.appUrl.origin,
      audience: config.appUrl.origin,
      maxAgeSeconds: ACCESS_TOKEN_SECONDS,
    }),
    audit,
    mail,
    flash: createFlashCookie({ secret: config.authSecret, secure: config.appUrl.protocol === "https:" }),
    todos: createTodoService(database.db),
    sessions,
    accounts: createAccountService(database.db, mail, sessions),
    emailChanges: createEmailChangeService({ db: database.db, mail, audit, appUrl: config.appUrl }),
    rateLimits,
    async close() {
      clearInterval(sweeper);
      await mail.stop();
      await database.close();
    },
  };
}
