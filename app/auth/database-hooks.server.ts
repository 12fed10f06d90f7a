import type { BetterAuthOptions } from "better-auth";
import { originOf, type AuditLog } from "../audit/audit.server";
import type { AppDatabase } from "../../db/client.server";
import { PASSWORD_PROVIDER_ID } from "./connections.server";
import type { CredentialChanges } from "./credential-changes.server";
import type { PendingAccounts } from "./pending-accounts.server";
import { usableName } from "./schemas";
import type { SessionService } from "./sessions.server";
import type { SecondStep } from "../two-factor/second-step.server";

/** What a provider hands over and the app never uses: blanked before better-auth stores an account. */
const WITHOUT_PROVIDER_TOKENS = {
  accessToken: null,
  refreshToken: null,
  idToken: null,
  accessTokenExpiresAt: null,
  refreshTokenExpiresAt: null,
};

/** The `?error=` of a provider sign-in refused because the provider did not vouch for the address. */
export const PROVIDER_EMAIL_NOT_VOUCHED = "email_not_vouched";

/** The provider whose callback this is, when it is one (GitHub and Google, or OpenID Connect). */
function providerOfCallback(ctx: { path?: string; params?: Record<string, string | undefined> }) {
  if (ctx.path === "/callback/:id") return ctx.params?.id ?? null;
  if (ctx.path === "/oauth2/callback/:providerId") return ctx.params?.providerId ?? null;
  return null;
}

/**
 * The app's rules for the rows better-auth writes, whichever endpoint writes them: accounts made
 * only for vouched addresses, no renaming by providers, no provider tokens kept, one session per
 * browser, and every new way in recorded.
 */
export function createDatabaseHooks(deps: {
  db: AppDatabase;
  audit: AuditLog;
  sessions: SessionService;
  credentialChanges: CredentialChanges;
  pendingAccounts: PendingAccounts;
  secondStep: SecondStep;
}): NonNullable<BetterAuthOptions["databaseHooks"]> {
  const { db, audit, sessions, credentialChanges, pendingAccounts } = deps;
  return {
    user: {
      create: {
        // A provider's profile name may be missing, too long or contain control characters.
        before: async (created, ctx) => {
          // A provider that does not vouch for the address makes no account: it would hold the
          // address for whoever controls that identity before the owner ever confirmed it.
          const providerId = ctx ? providerOfCallback(ctx) : null;
          if (ctx && providerId && !created.emailVerified) {
            throw ctx.redirect(
              `/login?${new URLSearchParams({ error: PROVIDER_EMAIL_NOT_VOUCHED, provider: providerId })}`,
            );
          }
          return { data: { ...created, name: usableName(created.name, created.email) } };
        },
        // Every way an account is made: the sign-up form, /api/auth/*, a provider.
        after: async (created, ctx) => {
          await audit.record(created.id, "account-created", originOf(ctx?.headers));
        },
      },
      update: {
        // A sign-in through a provider never renames the account, nor gives it a picture.
        before: async (changes, ctx) => {
          if (!ctx || !providerOfCallback(ctx) || !("name" in changes || "image" in changes)) return;
          // better-auth merges what a hook returns into its changes: undefined leaves a column alone.
          return { data: { ...changes, name: undefined, image: undefined } };
        },
      },
    },
    session: {
      create: {
        // Every session is made here: with two-step sign-in on, only the second step makes one.
        before: (created, ctx) => deps.secondStep.gate(created, ctx),
        // Whatever made the new session (a form, /api/auth/*, a provider, a mail link), the one this
        // browser had before ends on the server: it must not live on behind the new cookie.
        after: async (created, ctx) => {
          if (!ctx) return;
          const { sessionToken } = ctx.context.authCookies;
          const previousToken = await ctx.getSignedCookie(sessionToken.name, ctx.context.secret);
          if (!previousToken || previousToken === created.token) return;
          const previous = await ctx.context.internalAdapter.findSession(previousToken);
          if (!previous) return;
          await sessions.forOwner(previous.user.id).revoke(previous.session.id, originOf(ctx.headers));
        },
      },
    },
    account: {
      create: {
        // A provider's tokens are never used here, so never kept: a database leak gives none away.
        before: async (created) => {
          // A provider vouched for the address of a sign-up never confirmed (better-auth links only
          // then): the password whoever signed up chose dies before the identity joins.
          if (created.providerId !== PASSWORD_PROVIDER_ID) {
            const owner = await db.query.user.findFirst({
              where: (row, { eq }) => eq(row.id, created.userId),
            });
            if (owner && !owner.emailVerified) await pendingAccounts.discardPendingPassword(owner.id);
          }
          return { data: { ...created, ...WITHOUT_PROVIDER_TOKENS } };
        },
        after: async (created, ctx) => {
          if (created.providerId === PASSWORD_PROVIDER_ID) return;
          const origin = originOf(ctx?.headers);
          const link = { kind: "provider-linked", providerId: created.providerId } as const;
          const accounts = ctx ? await ctx.context.internalAdapter.findAccounts(created.userId) : [];
          // Joined to an account that had other ways in: its owner is told. A new account is not.
          if (accounts.length > 1) await credentialChanges.record(created.userId, link, origin);
          else await audit.record(created.userId, link.kind, origin, link.providerId);
        },
      },
      // better-auth refreshes the tokens at every sign-in through the provider.
      update: { before: async (changes) => ({ data: { ...changes, ...WITHOUT_PROVIDER_TOKENS } }) },
    },
  };
}
