import { and, asc, eq } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import { account } from "../../db/schema";
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
 * never leaves an account without a way in: the last method (no password and
 * one provider) stays.
 */
export function createConnectionService(db: AppDatabase, credentialChanges: CredentialChanges) {
  /** Removes the owner's provider row that `matches`, unless it is the last way in. */
  async function unlinkWhere(
    ownerId: string,
    matches: (row: AccountRow) => boolean,
    origin: RequestOrigin,
  ): Promise<UnlinkResult> {
    const result = await db.transaction(async (tx) => {
      // Locks the owner's rows, so two unlinks at once cannot each leave the other as the last.
      const rows = await tx
        .select({ id: account.id, providerId: account.providerId, password: account.password })
        .from(account)
        .where(eq(account.userId, ownerId))
        .for("update");
      const target = rows.find(matches);
      if (!target) return { outcome: "not-linked" as const };
      if (target.providerId === PASSWORD_PROVIDER_ID) return { outcome: "password" as const };
      const remaining = rows.filter(
        (row) => row.id !== target.id && (row.providerId !== PASSWORD_PROVIDER_ID || row.password !== null),
      );
      if (remaining.length === 0) return { outcome: "last-method" as const };
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
          return {
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
