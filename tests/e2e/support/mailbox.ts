import { expect, type APIRequestContext } from "@playwright/test";
import type { CaughtMail } from "../../support/smtp";
import { APP_URL, MAILBOX_URL } from "./env";

/** Waits for the mail with this subject to reach the address, and answers the newest one. */
export async function waitForMail(
  request: APIRequestContext,
  to: string,
  subject: string,
): Promise<CaughtMail> {
  let found: CaughtMail | undefined;
  await expect
    .poll(
      async () => {
        const response = await request.get(`${MAILBOX_URL}/messages?to=${encodeURIComponent(to)}`);
        const mails = (await response.json()) as CaughtMail[];
        found = mails.filter((mail) => mail.subject === subject).at(-1);
        return found !== undefined;
      },
      { message: `a mail "${subject}" to ${to}`, timeout: 15_000 },
    )
    .toBe(true);
  if (!found) throw new Error("unreachable");
  return found;
}

/** The link to a path of the app in a mail's text, as the recipient would click it. */
export function linkIn(mail: CaughtMail, path: string): string {
  const prefix = `${APP_URL}${path}`;
  const link = mail.text.split(/\s+/).find((word) => word.startsWith(prefix));
  if (!link) throw new Error(`no ${prefix} link in:\n${mail.text}`);
  return link;
}
