import { and, asc, eq } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import { account } from "../../db/schema";
import type { AuditLog, RequestOrigin } from "../audit/audit.server";

/** better-auth's provider id for the account row that holds a password. */
export const PASSWORD_PROVIDER_ID = "credential";

/** A sign-in provider linked to a user: never its tokens. */
export interface Connection {
  providerId: string;
  connectedAt: string;
}

/** The ways a user can sign in: a password, and the providers linked to the account. */
export interface SignInMethods {
  hasPassword: boolean;
  connections: Connection[];
}

export type UnlinkResult = "unlinked" | "not-linked" | "last-method";

/**
 * A user's sign-in providers. Every query carries the owner's id. Unlinking
 * never leaves an account without a way in: the last method (no password and
 * one provider) stays.
 */
export function createConnectionService(db: AppDatabase, audit: AuditLog) {
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

        async unlink(providerId: string, origin: RequestOrigin): Promise<UnlinkResult> {
          if (providerId === PASSWORD_PROVIDER_ID) return "not-linked";
          const result = await db.transaction(async (tx) => {
            // Locks the owner's rows, so two unlinks at once cannot each leave the other as the last.
            const rows = await tx
              .select({ id: account.id, providerId: account.providerId, password: account.password })
              .from(account)
              .where(eq(account.userId, ownerId))
              .for("update");
            const target = rows.find((row) => row.providerId === providerId);
            if (!target) return "not-linked" as const;
            const remaining = rows.filter(
              (row) =>
                row.id !== target.id && (row.providerId !== PASSWORD_PROVIDER_ID || row.password !== null),
            );
            if (remaining.length === 0) return "last-method" as const;
            await tx.delete(account).where(and(eq(account.id, target.id), eq(account.userId, ownerId)));
            return "unlinked" as const;
          });
          if (result === "unlinked") await audit.record(ownerId, "provider-unlinked", origin, providerId);
          return result;
        },
      };
    },
  };
}

export type ConnectionService = ReturnType<typeof createConnectionService>;
