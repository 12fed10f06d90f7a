import { expectStatus, type HttpClient } from "./client";
import { linkIn, type SmtpCatcher } from "./smtp";

export interface NewAccount {
  name: string;
  email: string;
  password: string;
}

/**
 * A person's way in: the sign-up form, then the link of the confirmation mail
 * (`confirmationLink` finds it, from a mailbox or the outbox) opened in the same
 * browser and its button pressed. The client ends up signed in. The site is the
 * client's own, or `origin`.
 */
export async function signUpAndConfirm(
  client: HttpClient,
  { name, email, password }: NewAccount,
  confirmationLink: (email: string) => Promise<string>,
  origin = "",
): Promise<void> {
  const signedUp = await expectStatus(
    await client.post(`${origin}/signup`, { name, email, password, confirmPassword: password }),
    [302],
    `sign-up of ${email}`,
  );
  const next = signedUp.headers.get("location");
  if (next !== "/verify-email") throw new Error(`sign-up of ${email} went to ${next}, not /verify-email`);
  // The link moves its token into the page's cookie; the page's button confirms.
  const confirmed = await expectStatus(
    await client.pressOnLinkPage(await confirmationLink(email.trim().toLowerCase()), { intent: "confirm" }),
    [302],
    `confirming ${email}`,
  );
  const landing = confirmed.headers.get("location");
  if (landing !== "/todos") throw new Error(`confirming ${email} went to ${landing}, not /todos`);
}

/** The confirmation link of the newest mail to an address at a mailbox, for a site at `origin`. */
export const mailedConfirmationLink =
  (smtp: SmtpCatcher, origin: string, timeoutMs = 30_000) =>
  async (email: string): Promise<string> => {
    const mails = await smtp.waitFor(email, 1, timeoutMs);
    const mail = mails.at(-1);
    if (!mail) throw new Error(`no mail to ${email}`);
    return linkIn(mail, `${origin}/verify-email?token=`);
  };
