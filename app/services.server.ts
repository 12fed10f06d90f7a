import { sql } from "drizzle-orm";
import { openDatabase, type Database } from "../db/client.server";
import { createAccessTokenVerifier, type AccessTokenVerifier } from "./auth/access-tokens.server";
import { createAuditLog, type AuditLog } from "./audit/audit.server";
import { createAccountService, type AccountService } from "./auth/account.server";
import { ACCESS_TOKEN_SECONDS, createAuth, type Auth } from "./auth/auth.server";
import { createConnectionService, type ConnectionService } from "./auth/connections.server";
import { createCredentialChanges, type CredentialChanges } from "./auth/credential-changes.server";
import { createEmailChangeService, type EmailChangeService } from "./auth/email-change.server";
import { createPendingAccounts, type PendingAccounts } from "./auth/pending-accounts.server";
import { providerDisplayName } from "./auth/providers.server";
import { createSignupMark, type SignupMarks } from "./auth/signup-mark.server";
import { createLinkTokens, type LinkTokens } from "./http/link-tokens.server";
import { createPasswordHasher, type PasswordHasher } from "./auth/password-hashing.server";
import { createSessionCache, SESSION_CHANGED_CHANNEL, type SessionCache } from "./auth/session-cache.server";
import { createSessionService, type SessionService } from "./auth/sessions.server";
import type { Config } from "./config.server";
import { createFlashCookie, type FlashCookie } from "./http/flash.server";
import type { Logger } from "./logger.server";
import { createMaintenance, type Maintenance } from "./maintenance.server";
import { createOutbox, type Outbox, type OutboxOptions } from "./mail/outbox.server";
import { devMailboxTransport, smtpTransport } from "./mail/transport.server";
import {
  createRateLimiter,
  createRateLimits,
  KNOWN_ADDRESS_DAYS,
  type RateLimits,
} from "./security/rate-limit.server";
import { createPasskeyChallenges } from "./passkeys/challenges.server";
import { createPasskeysPlugin } from "./passkeys/passkeys-plugin.server";
import { createPasskeyService, type PasskeyService } from "./passkeys/passkeys.server";
import { createSecondStep } from "./two-factor/second-step.server";
import { createSignInChallenges } from "./two-factor/sign-in-challenges.server";
import { createTwoFactorService, type TwoFactorService } from "./two-factor/two-factor.server";
import { createTodoService, type TodoService } from "./todos/todos.server";
import { sessionCookieName } from "./auth/session-cookie";
import { createSessionResolver, type SessionResolver } from "./auth/session.server";

/** A cached session is used for at most this long, even if no change to it is ever announced. */
const SESSION_CACHE_TTL_MS = 30_000;
const SESSION_CACHE_MAX_ENTRIES = 10_000;

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
  /** What follows a change of a way to sign in: voided links, the security event, the notice mail. */
  credentialChanges: CredentialChanges;
  /** The sign-in providers linked to each account. */
  connections: ConnectionService;
  audit: AuditLog;
  accounts: AccountService;
  emailChanges: EmailChangeService;
  rateLimits: RateLimits;
  /** Deletes expired sessions, tokens, counters and old mail every few minutes, in one instance at a time. */
  maintenance: Maintenance;
  /** Sessions this process has checked lately, dropped as soon as the database announces a change. */
  sessionCache: SessionCache;
  /** better-auth's scrypt behind a bounded queue (see password-hashing.server.ts). */
  passwordHasher: PasswordHasher;
  /** Accounts whose address was never confirmed, and what becomes of them. */
  pendingAccounts: PendingAccounts;
  /** The browser a sign-up was made in. */
  signupMarks: SignupMarks;
  /** Mail links' tokens, moved out of the URL into a cookie of their page. */
  linkTokens: LinkTokens;
  /** The signed-in session a request carries (the cache, the refresh, the absolute end). */
  sessionResolver: SessionResolver;
  /** Two-step sign-in: the authenticator app and the recovery codes of each account. */
  twoFactor: TwoFactorService;
  /** Passkeys (WebAuthn): each account's, and their ceremonies. */
  passkeys: PasskeyService;
  /** Verifies the JWTs of the JSON API against our own published keys. */
  accessTokens: AccessTokenVerifier;
  /** Stops the mail worker and the maintenance, then closes the database. */
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
  const sessions = createSessionService(database.db, audit, (providerId) =>
    providerDisplayName(config, providerId),
  );
  const rateLimits = createRateLimits(createRateLimiter(database.db), (email, address) =>
    audit.hasSignedInFrom(email, address, KNOWN_ADDRESS_DAYS),
  );
  const maintenance = createMaintenance({ database, rateLimits, logger });
  maintenance.start();
  const sessionCache = createSessionCache({
    ttlMs: SESSION_CACHE_TTL_MS,
    maxEntries: SESSION_CACHE_MAX_ENTRIES,
    announce: (payload) => database.db.execute(sql`select pg_notify(${SESSION_CHANGED_CHANNEL}, ${payload})`),
  });
  // Without the subscription the cache stays off: every request asks the database, as before.
  const unlisten = await database
    // While the subscription is lost (the database restarting, say) changes may go unheard: the cache is off until it is back.
    .listen(SESSION_CHANGED_CHANNEL, sessionCache.onChange, sessionCache.onListening, sessionCache.stop)
    .catch((error: unknown) => {
      logger.warn({ err: error }, "no session change notifications: the session cache is off");
      return null;
    });
  const passwordHasher = createPasswordHasher();
  const credentialChanges = createCredentialChanges({
    db: database.db,
    mail,
    audit,
    appUrl: config.appUrl,
    providerName: (providerId) => providerDisplayName(config, providerId),
  });
  const connections = createConnectionService(database.db, credentialChanges);
  const pendingAccounts = createPendingAccounts({
    db: database.db,
    passwordHasher,
    secret: config.authSecret,
  });
  const twoFactor = createTwoFactorService({ db: database.db, secret: config.authSecret });
  const signInChallenges = createSignInChallenges(database.db);
  const secondStep = createSecondStep({
    twoFactor,
    challenges: signInChallenges,
    rateLimits,
    audit,
    credentialChanges,
  });
  const passkeys = createPasskeyService({
    db: database.db,
    challenges: createPasskeyChallenges(database.db),
    credentialChanges,
    audit,
    appUrl: config.appUrl,
    logger,
  });
  const auth = createAuth({
    db: database.db,
    config,
    logger,
    mail,
    audit,
    rateLimits,
    passwordHasher,
    connections,
    sessions,
    credentialChanges,
    pendingAccounts,
    secondStep,
    passkeysPlugin: createPasskeysPlugin({
      passkeys,
      audit,
      sessions,
      reauthMaxAgeSeconds: config.reauthMaxAgeSeconds,
    }),
  });
  return {
    twoFactor,
    passkeys,
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
    linkTokens: createLinkTokens({ secure: config.appUrl.protocol === "https:" }),
    pendingAccounts,
    signupMarks: createSignupMark({ secret: config.authSecret, secure: config.appUrl.protocol === "https:" }),
    todos: createTodoService(database.db),
    sessions,
    connections,
    accounts: createAccountService(database.db, mail, sessions),
    emailChanges: createEmailChangeService({
      db: database.db,
      mail,
      audit,
      credentialChanges,
      appUrl: config.appUrl,
    }),
    credentialChanges,
    rateLimits,
    maintenance,
    sessionCache,
    passwordHasher,
    sessionResolver: createSessionResolver({
      auth,
      sessionCache,
      cookieName: sessionCookieName(config.appUrl.protocol === "https:"),
    }),
    async close() {
      await maintenance.stop();
      sessionCache.stop();
      await unlisten?.().catch(() => {});
      await mail.stop();
      await database.close();
    },
  };
}
