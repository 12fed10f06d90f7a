import { and, asc, count, eq } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import { passkey } from "../../db/schema";
import type { AuditLog, RequestOrigin } from "../audit/audit.server";
import { lockWaysIn } from "../auth/connections.server";
import type { CredentialChanges } from "../auth/credential-changes.server";

type PasskeyKind = "synced" | "device-bound";

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  kind: PasskeyKind;
}

type RemoveResult = "removed" | "not-found" | "last-method";

/** An account's passkeys as its owner sees and changes them: every query carries the owner's id. */
export function createOwnedPasskeys({
  db,
  audit,
  credentialChanges,
}: {
  db: AppDatabase;
  audit: AuditLog;
  credentialChanges: CredentialChanges;
}) {
  const rowsOf = (userId: string) =>
    db.select().from(passkey).where(eq(passkey.userId, userId)).orderBy(asc(passkey.createdAt));
  return {
    forOwner(ownerId: string) {
      return {
        async count(): Promise<number> {
          const [row] = await db.select({ n: count() }).from(passkey).where(eq(passkey.userId, ownerId));
          return row?.n ?? 0;
        },

        async list(): Promise<PasskeyView[]> {
          const rows = await rowsOf(ownerId);
          return rows.map((row) => ({
            id: row.id,
            name: row.name,
            createdAt: row.createdAt.toISOString(),
            lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
            kind: row.deviceType === "multiDevice" && row.backedUp ? "synced" : "device-bound",
          }));
        },

        /** Renames one of the owner's passkeys; false when it is not theirs (or not there). */
        async rename(id: string, name: string, requestOrigin: RequestOrigin): Promise<boolean> {
          const renamed = await db
            .update(passkey)
            .set({ name })
            .where(and(eq(passkey.id, id), eq(passkey.userId, ownerId)))
            .returning({ id: passkey.id });
          if (renamed.length === 1) await audit.record(ownerId, "passkey-renamed", requestOrigin);
          return renamed.length === 1;
        },

        /** Removes one of the owner's passkeys, unless it is the last way in. */
        async remove(id: string, requestOrigin: RequestOrigin): Promise<RemoveResult> {
          const result = await db.transaction(async (tx) => {
            const ways = await lockWaysIn(tx, ownerId);
            const [target] = await tx
              .select({ id: passkey.id, name: passkey.name })
              .from(passkey)
              .where(and(eq(passkey.id, id), eq(passkey.userId, ownerId)));
            if (!target) return { outcome: "not-found" as const };
            if (ways.usableAccounts === 0 && ways.passkeys <= 1) return { outcome: "last-method" as const };
            await tx.delete(passkey).where(and(eq(passkey.id, id), eq(passkey.userId, ownerId)));
            return { outcome: "removed" as const, name: target.name };
          });
          if (result.outcome === "removed") {
            await credentialChanges.record(
              ownerId,
              { kind: "passkey-removed", name: result.name },
              requestOrigin,
            );
          }
          return result.outcome;
        },
      };
    },
  };
}
