import nodemailer from "nodemailer";
import type { MailTransport } from "./outbox.server";

/** nodemailer to `SMTP_URL`, with timeouts so a hung server fails an attempt instead of stalling the worker. */
export function smtpTransport(smtpUrl: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(mail) {
      await transporter.sendMail(mail);
    },
  };
}

/**
 * The dev mailbox: nothing leaves the machine; a mail counts as delivered once
 * it is in the outbox, where `/dev/mail` shows it.
 */
export const devMailboxTransport: MailTransport = {
  async send() {},
};
