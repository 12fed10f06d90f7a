import { and, eq, like } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import { emailChange, user, verification } from "../../db/schema";
import type { AuditLog, RequestOrigin } from "../audit/audit.server";
import type { MailKind, Outbox } from "../mail/outbox.server";
import {
  passwordChangedMail,
  signInMethodNoticeMail,
  twoFactorNoticeMail,
  type RenderedMail,
} from "../mail/templates.server";

/** A change of a way to sign in, as the account's owner is told of it. */
export type CredentialChange =
  | { kind: "password-changed" }
  | { kind: "password-reset" }
  | { kind: "password-set" }
  | { kind: "email-changed" }
  | { kind: "provider-linked"; providerId: string }
  | { kind: "provider-unlinked"; providerId: string }
  | { kind: "two-factor-enabled" }
  | { kind: "two-factor-disabled" }
  | { kind: "recovery-codes-regenerated" }
  | { kind: "recovery-code-used"; left: number }
  | { kind: "passkey-added"; name: string }
  | { kind: "passkey-removed"; name: string };

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

  /** The notice mail of a change, and its kind in the outbox. */
  function noticeOf(change: CredentialChange, name: string): (RenderedMail & { kind: MailKind }) | null {
    switch (change.kind) {
      case "password-changed":
      case "password-reset":
        return { ...passwordChangedMail({ name, resetUrl }), kind: "password-changed" };
      case "password-set":
        return { ...signInMethodNoticeMail({ name, change, resetUrl }), kind: "sign-in-method-notice" };
      case "provider-linked":
      case "provider-unlinked": {
        const provider = providerName(change.providerId);
        const notice = signInMethodNoticeMail({ name, change: { kind: change.kind, provider }, resetUrl });
        return { ...notice, kind: "sign-in-method-notice" };
      }
      case "passkey-added":
      case "passkey-removed":
        return { ...signInMethodNoticeMail({ name, change, resetUrl }), kind: "sign-in-method-notice" };
      case "two-factor-enabled":
      case "two-factor-disabled":
      case "recovery-codes-regenerated":
      case "recovery-code-used":
        return { ...twoFactorNoticeMail({ name, change, resetUrl }), kind: "two-factor-notice" };
      case "email-changed":
        // The email-change service tells the old address itself.
        return null;
    }
  }

  /** Changes of a password or the address void what was asked for with the old one. */
  const VOIDING: ReadonlySet<CredentialChange["kind"]> = new Set([
    "password-changed",
    "password-reset",
    "password-set",
    "email-changed",
  ]);

  return {
    /** Records `change`, voids what it voids, and mails the notice; after the change is stored. */
    async record(userId: string, change: CredentialChange, origin: RequestOrigin): Promise<void> {
      if (VOIDING.has(change.kind)) await voidOutstanding(userId);
      const providerId = "providerId" in change ? change.providerId : undefined;
      await audit.record(userId, change.kind, origin, providerId);
      const [owner] = await db
        .select({ name: user.name, email: user.email })
        .from(user)
        .where(eq(user.id, userId));
      const notice = owner ? noticeOf(change, owner.name) : null;
      if (owner && notice) await mail.enqueue({ ...notice, to: owner.email });
    },
  };
}

export type CredentialChanges = ReturnType<typeof createCredentialChanges>;
