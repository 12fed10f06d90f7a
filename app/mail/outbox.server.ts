import { and, asc, desc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import { mailOutbox, type OutboxMail } from "../../db/schema";
import type { Logger } from "../logger.server";
import type { RenderedMail } from "./templates.server";

export type MailKind =
  | "verify-email"
  | "reset-password"
  | "password-changed"
  | "signup-attempt"
  | "email-change"
  | "email-change-notice"
  | "sign-in-method-notice"
  | "two-factor-notice"
  | "goodbye";

/** Hands one mail to the outside world; throws when it could not. */
export interface MailTransport {
  send(mail: { from: string; to: string; subject: string; html: string; text: string }): Promise<void>;
}

export interface OutboxOptions {
  from: string;
  /** Null: nothing leaves the machine (the dev mailbox, or production without SMTP yet). */
  transport: MailTransport | null;
  pollIntervalMs?: number;
  /** How long after a failed attempt (1, 2, …) to try again. */
  retryDelayMs?: (attempt: number) => number;
  /** How long a claimed mail is held by one worker before another may take it over. */
  leaseMs?: number;
  maxAttempts?: number;
  /**
   * Keep a mail's body once delivered. Only the dev mailbox needs it; elsewhere
   * it is blanked, so live links (reset, confirmation) do not outlive delivery.
   */
  keepDelivered?: boolean;
  now?: () => Date;
}

/** 10 s, 20 s, 40 s … capped at an hour. */
const exponentialBackoff = (attempt: number) => Math.min(10_000 * 2 ** (attempt - 1), 60 * 60_000);

const BATCH = 10;

/**
 * The mail outbox. `enqueue` writes a row, inside the caller's transaction when
 * given one, so a mail exists exactly when the change that causes it does.
 * The worker claims due rows with `FOR UPDATE SKIP LOCKED` and a lease, sends
 * them, and retries failures with backoff: an SMTP outage delays mail but never
 * loses it or slows a request, and instances never send the same row together.
 */
export function createOutbox(db: AppDatabase, logger: Logger, options: OutboxOptions) {
  const now = options.now ?? (() => new Date());
  const retryDelayMs = options.retryDelayMs ?? exponentialBackoff;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const maxAttempts = options.maxAttempts ?? 25;
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const log = logger.child({ component: "mail" });

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let runAgain = false;

  async function claim(): Promise<OutboxMail[]> {
    return db.transaction(async (tx) => {
      const due = await tx
        .select({ id: mailOutbox.id })
        .from(mailOutbox)
        .where(
          and(isNull(mailOutbox.sentAt), isNull(mailOutbox.failedAt), lte(mailOutbox.nextAttemptAt, now())),
        )
        .orderBy(asc(mailOutbox.nextAttemptAt))
        .limit(BATCH)
        .for("update", { skipLocked: true });
      if (due.length === 0) return [];
      return tx
        .update(mailOutbox)
        .set({
          attempts: sql`${mailOutbox.attempts} + 1`,
          nextAttemptAt: new Date(now().getTime() + leaseMs),
        })
        .where(
          inArray(
            mailOutbox.id,
            due.map((row) => row.id),
          ),
        )
        .returning();
    });
  }

  async function deliver(mail: OutboxMail, transport: MailTransport) {
    try {
      await transport.send({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
      });
      const blank = options.keepDelivered ? {} : { html: "", text: "" };
      await db
        .update(mailOutbox)
        .set({ sentAt: now(), lastError: null, ...blank })
        .where(eq(mailOutbox.id, mail.id));
      log.info({ mailId: mail.id, kind: mail.kind, attempt: mail.attempts }, "mail sent");
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const giveUp = mail.attempts >= maxAttempts;
      await db
        .update(mailOutbox)
        .set({
          lastError: message.slice(0, 500),
          nextAttemptAt: new Date(now().getTime() + retryDelayMs(mail.attempts)),
          failedAt: giveUp ? now() : null,
        })
        .where(eq(mailOutbox.id, mail.id));
      log[giveUp ? "error" : "warn"](
        { mailId: mail.id, kind: mail.kind, attempt: mail.attempts, err: message },
        giveUp ? "mail abandoned after repeated failures" : "mail delivery failed; will retry",
      );
    }
  }

  async function drain(transport: MailTransport) {
    for (;;) {
      const batch = await claim();
      for (const mail of batch) await deliver(mail, transport);
      if (batch.length < BATCH) return;
    }
  }

  /** Sends everything due now; concurrent calls share one run (and ask for one more). */
  function runOnce(): Promise<void> {
    const transport = options.transport;
    if (!transport) return Promise.resolve();
    if (running) {
      runAgain = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          runAgain = false;
          await drain(transport);
        } while (runAgain);
      } catch (error) {
        log.error({ err: error }, "mail worker run failed");
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    async enqueue(
      mail: RenderedMail & { kind: MailKind; to: string },
      executor: Pick<AppDatabase, "insert"> = db,
    ) {
      await executor.insert(mailOutbox).values({
        kind: mail.kind,
        to: mail.to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
      });
      // Deliver soon rather than at the next poll; a row still inside an open
      // transaction is simply picked up by a later run.
      if (timer) setTimeout(() => void runOnce(), 25).unref();
    },

    runOnce,

    start() {
      if (timer || !options.transport) return;
      timer = setInterval(() => void runOnce(), pollIntervalMs);
      timer.unref();
      void runOnce();
    },

    /** Stops polling and waits for a run in progress to finish. */
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },

    /** The newest mails, for the dev mailbox. */
    recent(limit = 50) {
      return db.select().from(mailOutbox).orderBy(desc(mailOutbox.createdAt)).limit(limit);
    },

    async find(id: string) {
      const [mail] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, id));
      return mail ?? null;
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
