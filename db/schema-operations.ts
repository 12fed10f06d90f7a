import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** The outbox and the rate-limit counters: the app's own bookkeeping, tied to no user row. */

/**
 * Mail waiting to be delivered, written in the same transaction as the change
 * that causes it and delivered by the worker (app/mail/outbox.server.ts). A row
 * is claimed by pushing `next_attempt_at` forward (a lease), so instances never
 * send one mail at the same time; `sent_at` marks it delivered. In development
 * without SMTP the rows are the dev mailbox.
 */
export const mailOutbox = pgTable(
  "mail_outbox",
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: text().notNull(),
    to: text().notNull(),
    subject: text().notNull(),
    html: text().notNull(),
    text: text().notNull(),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
    failedAt: timestamp({ withTimezone: true }),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("mail_outbox_due_idx")
      .on(table.nextAttemptAt)
      .where(sql`${table.sentAt} is null and ${table.failedAt} is null`),
  ],
);

/**
 * Rate-limit counters, shared by every instance of the app: one row per
 * limit and subject (a client address, or an account's address hashed), counting
 * hits in a fixed window that ends at `resetAt`. Expired rows are swept.
 */
export const rateLimit = pgTable(
  "rate_limit",
  {
    key: text().primaryKey(),
    hits: integer().notNull(),
    resetAt: timestamp({ withTimezone: true }).notNull(),
  },
  (table) => [index("rate_limit_reset_at_idx").on(table.resetAt)],
);

export type OutboxMail = typeof mailOutbox.$inferSelect;
