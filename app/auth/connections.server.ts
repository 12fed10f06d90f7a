import { and, asc, count, eq } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import { account, passkey, user } from "../../db/schema";
import type { RequestOrigin } from "../audit/audit.server";
import type { CredentialChanges } from "./credential-changes.server";

/** better-auth's provider id for the account row that holds a password. */
export const PASSWORD_PROVIDER_ID = "credential";

/** A sign-in provider linked to a user: never its tokens. */
interface Connection {
  providerId: string;
  connectedAt: string;
}

/** The ways a user can sign in: a password, and the providers linked to the account. */
export interface SignInMethods {
  hasPassword: boolean;
  connections: Connection[];
  passkeys: number;
}

type Transaction = Parameters<Parameters<AppDatabase["transaction"]>[0]>[0];

/**
 * Locks the owner's user row, then counts the ways in besides the one being removed: every
 * removal of a way in (a provider, a passkey) takes this lock first, so two at once cannot each
 * leave the other as the last.
 */
export async function lockWaysIn(tx: Transaction, ownerId: string) {
  await tx.select({ id: user.id }).from(user).where(eq(user.id, ownerId)).for("update");
  const accounts = await tx
    .select({ id: account.id, providerId: account.providerId, password: account.password })
    .from(account)
    .where(eq(account.userId, ownerId));
  const [passkeys] = await tx.select({ n: count() }).from(passkey).where(eq(passkey.userId, ownerId));
  const usable = accounts.filter((row) => row.providerId !== PASSWORD_PROVIDER_ID || row.password !== null);
  return { accounts, usableAccounts: usable.length, passkeys: passkeys?.n ?? 0 };
}

/** "password": the row named is the password's, which is changed, never unlinked. */
export type UnlinkResult = "unlinked" | "not-linked" | "last-method" | "password";

interface AccountRow {
  id: string;
  providerId: string;
  password: string | null;
}

/**
 * A user's sign-in providers. Every query carries the owner's id. Unlinking
 * never leaves an account without a way in: the last method (no password, no
 * passkey and one provider) stays.
 */
export function createConnectionService(db: AppDatabase, credentialChanges: CredentialChanges) {
  /** Removes the owner's provider row that `matches`, unless it is the last way in. */
  async function unlinkWhere(
    ownerId: string,
    matches: (row: AccountRow) => boolean,
    origin: RequestOrigin,
  ): Promise<UnlinkResult> {
    const result = await db.transaction(async (tx) => {
      const ways = await lockWaysIn(tx, ownerId);
      const rows: AccountRow[] = ways.accounts;
      const target = rows.find(matches);
      if (!target) return { outcome: "not-linked" as const };
      if (target.providerId === PASSWORD_PROVIDER_ID) return { outcome: "password" as const };
      const remaining = rows.filter(
        (row) => row.id !== target.id && (row.providerId !== PASSWORD_PROVIDER_ID || row.password !== null),
      );
      if (remaining.length === 0 && ways.passkeys === 0) return { outcome: "last-method" as const };
      await tx.delete(account).where(and(eq(account.id, target.id), eq(account.userId, ownerId)));
      return { outcome: "unlinked" as const, providerId: target.providerId };
    });
    if (result.outcome === "unlinked") {
      await credentialChanges.record(
        ownerId,
        { kind: "provider-unlinked", providerId: result.providerId },
        origin,
      );
    }
    return result.outcome;
  }

  return {
    forOwner(ownerId: string) {
      return {
        async signInMethods(): Promise<SignInMethods> {
          const rows = await db
            .select({
              providerId: account.providerId,
              password: account.password,
              createdAt: account.createdAt,
            })
            .from(account)
            .where(eq(account.userId, ownerId))
            .orderBy(asc(account.createdAt));
          const [passkeys] = await db.select({ n: count() }).from(passkey).where(eq(passkey.userId, ownerId));
          return {
            passkeys: passkeys?.n ?? 0,
            hasPassword: rows.some((row) => row.providerId === PASSWORD_PROVIDER_ID && row.password !== null),
            connections: rows
              .filter((row) => row.providerId !== PASSWORD_PROVIDER_ID)
              .map((row) => ({ providerId: row.providerId, connectedAt: row.createdAt.toISOString() })),
          };
        },

        /** Unlinks the provider by its id ("github"), as the settings page names it. */
        unlink(providerId: string, origin: RequestOrigin): Promise<UnlinkResult> {
          return unlinkWhere(ownerId, (row) => row.providerId === providerId, origin);
        },

        /**
         * Unlinks by the account row's id, as better-auth's /unlink-account
         * names it. A password is not a connection: it is changed, never
         * unlinked (else a stolen session could remove it, then "set" a new
         * one without knowing the old).
         */
        unlinkAccount(accountId: string, origin: RequestOrigin): Promise<UnlinkResult> {
          return unlinkWhere(ownerId, (row) => row.id === accountId, origin);
        },
      };
    },
  };
}

export type ConnectionService = ReturnType<typeof createConnectionService>;
