import { and, eq, like } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import { emailChange, user, verification } from "../../db/schema";
import type { AuditLog, RequestOrigin } from "../audit/audit.server";
import type { Outbox } from "../mail/outbox.server";
import { passwordChangedMail, signInMethodNoticeMail } from "../mail/templates.server";

/** A change of a way to sign in, as the account's owner is told of it. */
export type CredentialChange =
  | { kind: "password-changed" }
  | { kind: "password-reset" }
  | { kind: "password-set" }
  | { kind: "email-changed" }
  | { kind: "provider-linked"; providerId: string }
  | { kind: "provider-unlinked"; providerId: string };

/**
 * What follows every change of a way to sign in, whichever flow made it: what
 * was asked for before it no longer holds, and the owner hears of it.
 * - A new or reset password, and a new address, void the account's pending address change and its
 *   outstanding reset links: a link or change asked for with the old credentials (perhaps by
 *   whoever stole them) must not outlive them.
 * - Each is recorded in the security activity and announced by mail to the account's address
 *   (an address change is announced to the old address by the email-change service itself).
 */
export function createCredentialChanges({
  db,
  mail,
  audit,
  appUrl,
  providerName,
}: {
  db: AppDatabase;
  mail: Outbox;
  audit: AuditLog;
  appUrl: URL;
  /** How a provider's id reads in a mail ("GitHub"). */
  providerName: (providerId: string) => string;
}) {
  const resetUrl = new URL("/forgot-password", appUrl).toString();

  /** Voids the pending address change and the outstanding reset links of an account. */
  async function voidOutstanding(userId: string): Promise<void> {
    await db.delete(emailChange).where(eq(emailChange.userId, userId));
    // better-auth keeps a reset link as `reset-password:<token>` holding the user's id.
    await db
      .delete(verification)
      .where(and(like(verification.identifier, "reset-password:%"), eq(verification.value, userId)));
  }

  return {
    /** Records `change`, voids what it voids, and mails the notice; after the change is stored. */
    async record(userId: string, change: CredentialChange, origin: RequestOrigin): Promise<void> {
      const voids = change.kind !== "provider-linked" && change.kind !== "provider-unlinked";
      if (voids) await voidOutstanding(userId);
      const providerId = "providerId" in change ? change.providerId : undefined;
      await audit.record(userId, change.kind, origin, providerId);
      if (change.kind === "email-changed") return;
      const [owner] = await db
        .select({ name: user.name, email: user.email })
        .from(user)
        .where(eq(user.id, userId));
      if (!owner) return;
      const notice =
        change.kind === "password-changed" || change.kind === "password-reset"
          ? passwordChangedMail({ name: owner.name, resetUrl })
          : signInMethodNoticeMail({
              name: owner.name,
              change:
                change.kind === "password-set"
                  ? change
                  : { kind: change.kind, provider: providerName(change.providerId) },
              resetUrl,
            });
      const kind =
        change.kind === "password-changed" || change.kind === "password-reset"
          ? "password-changed"
          : "sign-in-method-notice";
      await mail.enqueue({ ...notice, kind, to: owner.email });
    },
  };
}

export type CredentialChanges = ReturnType<typeof createCredentialChanges>;
