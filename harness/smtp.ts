import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { escapeRegExp } from "./regexp";

export interface CaughtMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * A real SMTP server on loopback that keeps what it receives. It can be
 * stopped and started again on the same port, to play an outage.
 */
export async function startSmtpCatcher({ port: fixedPort = 0 } = {}) {
  const messages: CaughtMail[] = [];
  const waiters = new Set<() => void>();
  let port = fixedPort;
  let server: SMTPServer | null = null;

  function create() {
    return new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
            messages.push({
              to: to?.value[0]?.address?.toLowerCase() ?? "",
              subject: parsed.subject ?? "",
              text: parsed.text ?? "",
              html: typeof parsed.html === "string" ? parsed.html : "",
            });
            for (const wake of waiters) wake();
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
  }

  async function listen() {
    server = create();
    const current = server;
    await new Promise<void>((resolve) => current.listen(port, "127.0.0.1", () => resolve()));
    port = (current.server.address() as AddressInfo).port;
  }

  await listen();

  return {
    messages,
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    /** The mails to an address, oldest first. */
    to(address: string) {
      return messages.filter((mail) => mail.to === address.toLowerCase());
    },
    /** Waits until `count` mails to the address have arrived. */
    async waitFor(address: string, count = 1, timeoutMs = 15_000): Promise<CaughtMail[]> {
      const deadline = Date.now() + timeoutMs;
      while (this.to(address).length < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} mail(s) to ${address} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 100);
        });
      }
      return this.to(address);
    },
    async stop() {
      const current = server;
      server = null;
      if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    /** Listens again on the same port. */
    start: listen,
  };
}

export type SmtpCatcher = Awaited<ReturnType<typeof startSmtpCatcher>>;

/** The first link in a mail's text that starts with the given URL prefix. */
export function linkIn(mail: { text: string }, prefix: string): string {
  const match = new RegExp(`${escapeRegExp(prefix)}[^\\s]*`).exec(mail.text);
  if (!match) throw new Error(`no link starting with ${prefix} in:\n${mail.text}`);
  return match[0];
}
