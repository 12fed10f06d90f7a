import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import { emailChange, user } from "../../db/schema";
import type { AuditLog, RequestOrigin } from "../audit/audit.server";
import type { Outbox } from "../mail/outbox.server";
import type { CredentialChanges } from "./credential-changes.server";
import { confirmEmailChangeMail, emailChangeNoticeMail } from "../mail/templates.server";

const EMAIL_CHANGE_SECONDS = 24 * 60 * 60;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

interface Owner {
  id: string;
  name: string;
  email: string;
}

/**
 * Changing the address of an account: asked for with the current password,
 * confirmed only from the new address, announced to the old one. The link's
 * token is random and stored only as a hash; one change can wait per user.
 */
export function createEmailChangeService({
  db,
  mail,
  audit,
  credentialChanges,
  appUrl,
  now = () => new Date(),
}: {
  db: AppDatabase;
  mail: Outbox;
  audit: AuditLog;
  credentialChanges: CredentialChanges;
  appUrl: URL;
  now?: () => Date;
}) {
  const resetUrl = new URL("/forgot-password", appUrl).toString();

  return {
    /** The change waiting for confirmation, if any. */
    async pending(userId: string) {
      const [row] = await db
        .select({ newEmail: emailChange.newEmail, expiresAt: emailChange.expiresAt })
        .from(emailChange)
        .where(and(eq(emailChange.userId, userId), gt(emailChange.expiresAt, now())));
      return row ?? null;
    },

    /**
     * Records the change and mails the link. An address that already belongs to
     * an account is treated the same from outside; it just never gets a link.
     */
    async request(owner: Owner, newEmail: string, origin: RequestOrigin): Promise<void> {
      const token = randomBytes(32).toString("base64url");
      const url = new URL("/confirm-email", appUrl);
      url.searchParams.set("token", token);
      await db.transaction(async (tx) => {
        const [taken] = await tx.select({ id: user.id }).from(user).where(eq(user.email, newEmail));
        await tx.delete(emailChange).where(eq(emailChange.userId, owner.id));
        await tx.insert(emailChange).values({
          userId: owner.id,
          newEmail,
          tokenHash: hashToken(token),
          expiresAt: new Date(now().getTime() + EMAIL_CHANGE_SECONDS * 1000),
        });
        if (!taken) {
          const confirm = confirmEmailChangeMail({ name: owner.name, newEmail, url: url.toString() });
          await mail.enqueue({ ...confirm, kind: "email-change", to: newEmail }, tx);
        }
        const notice = emailChangeNoticeMail({ name: owner.name, newEmail, done: false, resetUrl });
        await mail.enqueue({ ...notice, kind: "email-change-notice", to: owner.email }, tx);
      });
      await audit.record(owner.id, "email-change-requested", origin);
    },

    async cancel(userId: string): Promise<void> {
      await db.delete(emailChange).where(eq(emailChange.userId, userId));
    },

    /**
     * Applies the change the token stands for, while it is unexpired and the
     * address still free. Opening the mail proves the new address; the change
     * itself was asked for with the password.
     */
    async confirm(token: string, origin: RequestOrigin): Promise<"changed" | "invalid"> {
      const changedUserId = await db.transaction(async (tx) => {
        const [row] = await tx
          .delete(emailChange)
          .where(and(eq(emailChange.tokenHash, hashToken(token)), gt(emailChange.expiresAt, now())))
          .returning();
        if (!row) return null;
        const [owner] = await tx.select().from(user).where(eq(user.id, row.userId));
        const [taken] = await tx.select({ id: user.id }).from(user).where(eq(user.email, row.newEmail));
        if (!owner || taken) return null;
        await tx.update(user).set({ email: row.newEmail, emailVerified: true }).where(eq(user.id, owner.id));
        const notice = emailChangeNoticeMail({
          name: owner.name,
          newEmail: row.newEmail,
          done: true,
          resetUrl,
        });
        await mail.enqueue({ ...notice, kind: "email-change-notice", to: owner.email }, tx);
        return owner.id;
      });
      if (!changedUserId) return "invalid";
      // Reset links mailed to the old address die with it.
      await credentialChanges.record(changedUserId, { kind: "email-changed" }, origin);
      return "changed";
    },
  };
}

export type EmailChangeService = ReturnType<typeof createEmailChangeService>;
