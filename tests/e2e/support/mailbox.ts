import { expect, type APIRequestContext } from "@playwright/test";
import type { CaughtMail } from "../../../harness/smtp";
import { APP_URL, MAILBOX_URL } from "./env";

async function mailsWith(request: APIRequestContext, to: string, subject: string): Promise<CaughtMail[]> {
  const response = await request.get(`${MAILBOX_URL}/messages?to=${encodeURIComponent(to)}`);
  return ((await response.json()) as CaughtMail[]).filter((mail) => mail.subject === subject);
}

/** How many mails with this subject the address has had so far. */
export const countMail = async (request: APIRequestContext, to: string, subject: string) =>
  (await mailsWith(request, to, subject)).length;

/**
 * Waits until the address has had more than `seen` mails with this subject,
 * and answers the newest one.
 */
export async function waitForMail(
  request: APIRequestContext,
  to: string,
  subject: string,
  seen = 0,
): Promise<CaughtMail> {
  let found: CaughtMail | undefined;
  await expect
    .poll(
      async () => {
        const mails = await mailsWith(request, to, subject);
        found = mails.length > seen ? mails.at(-1) : undefined;
        return found !== undefined;
      },
      { message: `a mail "${subject}" to ${to}`, timeout: 15_000 },
    )
    .toBe(true);
  if (!found) throw new Error("unreachable");
  return found;
}

/** The link to a path of the app (at `origin`) in a mail's text, as the recipient would click it. */
export function linkIn(mail: CaughtMail, path: string, origin = APP_URL): string {
  const prefix = `${origin}${path}`;
  const link = mail.text.split(/\s+/).find((word) => word.startsWith(prefix));
  if (!link) throw new Error(`no ${prefix} link in:\n${mail.text}`);
  return link;
}
