import type { CSSProperties, ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";

/**
 * Every mail the app sends, as components: an HTML part (inline styles, the
 * only kind mail clients honour) and a plain-text part written to be read as
 * text. Links are absolute URLs the caller builds from `APP_URL`.
 */

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

const APP_NAME = "Todo";

const style = {
  body: {
    margin: 0,
    padding: "24px 12px",
    background: "#f5f6f8",
    fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    color: "#1b2130",
  },
  card: {
    maxWidth: 520,
    margin: "0 auto",
    background: "#ffffff",
    border: "1px solid #d5dae3",
    borderRadius: 12,
    padding: 28,
  },
  brand: { fontSize: 18, fontWeight: 700, margin: "0 0 20px", color: "#1f55c4" },
  heading: { fontSize: 22, lineHeight: 1.3, margin: "0 0 16px" },
  text: { fontSize: 16, lineHeight: 1.5, margin: "0 0 16px" },
  button: {
    display: "inline-block",
    background: "#1f55c4",
    color: "#ffffff",
    textDecoration: "none",
    fontWeight: 600,
    padding: "12px 20px",
    borderRadius: 10,
  },
  small: { fontSize: 13, lineHeight: 1.5, color: "#566072", margin: "16px 0 0", wordBreak: "break-all" },
} satisfies Record<string, CSSProperties>;

function MailLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
      </head>
      <body style={style.body}>
        <div style={style.card}>
          <p style={style.brand}>✓ {APP_NAME}</p>
          <h1 style={style.heading}>{title}</h1>
          {children}
        </div>
      </body>
    </html>
  );
}

const P = ({ children }: { children: ReactNode }) => <p style={style.text}>{children}</p>;

function ActionLink({ href, label }: { href: string; label: string }) {
  return (
    <>
      <p style={style.text}>
        <a href={href} style={style.button}>
          {label}
        </a>
      </p>
      <p style={style.small}>
        If the button does not work, copy this address into your browser:
        <br />
        <a href={href}>{href}</a>
      </p>
    </>
  );
}

function render(subject: string, body: ReactNode, text: string[]): RenderedMail {
  return {
    subject,
    html: `<!doctype html>${renderToStaticMarkup(<MailLayout title={subject}>{body}</MailLayout>)}`,
    text: [...text, "", `— ${APP_NAME}`].join("\n"),
  };
}

export function verifyEmailMail({ name, url }: { name: string; url: string }): RenderedMail {
  return render(
    "Confirm your email address",
    <>
      <P>Hello {name},</P>
      <P>Please confirm that this is your address to finish creating your {APP_NAME} account.</P>
      <ActionLink href={url} label="Confirm my address" />
      <p style={style.small}>The link works for 24 hours. If you did not sign up, ignore this mail.</p>
    </>,
    [
      `Hello ${name},`,
      "",
      `Please confirm that this is your address to finish creating your ${APP_NAME} account:`,
      "",
      url,
      "",
      "The link works for 24 hours. If you did not sign up, ignore this mail.",
    ],
  );
}

export function resetPasswordMail({
  name,
  url,
  expiresInMinutes,
}: {
  name: string;
  url: string;
  expiresInMinutes: number;
}): RenderedMail {
  return render(
    "Reset your password",
    <>
      <P>Hello {name},</P>
      <P>Someone, hopefully you, asked to reset the password of your {APP_NAME} account.</P>
      <ActionLink href={url} label="Choose a new password" />
      <p style={style.small}>
        The link works once, for {expiresInMinutes} minutes. If you did not ask, ignore this mail: your
        password stays as it is.
      </p>
    </>,
    [
      `Hello ${name},`,
      "",
      `Someone, hopefully you, asked to reset the password of your ${APP_NAME} account. Choose a new one here:`,
      "",
      url,
      "",
      `The link works once, for ${expiresInMinutes} minutes. If you did not ask, ignore this mail: your password stays as it is.`,
    ],
  );
}

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

export function signupAttemptMail({
  name,
  loginUrl,
  resetUrl,
}: {
  name: string;
  loginUrl: string;
  resetUrl: string;
}): RenderedMail {
  return render(
    "Someone tried to sign up with your address",
    <>
      <P>Hello {name},</P>
      <P>
        Someone tried to create a new {APP_NAME} account with this address, which already has one. No new
        account was made.
      </P>
      <P>If it was you, sign in instead, or reset your password if you have forgotten it.</P>
      <ActionLink href={loginUrl} label="Sign in" />
      <p style={style.small}>
        Forgotten your password? <a href={resetUrl}>Reset it here</a>. If it was not you, you can ignore this
        mail.
      </p>
    </>,
    [
      `Hello ${name},`,
      "",
      `Someone tried to create a new ${APP_NAME} account with this address, which already has one. No new account was made.`,
      "",
      `If it was you, sign in instead: ${loginUrl}`,
      `Forgotten your password? Reset it here: ${resetUrl}`,
      "",
      "If it was not you, you can ignore this mail.",
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

export function confirmEmailChangeMail({
  name,
  newEmail,
  url,
}: {
  name: string;
  newEmail: string;
  url: string;
}) {
  return render(
    "Confirm your new email address",
    <>
      <P>Hello {name},</P>
      <P>
        You asked to use {newEmail} for your {APP_NAME} account. Confirm it to make the change; until then
        your old address stays in use.
      </P>
      <ActionLink href={url} label="Confirm my new address" />
      <p style={style.small}>The link works for 24 hours. If you did not ask for this, ignore this mail.</p>
    </>,
    [
      `Hello ${name},`,
      "",
      `You asked to use ${newEmail} for your ${APP_NAME} account. Confirm it to make the change; until then your old address stays in use:`,
      "",
      url,
      "",
      "The link works for 24 hours. If you did not ask for this, ignore this mail.",
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
  | { kind: "provider-linked"; provider: string }
  | { kind: "provider-unlinked"; provider: string };

export function signInMethodNoticeMail({
  name,
  change,
  resetUrl,
}: {
  name: string;
  change: SignInMethodChange;
  resetUrl: string;
}): RenderedMail {
  const [subject, what] =
    change.kind === "password-set"
      ? [
          "A password was set on your account",
          `A password was set on your ${APP_NAME} account: it can now be signed in to with this address and that password. Every other session was signed out.`,
        ]
      : change.kind === "provider-linked"
        ? [
            `${change.provider} was connected to your account`,
            `Your ${APP_NAME} account can now be signed in to through ${change.provider}.`,
          ]
        : [
            `${change.provider} was disconnected from your account`,
            `Your ${APP_NAME} account can no longer be signed in to through ${change.provider}.`,
          ];
  return securityNotice({ subject, name, what, resetUrl });
}
