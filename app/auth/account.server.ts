import { asc, desc, eq, isNotNull } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import { account, auditEvent, mailOutbox, passkey, todo, user, verification } from "../../db/schema";
import type { Outbox } from "../mail/outbox.server";
import { PASSWORD_PROVIDER_ID } from "./connections.server";
import { goodbyeMail } from "../mail/templates.server";
import type { SessionService, SessionView } from "./sessions.server";

/** The whole account as one document: what a user may take away. No token, no hash. */
export interface AccountExport {
  exportedAt: string;
  profile: { id: string; name: string; email: string; emailVerified: boolean; createdAt: string };
  todos: Array<{ id: string; title: string; completed: boolean; createdAt: string; updatedAt: string }>;
  /** How the user signs in: a password (never its hash), the connected providers, the passkeys (never their keys). */
  signIn: {
    password: boolean;
    connections: Array<{ provider: string; connectedAt: string }>;
    passkeys: Array<{ name: string; createdAt: string; lastUsedAt: string | null }>;
  };
  sessions: Array<Omit<SessionView, "current">>;
  securityEvents: Array<{
    type: string;
    at: string;
    provider: string | null;
    ipAddress: string | null;
    userAgent: string | null;
  }>;
}

export function createAccountService(db: AppDatabase, mail: Outbox, sessions: SessionService) {
  return {
    /** Whether the account still exists (an access token outlives a deletion by up to 15 minutes). */
    async exists(userId: string): Promise<boolean> {
      const [found] = await db.select({ id: user.id }).from(user).where(eq(user.id, userId));
      return found !== undefined;
    },

    async export(userId: string, currentSessionId: string): Promise<AccountExport | null> {
      const [profile] = await db.select().from(user).where(eq(user.id, userId));
      if (!profile) return null;
      const [todos, methods, passkeys, sessionList, events] = await Promise.all([
        db.select().from(todo).where(eq(todo.userId, userId)).orderBy(asc(todo.createdAt)),
        db
          .select({
            providerId: account.providerId,
            hasPassword: isNotNull(account.password),
            createdAt: account.createdAt,
          })
          .from(account)
          .where(eq(account.userId, userId))
          .orderBy(asc(account.createdAt)),
        db
          .select({ name: passkey.name, createdAt: passkey.createdAt, lastUsedAt: passkey.lastUsedAt })
          .from(passkey)
          .where(eq(passkey.userId, userId))
          .orderBy(asc(passkey.createdAt)),
        sessions.forOwner(userId).list(currentSessionId),
        db.select().from(auditEvent).where(eq(auditEvent.userId, userId)).orderBy(desc(auditEvent.createdAt)),
      ]);
      return {
        exportedAt: new Date().toISOString(),
        profile: {
          id: profile.id,
          name: profile.name,
          email: profile.email,
          emailVerified: profile.emailVerified,
          createdAt: profile.createdAt.toISOString(),
        },
        todos: todos.map((item) => ({
          id: item.id,
          title: item.title,
          completed: item.completed,
          createdAt: item.createdAt.toISOString(),
          updatedAt: item.updatedAt.toISOString(),
        })),
        signIn: {
          password: methods.some(
            (method) => method.providerId === PASSWORD_PROVIDER_ID && method.hasPassword,
          ),
          connections: methods
            .filter((method) => method.providerId !== PASSWORD_PROVIDER_ID)
            .map((method) => ({ provider: method.providerId, connectedAt: method.createdAt.toISOString() })),
          passkeys: passkeys.map((key) => ({
            name: key.name,
            createdAt: key.createdAt.toISOString(),
            lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
          })),
        },
        sessions: sessionList.map(({ current: _current, ...rest }) => rest),
        securityEvents: events.map((event) => ({
          type: event.type,
          at: event.createdAt.toISOString(),
          provider: event.provider,
          ipAddress: event.ipAddress,
          userAgent: event.userAgent,
        })),
      };
    },

    /**
     * Removes every row of the user in one transaction: the user (and through
     * it sessions, sign-in methods, todos, history, a pending address change),
     * open reset links, and mail to the address; then queues the goodbye mail
     * in the same transaction, so it is sent exactly when the deletion holds.
     */
    async delete(userId: string): Promise<boolean> {
      return db.transaction(async (tx) => {
        const [deleted] = await tx.delete(user).where(eq(user.id, userId)).returning();
        if (!deleted) return false;
        await tx.delete(verification).where(eq(verification.value, userId));
        await tx.delete(mailOutbox).where(eq(mailOutbox.to, deleted.email));
        await mail.enqueue(
          { ...goodbyeMail({ name: deleted.name }), kind: "goodbye", to: deleted.email },
          tx,
        );
        return true;
      });
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
