import { ActionLink, APP_NAME, P, render, type RenderedMail } from "./layout.server";

/* The mails that tell an account's owner what happened to it, with the way out if it was not them. */

export function passwordChangedMail({ name, resetUrl }: { name: string; resetUrl: string }): RenderedMail {
  return render(
    "Your password was changed",
    <>
      <P>Hello {name},</P>
      <P>The password of your {APP_NAME} account was just changed, and every other session was signed out.</P>
      <P>If this was you, there is nothing to do. If it was not, reset your password now:</P>
      <ActionLink href={resetUrl} label="Reset my password" />
    </>,
    [
      `Hello ${name},`,
      "",
      `The password of your ${APP_NAME} account was just changed, and every other session was signed out.`,
      "",
      "If this was you, there is nothing to do. If it was not, reset your password now:",
      "",
      resetUrl,
    ],
  );
}

export function goodbyeMail({ name }: { name: string }): RenderedMail {
  return render(
    "Your account has been deleted",
    <>
      <P>Hello {name},</P>
      <P>
        Your {APP_NAME} account and everything in it (your todos, sessions and history) have been deleted, as
        you asked. This address can sign up again at any time as a new account.
      </P>
      <P>Thank you for using {APP_NAME}.</P>
    </>,
    [
      `Hello ${name},`,
      "",
      `Your ${APP_NAME} account and everything in it (your todos, sessions and history) have been deleted, as you asked. This address can sign up again at any time as a new account.`,
      "",
      `Thank you for using ${APP_NAME}.`,
    ],
  );
}

export function emailChangeNoticeMail({
  name,
  newEmail,
  done,
  resetUrl,
}: {
  name: string;
  newEmail: string;
  done: boolean;
  resetUrl: string;
}) {
  const subject = done ? "Your email address was changed" : "A change of your email address was asked for";
  const what = done
    ? `The address of your ${APP_NAME} account is now ${newEmail}. Mail will no longer come here.`
    : `Someone signed in to your ${APP_NAME} account asked to change its address to ${newEmail}. Nothing changes until that address confirms.`;
  return securityNotice({ subject, name, what, resetUrl });
}

/** A notice that something changed on the account, with the way out if it was not its owner. */
function securityNotice({
  subject,
  name,
  what,
  resetUrl,
}: {
  subject: string;
  name: string;
  what: string;
  resetUrl: string;
}): RenderedMail {
  return render(
    subject,
    <>
      <P>Hello {name},</P>
      <P>{what}</P>
      <P>If this was not you, reset your password at once:</P>
      <ActionLink href={resetUrl} label="Reset my password" />
    </>,
    [`Hello ${name},`, "", what, "", "If this was not you, reset your password at once:", "", resetUrl],
  );
}

/** What a notice of a changed way to sign in says happened. */
export type SignInMethodChange =
  | { kind: "password-set" }
  | { kind: "provider-linked" | "provider-unlinked"; provider: string }
  | { kind: "passkey-added" | "passkey-removed"; name: string };

export function signInMethodNoticeMail({
  name,
  change,
  resetUrl,
}: {
  name: string;
  change: SignInMethodChange;
  resetUrl: string;
}): RenderedMail {
  const [subject, what] = ((): [string, string] => {
    switch (change.kind) {
      case "password-set":
        return [
          "A password was set on your account",
          `A password was set on your ${APP_NAME} account: it can now be signed in to with this address and that password. Every other session was signed out.`,
        ];
      case "provider-linked":
        return [
          `${change.provider} was connected to your account`,
          `Your ${APP_NAME} account can now be signed in to through ${change.provider}.`,
        ];
      case "provider-unlinked":
        return [
          `${change.provider} was disconnected from your account`,
          `Your ${APP_NAME} account can no longer be signed in to through ${change.provider}.`,
        ];
      case "passkey-added":
        return [
          "A passkey was added to your account",
          `A passkey named “${change.name}” was added to your ${APP_NAME} account: it can now sign in without a password.`,
        ];
      case "passkey-removed":
        return [
          "A passkey was removed from your account",
          `The passkey named “${change.name}” was removed from your ${APP_NAME} account: it can no longer sign in.`,
        ];
    }
  })();
  return securityNotice({ subject, name, what, resetUrl });
}

/** What a notice about two-step sign-in says happened. */
export type TwoFactorChange =
  | { kind: "two-factor-enabled" }
  | { kind: "two-factor-disabled" }
  | { kind: "recovery-codes-regenerated" }
  | { kind: "recovery-code-used"; left: number };

const codesLeft = (left: number) =>
  left === 1 ? "1 recovery code is left" : `${left} recovery codes are left`;

export function twoFactorNoticeMail({
  name,
  change,
  resetUrl,
}: {
  name: string;
  change: TwoFactorChange;
  resetUrl: string;
}): RenderedMail {
  const [subject, what] = ((): [string, string] => {
    switch (change.kind) {
      case "two-factor-enabled":
        return [
          "Two-step sign-in was turned on",
          `Two-step sign-in is now on for your ${APP_NAME} account: every sign-in asks for a code from your authenticator app.`,
        ];
      case "two-factor-disabled":
        return [
          "Two-step sign-in was turned off",
          `Two-step sign-in was turned off for your ${APP_NAME} account: your password alone now signs you in.`,
        ];
      case "recovery-codes-regenerated":
        return [
          "New recovery codes were made",
          `New recovery codes were made for your ${APP_NAME} account; the old ones no longer work.`,
        ];
      case "recovery-code-used":
        return [
          "A recovery code was used to sign in",
          `A recovery code was used to sign in to your ${APP_NAME} account; ${codesLeft(change.left)}.`,
        ];
    }
  })();
  return securityNotice({ subject, name, what, resetUrl });
}
