import { ActionLink, APP_NAME, P, render, style, type RenderedMail } from "./layout.server";

/* The mails that carry a link to act on: confirm an address, choose a password, sign in. */

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
