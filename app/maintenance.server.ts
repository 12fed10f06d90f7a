import { and, isNotNull, isNull, lt, or } from "drizzle-orm";
import type { Database } from "../db/client.server";
import { MAINTENANCE_LOCK_KEY } from "../db/locks.server";
import {
  emailChange,
  mailOutbox,
  passkeyChallenge,
  session,
  signInChallenge,
  verification,
} from "../db/schema";
import { SESSION_ABSOLUTE_SECONDS } from "./auth/session.server";
import type { Logger } from "./logger.server";
import type { RateLimits } from "./security/rate-limit.server";

/** Every few minutes: rows nobody can use any more cost only space and index time meanwhile. */
const MAINTENANCE_INTERVAL_MS = 5 * 60_000;

/** The first run, soon after start but not during it (a start should be quick, and many may start together). */
const FIRST_RUN_MS = 30_000;

/**
 * Delivered and abandoned mail is kept this long, so that an operator can
 * still answer "was it sent?" (a delivered mail's body is blanked at delivery).
 */
export const MAIL_RETENTION_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

/** How many rows one run deleted, per kind. */
export interface MaintenanceCounts {
  /** Past their idle or their absolute lifetime. */
  sessions: number;
  /** better-auth's tokens (confirmation and reset links, OAuth state) past their expiry. */
  verifications: number;
  /** Email changes whose link has expired. */
  emailChanges: number;
  pendingSignIns: number;
  /** Passkey ceremonies (5 minutes) never finished. */
  passkeyChallenges: number;
  /** Rate-limit counters whose window has closed. */
  rateLimits: number;
  /** Delivered or abandoned mail older than MAIL_RETENTION_DAYS. */
  mails: number;
}

export interface MaintenanceOptions {
  database: Database;
  rateLimits: RateLimits;
  logger: Logger;
  intervalMs?: number;
  now?: () => Date;
}

/**
 * Deletes what has expired, on a schedule, once across instances: every
 * instance ticks, but only the one holding the maintenance lock
 * (`Database.asLeader`) runs the job, and it keeps the lock, so a tick of
 * every other instance does nothing. Should that one stop, the next instance
 * to tick takes over. Each kind is its own statement, in its own transaction:
 * a failure leaves the others done, and the next run catches up.
 */
export function createMaintenance({
  database,
  rateLimits,
  logger,
  intervalMs = MAINTENANCE_INTERVAL_MS,
  now = () => new Date(),
}: MaintenanceOptions) {
  const { db } = database;
  const log = logger.child({ component: "maintenance" });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | null = null;

  async function clean(): Promise<MaintenanceCounts> {
    const at = now();
    const sessions = await db
      .delete(session)
      .where(
        or(
          lt(session.expiresAt, at),
          lt(session.createdAt, new Date(at.getTime() - SESSION_ABSOLUTE_SECONDS * 1000)),
        ),
      )
      .returning({ id: session.id });
    const verifications = await db
      .delete(verification)
      .where(lt(verification.expiresAt, at))
      .returning({ id: verification.id });
    const emailChanges = await db
      .delete(emailChange)
      .where(lt(emailChange.expiresAt, at))
      .returning({ userId: emailChange.userId });
    const pendingSignIns = await db
      .delete(signInChallenge)
      .where(lt(signInChallenge.expiresAt, at))
      .returning({ userId: signInChallenge.userId });
    const passkeyChallenges = await db
      .delete(passkeyChallenge)
      .where(lt(passkeyChallenge.expiresAt, at))
      .returning({ tokenHash: passkeyChallenge.tokenHash });
    const mailCutoff = new Date(at.getTime() - MAIL_RETENTION_DAYS * DAY_MS);
    const mails = await db
      .delete(mailOutbox)
      .where(
        or(
          and(isNotNull(mailOutbox.sentAt), lt(mailOutbox.sentAt, mailCutoff)),
          and(isNull(mailOutbox.sentAt), isNotNull(mailOutbox.failedAt), lt(mailOutbox.failedAt, mailCutoff)),
        ),
      )
      .returning({ id: mailOutbox.id });
    return {
      sessions: sessions.length,
      verifications: verifications.length,
      emailChanges: emailChanges.length,
      pendingSignIns: pendingSignIns.length,
      passkeyChallenges: passkeyChallenges.length,
      rateLimits: await rateLimits.sweep(),
      mails: mails.length,
    };
  }

  /** One run: the counts, or null when another instance is the one that cleans up. */
  async function runOnce(): Promise<MaintenanceCounts | null> {
    const result = await database.asLeader(MAINTENANCE_LOCK_KEY, clean);
    if (result) log.info({ deleted: result.value }, "maintenance: expired rows deleted");
    else log.debug("maintenance: another instance holds the lock");
    return result?.value ?? null;
  }

  /** A scheduled run: never two at once, and a failure (the database down, say) waits for the next tick. */
  function tick() {
    if (running) return;
    running = runOnce()
      .catch((error: unknown) =>
        log.warn({ err: error }, "maintenance failed; trying again at the next tick"),
      )
      .finally(() => (running = null));
  }

  return {
    runOnce,

    start() {
      if (timer) return;
      const first = setTimeout(
        () => {
          tick();
          timer = setInterval(tick, intervalMs);
          timer.unref();
        },
        Math.min(FIRST_RUN_MS, intervalMs),
      );
      first.unref();
      timer = first;
    },

    /** Stops the schedule and waits for a run in progress. */
    async stop() {
      clearTimeout(timer);
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

export type Maintenance = ReturnType<typeof createMaintenance>;
