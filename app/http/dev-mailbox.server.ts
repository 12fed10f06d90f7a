import type { AppLoadContext } from "@remix-run/node";

const isLoopback = (address: string) => address === "::1" || address.startsWith("127.");

/**
 * The dev mailbox shows live reset and confirmation links, so it exists only
 * where it is the mailbox (outside production, without SMTP) and only for the
 * machine itself: a dev server listening on 0.0.0.0 does not hand them to the network.
 */
export function devMailboxAvailable(context: AppLoadContext): boolean {
  const { config } = context.services;
  return !config.isProduction && config.mail.smtpUrl === null && isLoopback(context.clientAddress);
}
