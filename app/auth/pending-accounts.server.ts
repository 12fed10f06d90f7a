import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { jwtVerify } from "jose";
import type { AppDatabase } from "../../db/client.server";
import { account, user } from "../../db/schema";
import { PASSWORD_PROVIDER_ID } from "./connections.server";
import type { PasswordHasher } from "./password-hashing.server";
import { usableName } from "./schemas";

/** An account whose address was never confirmed: a sign-up waiting for its owner. */
export interface PendingAccount {
  userId: string;
  email: string;
  /**
   * Stands for the password chosen at sign-up (a hash of its hash), so that a
   * browser's mark of its own sign-up stops matching once the password is replaced.
   */
  version: string;
}

/**
 * An address that was never confirmed has no owner yet (docs/decisions/002-pending-accounts.md).
 * Whoever signed up with it chose a password without proving the mailbox; the
 * person who proves the mailbox decides what becomes of it:
 * - the confirmation link confirms at once only in the browser that made this very sign-up;
 *   anywhere else it asks for that password, or for a new one that replaces it;
 * - a new sign-up with the address replaces the pending password and name;
 * - a password reset replaces it and confirms the address;
 * - a provider that vouches for the address discards it and joins the account.
 */
export function createPendingAccounts({
  db,
  passwordHasher,
  secret,
}: {
  db: AppDatabase;
  passwordHasher: PasswordHasher;
  secret: string;
}) {
  const versionOf = (passwordHash: string) =>
    createHash("sha256").update(passwordHash).digest("base64url").slice(0, 22);

  async function find(email: string): Promise<PendingAccount | null> {
    const [row] = await db
      .select({ userId: user.id, email: user.email, verified: user.emailVerified, hash: account.password })
      .from(user)
      .innerJoin(account, and(eq(account.userId, user.id), eq(account.providerId, PASSWORD_PROVIDER_ID)))
      .where(eq(user.email, email.trim().toLowerCase()));
    if (!row || row.verified || row.hash === null) return null;
    return { userId: row.userId, email: row.email, version: versionOf(row.hash) };
  }

  async function setPassword(userId: string, password: string) {
    const hash = await passwordHasher.hash(password);
    await db
      .update(account)
      .set({ password: hash, updatedAt: new Date() })
      .where(and(eq(account.userId, userId), eq(account.providerId, PASSWORD_PROVIDER_ID)));
  }

  return {
    find,

    /**
     * The address a confirmation link stands for, when its signature holds (better-auth's
     * token, an HS256 JWT signed with our secret); better-auth checks it again when it confirms.
     */
    async addressOfLink(token: string): Promise<string | null> {
      try {
        const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
          algorithms: ["HS256"],
        });
        return typeof payload.email === "string" ? payload.email.toLowerCase() : null;
      } catch {
        return null;
      }
    },

    /** Whether `password` is the one chosen at sign-up for this pending account. */
    async isPendingPassword(pending: PendingAccount, password: string): Promise<boolean> {
      const [row] = await db
        .select({ hash: account.password })
        .from(account)
        .where(and(eq(account.userId, pending.userId), eq(account.providerId, PASSWORD_PROVIDER_ID)));
      return row?.hash ? passwordHasher.verify({ hash: row.hash, password }) : false;
    },

    /** The mailbox's owner chose another password: the one set before confirmation no longer works. */
    replacePassword: (pending: PendingAccount, password: string) => setPassword(pending.userId, password),

    /** A new sign-up for an address still unconfirmed: its password and name replace the pending ones. */
    async replaceOnSignUp(pending: PendingAccount, { name, password }: { name: string; password: string }) {
      await setPassword(pending.userId, password);
      await db.update(user).set({ name, updatedAt: new Date() }).where(eq(user.id, pending.userId));
    },

    /**
     * A provider vouched for the address of a pending account: the password whoever signed
     * up chose is discarded before the provider's identity joins the account.
     */
    async discardPendingPassword(userId: string): Promise<void> {
      await db
        .delete(account)
        .where(and(eq(account.userId, userId), eq(account.providerId, PASSWORD_PROVIDER_ID)));
      // Nor does the name whoever signed up chose stay; the owner can set theirs in the profile.
      const [owner] = await db.select({ email: user.email }).from(user).where(eq(user.id, userId));
      if (owner) {
        await db
          .update(user)
          .set({ name: usableName("", owner.email), updatedAt: new Date() })
          .where(eq(user.id, userId));
      }
    },

    /** A reset by mail proves the mailbox: the address is confirmed with the new password. */
    async confirmAfterReset(userId: string): Promise<void> {
      await db
        .update(user)
        .set({ emailVerified: true, updatedAt: new Date() })
        .where(and(eq(user.id, userId), eq(user.emailVerified, false)));
    },
  };
}

export type PendingAccounts = ReturnType<typeof createPendingAccounts>;
