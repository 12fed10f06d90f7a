import {
  APIError,
  createAuthMiddleware,
  createEmailVerificationToken,
  getSessionFromCtx,
  isAPIError,
} from "better-auth/api";
import type { Config } from "../config.server";
import { originOf, type AuditLog } from "../audit/audit.server";
import type { Outbox } from "../mail/outbox.server";
import { verifyEmailMail } from "../mail/templates.server";
import { retryAfterText, type RateLimits } from "../security/rate-limit.server";
import { isSameSiteUrl } from "../security/redirect";
import { CLIENT_ADDRESS_HEADER } from "./client-address";
import { COMMON_PASSWORD_CODE, COMMON_PASSWORD_MESSAGE, isCommonPassword } from "./common-passwords.server";
import type { ConnectionService } from "./connections.server";
import type { CredentialChanges } from "./credential-changes.server";
import { NewPasswordSchema } from "./password";
import type { PendingAccounts } from "./pending-accounts.server";
import { requireRecentAuthForEndpoint } from "./reauthentication.server";
import { NameSchema } from "./schemas";

/**
 * The app's rules for better-auth's endpoints, for the forms (through `auth.api`) and
 * `/api/auth/*` alike: one small function each, and a table from path to rules. Every rule of a
 * path runs, in order; a rule refuses by throwing, changes the body by returning the fields to
 * replace, or answers in the endpoint's place. Adding a rule is adding a line to the table.
 */

type HookContext = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

/** What a `before` rule may return: fields of the body to replace, or the endpoint's answer. */
type BeforeOutcome = { body: Record<string, unknown> } | { answer: unknown } | void;
type BeforeRule = (ctx: HookContext) => Promise<BeforeOutcome> | BeforeOutcome;
type AfterRule = (ctx: HookContext) => Promise<void>;

/** The code of the 429 a sign-in gets while its account (or this address's tries at it) is held. */
export const TOO_MANY_SIGN_IN_FAILURES = "TOO_MANY_FAILED_SIGN_INS";

/** Where better-auth may send a browser afterwards, by parameter name, in a query or a body. */
const CALLBACK_PARAMETERS = ["callbackURL", "errorCallbackURL", "newUserCallbackURL", "redirectTo"];

/** The client address the server layer set; calls without one (scripts, tests) share one counter. */
const clientAddressOf = (headers: Headers | undefined) => headers?.get(CLIENT_ADDRESS_HEADER) ?? "unknown";

const refuse = (code: string, message: string) => new APIError("BAD_REQUEST", { code, message });

export interface PolicyDependencies {
  config: Config;
  mail: Outbox;
  audit: AuditLog;
  rateLimits: RateLimits;
  connections: ConnectionService;
  credentialChanges: CredentialChanges;
  pendingAccounts: PendingAccounts;
  /** An absolute link to a page of the app, built from APP_URL. */
  link: (path: string, query?: Record<string, string>) => string;
  verifyLinkSeconds: number;
}

export function createAuthPolicy(deps: PolicyDependencies) {
  const { config, audit, rateLimits } = deps;

  // ── before ─────────────────────────────────────────────────────────────────────────────────

  /** Failed sign-ins are held per account here, so that forms and the JSON API share the count. */
  const holdAccountAfterFailures: BeforeRule = async (ctx) => {
    if (typeof ctx.body?.email !== "string") return;
    const verdict = await rateLimits.signInFailures.check(ctx.body.email, clientAddressOf(ctx.headers));
    if (verdict.allowed) return;
    throw new APIError(
      "TOO_MANY_REQUESTS",
      {
        code: TOO_MANY_SIGN_IN_FAILURES,
        message: `Too many failed sign-ins to this account. Try again ${retryAfterText(verdict.retryAfterSeconds)}, or reset your password.`,
        retryAfterSeconds: verdict.retryAfterSeconds,
      },
      { "Retry-After": String(verdict.retryAfterSeconds) },
    );
  };

  /** A new password, wherever it is chosen, follows the forms' rules (in characters) and is not a common one. */
  const refuseUnusablePassword =
    (field: string): BeforeRule =>
    (ctx) => {
      const chosen: unknown = ctx.body?.[field];
      if (typeof chosen !== "string") return;
      const rules = NewPasswordSchema.safeParse(chosen);
      if (!rules.success) {
        throw refuse("INVALID_PASSWORD_LENGTH", rules.error.issues[0]?.message ?? "Invalid password");
      }
      if (isCommonPassword(chosen)) throw refuse(COMMON_PASSWORD_CODE, COMMON_PASSWORD_MESSAGE);
    };

  /** better-auth accepts any relative path, and `/..//evil.example` is one that leaves the site. */
  const refuseOffSiteCallbacks: BeforeRule = (ctx) => {
    for (const name of CALLBACK_PARAMETERS) {
      for (const value of [ctx.query?.[name], ctx.body?.[name]]) {
        if (value !== undefined && !isSameSiteUrl(value, config.appUrl.origin)) {
          throw refuse("INVALID_CALLBACK_URL", `${name} must be a page of this site`);
        }
      }
    }
  };

  /**
   * An ID token posted to /sign-in/social or /link-social signs in (or links) with no state, PKCE
   * or one-time code, and works again until it expires: only the provider's own page is a way in.
   */
  const refuseIdTokenSignIn: BeforeRule = (ctx) => {
    if (ctx.body?.idToken !== undefined) {
      throw refuse("ID_TOKEN_SIGN_IN_DISABLED", "Sign in through the provider's own page.");
    }
  };

  /** Only the fields the forms offer: anything else better-auth would store as sent (an `image` of any size). */
  const onlyFields =
    (...fields: string[]): BeforeRule =>
    (ctx) => {
      if (typeof ctx.body !== "object" || ctx.body === null) return;
      const extra = Object.keys(ctx.body).filter((key) => !fields.includes(key));
      if (extra.length > 0)
        throw refuse("FIELD_NOT_ALLOWED", `Not a field that can be set: ${extra.join(", ")}`);
    };

  /** A name set through the JSON API follows the forms' rules (length, no NUL), trimmed as they trim it. */
  const normalizeName: BeforeRule = (ctx) => {
    if (ctx.body?.name === undefined) return;
    const name = NameSchema.safeParse(ctx.body.name);
    if (!name.success) throw refuse("INVALID_NAME", name.error.issues[0]?.message ?? "Invalid name");
    return { body: { name: name.data } };
  };

  /** A password change ends every other session, whoever calls it (form or JSON API). */
  const endOtherSessionsOnPasswordChange: BeforeRule = () => ({ body: { revokeOtherSessions: true } });

  /**
   * better-auth's own unlink removes any row, the password's too, and counts the rest without a
   * lock: a stolen session could remove the password and then "set" one. The settings' rules answer.
   */
  const unlinkThroughConnections: BeforeRule = async (ctx) => {
    const current = await getSessionFromCtx(ctx);
    if (!current) throw new APIError("UNAUTHORIZED", { code: "UNAUTHORIZED", message: "Sign in first." });
    const accountId: unknown = ctx.body?.accountId;
    const result =
      typeof accountId === "string" && accountId.length <= 255
        ? await deps.connections.forOwner(current.user.id).unlinkAccount(accountId, originOf(ctx.headers))
        : "not-linked";
    switch (result) {
      case "unlinked":
        return { answer: ctx.json({ status: true }) };
      case "not-linked":
        throw refuse("ACCOUNT_NOT_FOUND", "Account not found");
      case "password":
        throw refuse("PASSWORD_NOT_UNLINKABLE", "A password is changed on the password page, not unlinked.");
      case "last-method":
        throw refuse(
          "FAILED_TO_UNLINK_LAST_ACCOUNT",
          "This is the only way you can sign in. Set a password, connect another provider or add a passkey first.",
        );
    }
  };

  const recordSignOut: BeforeRule = async (ctx) => {
    const current = await getSessionFromCtx(ctx);
    if (current) await audit.record(current.user.id, "sign-out", originOf(ctx.headers));
  };

  /**
   * better-auth's own confirmation link confirms on a GET and signs in, past the confirmation
   * page's button and its check on a pending sign-up's password: only that page may confirm.
   */
  const confirmOnlyThroughThePage: BeforeRule = (ctx) => {
    if (ctx.request)
      throw new APIError("NOT_FOUND", { code: "NOT_FOUND", message: "Open the link from the mail." });
  };

  /** Sudo mode for programs: the endpoints that make sensitive changes need a recent authentication. */
  const requireRecentAuth: BeforeRule = (ctx) =>
    requireRecentAuthForEndpoint(ctx, config.reauthMaxAgeSeconds);

  const BEFORE: { everyPath: BeforeRule[]; byPath: Record<string, BeforeRule[]> } = {
    everyPath: [requireRecentAuth, refuseOffSiteCallbacks],
    byPath: {
      "/sign-in/email": [holdAccountAfterFailures],
      "/sign-up/email": [
        onlyFields("name", "email", "password", "callbackURL", "rememberMe"),
        refuseUnusablePassword("password"),
        normalizeName,
      ],
      "/reset-password": [refuseUnusablePassword("newPassword")],
      "/change-password": [refuseUnusablePassword("newPassword"), endOtherSessionsOnPasswordChange],
      "/set-password": [refuseUnusablePassword("newPassword")],
      "/update-user": [onlyFields("name"), normalizeName],
      "/sign-in/social": [refuseIdTokenSignIn],
      "/link-social": [refuseIdTokenSignIn],
      "/unlink-account": [unlinkThroughConnections],
      "/sign-out": [recordSignOut],
      "/verify-email": [confirmOnlyThroughThePage],
    },
  };

  // ── after ──────────────────────────────────────────────────────────────────────────────────

  const signedInUserId = (ctx: HookContext) => ctx.context.newSession?.user.id;
  const failed = (ctx: HookContext) => isAPIError(ctx.context.returned);

  const recordSignInOutcome: AfterRule = async (ctx) => {
    const email: unknown = ctx.body?.email;
    if (typeof email !== "string") return;
    const origin = originOf(ctx.headers);
    const address = clientAddressOf(ctx.headers);
    const signedIn = signedInUserId(ctx);
    if (signedIn) {
      await audit.record(signedIn, "sign-in", origin);
      await rateLimits.signInFailures.clearAddress(email, address);
    }
    const refusal = ctx.context.returned;
    // Only a wrong password is a failed sign-in (a 503 checked nothing), and only it counts toward the limits.
    if (isAPIError(refusal) && refusal.statusCode === 401) {
      await audit.recordForEmail(email, "sign-in-failed", origin);
      await rateLimits.signInFailures.recordFailure(email, address);
    }
    // The right password, refused until the address is confirmed: shown as what it is, not as a failure.
    if (isAPIError(refusal) && refusal.body?.code === "EMAIL_NOT_VERIFIED") {
      await audit.recordForEmail(email, "sign-in-unconfirmed", origin);
    }
  };

  /** A sign-up for an address still waiting for its owner replaces the pending password and name (decision 002). */
  const replacePendingSignUp: AfterRule = async (ctx) => {
    if (failed(ctx)) return;
    const returned: unknown = ctx.context.returned;
    const answered =
      typeof returned === "object" && returned !== null && "user" in returned ? returned.user : null;
    const answeredId =
      typeof answered === "object" && answered !== null && "id" in answered ? answered.id : null;
    // A taken address is answered with a made-up user that is not stored (the same answer as a new one).
    if (typeof answeredId !== "string" || (await ctx.context.internalAdapter.findUserById(answeredId)))
      return;
    const { email, name, password } = ctx.body as { email: string; name: string; password: string };
    const pending = await deps.pendingAccounts.find(email);
    if (!pending) return;
    await deps.pendingAccounts.replaceOnSignUp(pending, { name, password });
    const token = await createEmailVerificationToken(
      config.authSecret,
      pending.email,
      undefined,
      deps.verifyLinkSeconds,
    );
    const rendered = verifyEmailMail({ name, url: deps.link("/verify-email", { token }) });
    await deps.mail.enqueue({ ...rendered, kind: "verify-email", to: pending.email });
  };

  const recordConfirmation: AfterRule = async (ctx) => {
    const signedIn = signedInUserId(ctx);
    if (!signedIn || failed(ctx)) return;
    const origin = originOf(ctx.headers);
    await audit.record(signedIn, "email-verified", origin);
    await audit.record(signedIn, "sign-in", origin);
  };

  /** A sign-in through a provider (a link answers with no new session). */
  const recordProviderSignIn: AfterRule = async (ctx) => {
    const signedIn = signedInUserId(ctx);
    if (signedIn) await audit.record(signedIn, "sign-in", originOf(ctx.headers), ctx.params?.id);
  };

  const followPasswordChange: AfterRule = async (ctx) => {
    const changed = ctx.context.newSession?.user;
    if (!changed || failed(ctx)) return;
    await deps.credentialChanges.record(changed.id, { kind: "password-changed" }, originOf(ctx.headers));
  };

  const AFTER: Record<string, AfterRule[]> = {
    "/sign-in/email": [recordSignInOutcome],
    "/sign-up/email": [replacePendingSignUp],
    "/verify-email": [recordConfirmation],
    "/callback/:id": [recordProviderSignIn],
    "/change-password": [followPasswordChange],
  };

  return {
    before: createAuthMiddleware(async (ctx) => {
      const replaced: Record<string, unknown> = {};
      for (const rule of [...BEFORE.everyPath, ...(BEFORE.byPath[ctx.path] ?? [])]) {
        const outcome = await rule(ctx);
        if (outcome && "answer" in outcome) return outcome.answer;
        if (outcome) Object.assign(replaced, outcome.body);
      }
      if (Object.keys(replaced).length > 0) return { context: { body: { ...ctx.body, ...replaced } } };
    }),
    after: createAuthMiddleware(async (ctx) => {
      for (const rule of AFTER[ctx.path] ?? []) await rule(ctx);
    }),
  };
}
