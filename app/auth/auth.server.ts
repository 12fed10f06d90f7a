import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { bearer, jwt } from "better-auth/plugins";
import type { AppDatabase } from "../../db/client.server";
import * as schema from "../../db/schema";
import type { Config } from "../config.server";
import { originOf, type AuditLog } from "../audit/audit.server";
import type { Logger } from "../logger.server";
import type { Outbox } from "../mail/outbox.server";
import type { RateLimits } from "../security/rate-limit.server";
import { resetPasswordMail, signupAttemptMail, verifyEmailMail } from "../mail/templates.server";
import { CLIENT_ADDRESS_HEADER } from "./client-address";
import type { PasswordHasher } from "./password-hashing.server";
import { PASSWORD_MAX_UTF16 } from "./password";
import type { ConnectionService } from "./connections.server";
import type { CredentialChanges } from "./credential-changes.server";
import type { PendingAccounts } from "./pending-accounts.server";
import { createAuthPolicy } from "./policy.server";
import { createDatabaseHooks } from "./database-hooks.server";
import type { SecondStep } from "../two-factor/second-step.server";
import type { createPasskeysPlugin } from "../passkeys/passkeys-plugin.server";
import type { SessionService } from "./sessions.server";
import { ACCOUNT_OPTIONS, openIdConnectPlugin, socialProviders } from "./providers.server";
import { COOKIE_PREFIX } from "./session-cookie";
import { SESSION_IDLE_SECONDS, SESSION_REFRESH_SECONDS } from "./session.server";

/** Access tokens (JWTs) for API clients live 15 minutes; the session is what refreshes them. */
export const ACCESS_TOKEN_SECONDS = 15 * 60;
/**
 * A new signing key every week. The previous one stays in the JWKS for a day
 * after it stops signing: far longer than any token it signed can live.
 */
const SIGNING_KEY_ROTATION_SECONDS = 7 * 24 * 60 * 60;
export const SIGNING_KEY_GRACE_SECONDS = 24 * 60 * 60;

/** Reset links work once, for an hour; verification links for a day. */
export const RESET_LINK_SECONDS = 60 * 60;
const VERIFY_LINK_SECONDS = 24 * 60 * 60;

export function createAuth({
  db,
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
  passkeysPlugin,
}: {
  db: AppDatabase;
  config: Config;
  logger: Logger;
  mail: Outbox;
  audit: AuditLog;
  rateLimits: RateLimits;
  passwordHasher: PasswordHasher;
  connections: ConnectionService;
  sessions: SessionService;
  credentialChanges: CredentialChanges;
  pendingAccounts: PendingAccounts;
  secondStep: SecondStep;
  passkeysPlugin: ReturnType<typeof createPasskeysPlugin>;
}) {
  const authLogger = logger.child({ component: "better-auth" });
  // Every link in a mail is built from APP_URL, never from the request.
  const link = (path: string, query: Record<string, string> = {}) => {
    const url = new URL(path, config.appUrl);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url.toString();
  };
  return betterAuth({
    appName: "Todo",
    baseURL: config.appUrl.origin,
    basePath: "/api/auth",
    secret: config.authSecret,
    trustedOrigins: [...config.appOrigins],
    database: drizzleAdapter(db, {
      provider: "pg",
      schema: {
        user: schema.user,
        session: schema.session,
        account: schema.account,
        verification: schema.verification,
        jwks: schema.jwks,
      },
    }),
    emailAndPassword: {
      enabled: true,
      // better-auth's own scrypt, with a bound on how many run and wait at once.
      password: passwordHasher,
      // Sign-up answers "check your inbox" whatever the address; signing in waits for the link.
      requireEmailVerification: true,
      autoSignIn: false,
      resetPasswordTokenExpiresIn: RESET_LINK_SECONDS,
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: async ({ user, token }) => {
        const rendered = resetPasswordMail({
          name: user.name,
          url: link("/reset-password", { token }),
          expiresInMinutes: RESET_LINK_SECONDS / 60,
        });
        await mail.enqueue({ ...rendered, kind: "reset-password", to: user.email });
      },
      onPasswordReset: async ({ user }, request) => {
        // The reset link proved the mailbox: a pending sign-up's address is confirmed, its old password gone.
        await pendingAccounts.confirmAfterReset(user.id);
        await credentialChanges.record(user.id, { kind: "password-reset" }, originOf(request?.headers));
        await rateLimits.signInFailures.clearAccount(user.email);
      },
      // Instead of telling the sign-up form that the address is taken, tell its owner.
      onExistingUserSignUp: async ({ user }) => {
        // A sign-up still waiting for its owner was replaced by this one (hooks.before): no such mail.
        if (!user.emailVerified) return;
        const rendered = signupAttemptMail({
          name: user.name,
          loginUrl: link("/login"),
          resetUrl: link("/forgot-password"),
        });
        await mail.enqueue({ ...rendered, kind: "signup-attempt", to: user.email });
      },
      minPasswordLength: 8,
      // Our own rules count characters (code points) and allow 128 of them; better-auth
      // counts UTF-16 units, so its ceiling is set where ours can never trip it first.
      maxPasswordLength: PASSWORD_MAX_UTF16,
    },
    emailVerification: {
      sendOnSignUp: true,
      autoSignInAfterVerification: true,
      expiresIn: VERIFY_LINK_SECONDS,
      sendVerificationEmail: async ({ user, token }) => {
        const rendered = verifyEmailMail({ name: user.name, url: link("/verify-email", { token }) });
        await mail.enqueue({ ...rendered, kind: "verify-email", to: user.email });
      },
    },
    // Sign-in with GitHub, Google or OpenID Connect (see providers.server.ts).
    socialProviders: socialProviders(config),
    account: ACCOUNT_OPTIONS,
    // They hand a provider's access token (decrypted) or its profile to whoever holds the session:
    // the app never calls the providers' APIs, so a stolen session gets nothing more from them.
    // /verify-password answers whether a password is right, with no limit and no record: over HTTP it
    // would let a stolen session guess the password the settings pages ask for (the app calls it
    // through auth.api only, after its own limit).
    disabledPaths: ["/get-access-token", "/refresh-token", "/account-info", "/verify-password"],
    // Where a failed provider sign-in lands when its own error page is unknown
    // (a state that is missing or not ours): our sign-in page, never better-auth's.
    onAPIError: { errorURL: "/login" },
    // Every way an account, a session or a link is made passes these (database-hooks.server.ts).
    databaseHooks: createDatabaseHooks({
      db,
      audit,
      sessions,
      credentialChanges,
      pendingAccounts,
      secondStep,
    }),
    session: {
      expiresIn: SESSION_IDLE_SECONDS,
      updateAge: SESSION_REFRESH_SECONDS,
      // No cookie cache: it would keep a revoked session alive for its lifetime.
      cookieCache: { enabled: false },
      // The last password check after the sign-in (reauthentication.server.ts); only the app sets it.
      // How the session's sign-in was made (second-step.server.ts): set by the app only.
      additionalFields: {
        reauthenticatedAt: { type: "date", required: false, input: false },
        signInMethod: { type: "string", required: false, input: false },
        secondFactor: { type: "string", required: false, input: false },
      },
    },
    advanced: {
      cookiePrefix: COOKIE_PREFIX,
      useSecureCookies: config.appUrl.protocol === "https:",
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
      // better-auth turns its origin and callback checks off when NODE_ENV=test: keep them on everywhere.
      disableOriginCheck: false,
      disableCSRFCheck: false,
    },
    // The security history, for the HTML pages and /api/auth/* alike.
    // The app's rules for every endpoint, for the forms and /api/auth/* alike (policy.server.ts).
    hooks: createAuthPolicy({
      config,
      mail,
      audit,
      rateLimits,
      connections,
      credentialChanges,
      pendingAccounts,
      link,
      verifyLinkSeconds: VERIFY_LINK_SECONDS,
    }),
    plugins: [
      jwt({
        jwks: {
          keyPairConfig: { alg: "EdDSA", crv: "Ed25519" },
          rotationInterval: SIGNING_KEY_ROTATION_SECONDS,
          gracePeriod: SIGNING_KEY_GRACE_SECONDS,
        },
        jwt: {
          issuer: config.appUrl.origin,
          audience: config.appUrl.origin,
          // A span (a number would be read as an absolute `exp`).
          expirationTime: `${ACCESS_TOKEN_SECONDS}s`,
          // Only the subject (the user's id): a token says who, the API looks up the rest.
          definePayload: () => ({}),
        },
        // JWTs only from GET /api/auth/token, never as a side effect of reading the session.
        disableSettingJwtHeader: true,
      }),
      // Programs hold a session token and send it as `Authorization: Bearer`, browsers a cookie.
      bearer(),
      openIdConnectPlugin(config),
      // The second step of a two-step sign-in: POST /api/auth/two-factor/verify.
      secondStep.plugin,
      // Passkeys: POST /api/auth/passkey/* (passkeys-plugin.server.ts).
      passkeysPlugin,
    ],
    // Limits are enforced by the server layer for every route, with shared counters.
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    logger: {
      level: "warn",
      log: (level, message) => authLogger[level](message),
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;
export type AuthSession = Auth["$Infer"]["Session"];
