import Bowser from "bowser";
import { and, desc, eq, ne, sql } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import type { AuditLog, RequestOrigin } from "../audit/audit.server";
import { session } from "../../db/schema";

/** A session as its owner may see it: never its token. */
export interface SessionView {
  id: string;
  browser: string;
  os: string;
  ipAddress: string;
  createdAt: string;
  lastActiveAt: string;
  /** How it was signed in: "Password and authenticator app", "GitHub", … */
  signedInWith: string;
  current: boolean;
}

const SECOND_FACTORS: Record<string, string> = {
  authenticator: "authenticator app",
  "recovery-code": "recovery code",
};

/** How a session was signed in, in words: its first step, and its second when one was asked. */
function describeSignIn(
  method: string | null,
  secondFactor: string | null,
  providerName: (providerId: string) => string,
): string {
  const first =
    method === null
      ? "Not recorded"
      : method === "password"
        ? "Password"
        : method === "link"
          ? "Confirmation link"
          : method === "passkey"
            ? "Passkey"
            : providerName(method);
  const second = secondFactor === null ? undefined : (SECOND_FACTORS[secondFactor] ?? secondFactor);
  return second ? `${first} and ${second}` : first;
}

/** "Chrome 156" and "Linux" from a user agent, or plain words when it says nothing useful. */
export function describeUserAgent(userAgent: string | null): { browser: string; os: string } {
  if (!userAgent) return { browser: "Unknown browser", os: "Unknown system" };
  const parser = Bowser.getParser(userAgent);
  const name = parser.getBrowserName();
  const major = parser.getBrowserVersion()?.split(".")[0];
  const osName = parser.getOSName();
  const osVersion = parser.getOSVersion();
  return {
    browser: name ? `${name}${major ? ` ${major}` : ""}` : "Unknown browser",
    os: osName ? `${osName}${osVersion ? ` ${osVersion}` : ""}` : "Unknown system",
  };
}

/**
 * A user's sessions. Every query carries the owner's id, so a session of
 * someone else cannot be listed or ended through here.
 */
export function createSessionService(
  db: AppDatabase,
  audit: AuditLog,
  providerName: (providerId: string) => string,
) {
  return {
    forOwner(ownerId: string) {
      return {
        async list(currentSessionId: string): Promise<SessionView[]> {
          const rows = await db
            .select({
              id: session.id,
              userAgent: session.userAgent,
              ipAddress: session.ipAddress,
              createdAt: session.createdAt,
              updatedAt: session.updatedAt,
              signInMethod: session.signInMethod,
              secondFactor: session.secondFactor,
            })
            .from(session)
            .where(eq(session.userId, ownerId))
            .orderBy(desc(session.updatedAt), desc(session.createdAt));
          return rows.map((row) => ({
            id: row.id,
            ...describeUserAgent(row.userAgent),
            ipAddress: row.ipAddress ?? "unknown",
            createdAt: row.createdAt.toISOString(),
            lastActiveAt: row.updatedAt.toISOString(),
            signedInWith: describeSignIn(row.signInMethod, row.secondFactor, providerName),
            current: row.id === currentSessionId,
          }));
        },

        /** False when the owner has no session with this id. */
        async revoke(sessionId: string, origin: RequestOrigin): Promise<boolean> {
          const rows = await db
            .delete(session)
            .where(and(eq(session.id, sessionId), eq(session.userId, ownerId)))
            .returning({ id: session.id });
          if (rows.length > 0) await audit.record(ownerId, "session-revoked", origin);
          return rows.length > 0;
        },

        /**
         * The owner just proved it is them again (their password) in this session: it
         * may make sensitive changes for `REAUTH_MAX_AGE` seconds. False when the owner
         * has no session with this id (it ended meanwhile).
         */
        /** `factor`: "passkey" when a passkey, not the password, confirmed it (the activity says which). */
        async markReauthenticated(
          sessionId: string,
          origin: RequestOrigin,
          factor?: "passkey",
        ): Promise<boolean> {
          const rows = await db
            .update(session)
            .set({ reauthenticatedAt: sql`now()` })
            .where(and(eq(session.id, sessionId), eq(session.userId, ownerId)))
            .returning({ id: session.id });
          if (rows.length > 0) await audit.record(ownerId, "reauthenticated", origin, factor);
          return rows.length > 0;
        },

        /** Ends every session but the one given; answers how many ended. */
        async revokeOthers(keepSessionId: string, origin: RequestOrigin): Promise<number> {
          const rows = await db
            .delete(session)
            .where(and(eq(session.userId, ownerId), ne(session.id, keepSessionId)))
            .returning({ id: session.id });
          if (rows.length > 0) await audit.record(ownerId, "sessions-revoked", origin);
          return rows.length;
        },
      };
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
