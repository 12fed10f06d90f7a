import { and, desc, eq, gt, sql } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import { auditEvent, user } from "../../db/schema";
import { CLIENT_ADDRESS_HEADER } from "../auth/client-address";
import type { Logger } from "../logger.server";

export const AUDIT_EVENT_TYPES = {
  "account-created": "Account created",
  "sign-in": "Signed in",
  "sign-in-failed": "Failed sign-in",
  "sign-in-unconfirmed": "Sign-in refused: address not confirmed yet",
  "sign-out": "Signed out",
  "email-verified": "Email address confirmed",
  "password-changed": "Password changed",
  "password-reset": "Password reset by mail",
  "email-change-requested": "Email change asked for",
  "email-changed": "Email address changed",
  "session-revoked": "Session signed out",
  "sessions-revoked": "Other sessions signed out",
  "provider-linked": "Sign-in provider connected",
  "provider-unlinked": "Sign-in provider disconnected",
  "password-set": "Password set",
  reauthenticated: "Password confirmed for a sensitive change",
  "sign-in-second-step": "Sign-in waiting for a two-step code",
  "sign-in-second-step-failed": "Wrong two-step code",
  "two-factor-enabled": "Two-step sign-in turned on",
  "two-factor-disabled": "Two-step sign-in turned off",
  "recovery-codes-regenerated": "New recovery codes made",
  "recovery-code-used": "Recovery code used",
  "passkey-added": "Passkey added",
  "passkey-renamed": "Passkey renamed",
  "passkey-removed": "Passkey removed",
} as const;
export type AuditEventType = keyof typeof AUDIT_EVENT_TYPES;

/** Where a request came from, as the server layer established it. */
export interface RequestOrigin {
  ipAddress: string | null;
  userAgent: string | null;
}

export const originOf = (headers: Headers | null | undefined): RequestOrigin => ({
  ipAddress: headers?.get(CLIENT_ADDRESS_HEADER) ?? null,
  userAgent: headers?.get("user-agent")?.slice(0, 512) ?? null,
});

/**
 * The security history of each account. Recording never fails the action that
 * caused the event: a lost history line is logged, the user's request goes on.
 */
export function createAuditLog(db: AppDatabase, logger: Logger) {
  /** `provider`: the sign-in provider the event concerns (a sign-in through it, a link), if any. */
  async function record(userId: string, type: AuditEventType, origin: RequestOrigin, provider?: string) {
    try {
      await db.insert(auditEvent).values({ userId, type, ...origin, provider: provider ?? null });
    } catch (error) {
      logger.error({ err: error, type }, "could not record a security event");
    }
  }

  return {
    record,

    /** For events known only by the address typed (a failed sign-in): recorded when it has an account. */
    async recordForEmail(email: string, type: AuditEventType, origin: RequestOrigin) {
      const [owner] = await db
        .select({ id: user.id })
        .from(user)
        .where(eq(user.email, email.trim().toLowerCase()));
      if (owner) await record(owner.id, type, origin);
    },

    /** Whether the account with this address has signed in from `ipAddress` in the last `days`. */
    async hasSignedInFrom(email: string, ipAddress: string, days: number): Promise<boolean> {
      const [found] = await db
        .select({ id: auditEvent.id })
        .from(auditEvent)
        .innerJoin(user, eq(user.id, auditEvent.userId))
        .where(
          and(
            eq(user.email, email.trim().toLowerCase()),
            eq(auditEvent.type, "sign-in"),
            eq(auditEvent.ipAddress, ipAddress),
            gt(auditEvent.createdAt, sql`now() - make_interval(days => ${days})`),
          ),
        )
        .limit(1);
      return found !== undefined;
    },

    forOwner(ownerId: string) {
      return {
        recent(limit = 50) {
          return db
            .select()
            .from(auditEvent)
            .where(eq(auditEvent.userId, ownerId))
            .orderBy(desc(auditEvent.createdAt))
            .limit(limit);
        },
      };
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
