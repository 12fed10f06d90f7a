import { expect, type APIRequestContext } from "@playwright/test";
import type { CaughtMail } from "../../../harness/smtp";
import { MAILBOX_URL } from "./env";

/** A mail's link that starts with a given address of the app (harness/smtp.ts). */
export { linkIn } from "../../../harness/smtp";

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
