import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_ABSOLUTE_SECONDS } from "../../app/auth/session.server";
import { createLogger } from "../../app/logger.server";
import { createMaintenance, MAIL_RETENTION_DAYS, type Maintenance } from "../../app/maintenance.server";
import { createRateLimiter, createRateLimits } from "../../app/security/rate-limit.server";
import type { Services } from "../../app/services.server";
import { openDatabase, type AppDatabase, type Database } from "../../db/client.server";
import {
  emailChange,
  mailOutbox,
  passkeyChallenge,
  rateLimit,
  session,
  signInChallenge,
  user,
  verification,
} from "../../db/schema";
import { uniqueEmail } from "../support/client";
import { createPostgresDatabase, createTestServices, DATABASE_KINDS, testConfig } from "../support/databases";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const ago = (ms: number) => new Date(Date.now() - ms);
const ahead = (ms: number) => new Date(Date.now() + ms);

async function newUser(db: AppDatabase): Promise<string> {
  const id = randomUUID();
  await db
    .insert(user)
    .values({ id, name: "Maintained", email: uniqueEmail("maintained"), emailVerified: true });
  return id;
}

/** One row that must go and one that must stay, of every kind the maintenance deletes: the ids of each. */
async function seed(db: AppDatabase) {
  const owner = await newUser(db);
  const id = () => randomUUID();
  const expired = {
    sessions: [id(), id()],
    verifications: [id()],
    emailChanges: [await newUser(db)],
    pendingSignIns: [id()],
    passkeyChallenges: [id()],
    rateLimits: [`test:${id()}`],
    mails: [id(), id()],
  };
  const live = {
    sessions: [id()],
    verifications: [id()],
    emailChanges: [await newUser(db)],
    pendingSignIns: [id()],
    passkeyChallenges: [id()],
    rateLimits: [`test:${id()}`],
    mails: [id(), id(), id()],
  };
  const [idle, old] = expired.sessions;
  const [liveSession] = live.sessions;
  await db.insert(session).values([
    // Idle past its expiry.
    { id: String(idle), token: id(), userId: owner, expiresAt: ago(MINUTE) },
    // Still within its idle lifetime, but signed in longer ago than the absolute lifetime allows.
    {
      id: String(old),
      token: id(),
      userId: owner,
      expiresAt: ahead(DAY),
      createdAt: ago(SESSION_ABSOLUTE_SECONDS * 1000 + MINUTE),
    },
    { id: String(liveSession), token: id(), userId: owner, expiresAt: ahead(DAY), createdAt: ago(DAY) },
  ]);
  await db.insert(verification).values([
    { id: String(expired.verifications[0]), identifier: "reset", value: id(), expiresAt: ago(MINUTE) },
    { id: String(live.verifications[0]), identifier: "reset", value: id(), expiresAt: ahead(MINUTE) },
  ]);
  await db.insert(emailChange).values([
    {
      userId: String(expired.emailChanges[0]),
      newEmail: uniqueEmail("new"),
      tokenHash: id(),
      expiresAt: ago(MINUTE),
    },
    {
      userId: String(live.emailChanges[0]),
      newEmail: uniqueEmail("new"),
      tokenHash: id(),
      expiresAt: ahead(DAY),
    },
  ]);
  await db.insert(signInChallenge).values([
    {
      tokenHash: String(expired.pendingSignIns[0]),
      userId: owner,
      method: "password",
      expiresAt: ago(MINUTE),
    },
    {
      tokenHash: String(live.pendingSignIns[0]),
      userId: owner,
      method: "password",
      expiresAt: ahead(MINUTE),
    },
  ]);
  await db.insert(passkeyChallenge).values([
    {
      tokenHash: String(expired.passkeyChallenges[0]),
      purpose: "sign-in",
      challenge: id(),
      expiresAt: ago(MINUTE),
    },
    {
      tokenHash: String(live.passkeyChallenges[0]),
      purpose: "sign-in",
      challenge: id(),
      expiresAt: ahead(MINUTE),
    },
  ]);
  await db.insert(rateLimit).values([
    { key: String(expired.rateLimits[0]), hits: 3, resetAt: ago(MINUTE) },
    { key: String(live.rateLimits[0]), hits: 3, resetAt: ahead(MINUTE) },
  ]);
  const retention = MAIL_RETENTION_DAYS * DAY;
  const mail = (mailId: string | undefined, fields: Partial<typeof mailOutbox.$inferInsert>) => ({
    id: String(mailId),
    kind: "verify-email",
    to: uniqueEmail("mailed"),
    subject: "Confirm",
    html: "",
    text: "",
    ...fields,
  });
  await db.insert(mailOutbox).values([
    mail(expired.mails[0], { sentAt: ago(retention + DAY), createdAt: ago(retention + DAY) }),
    mail(expired.mails[1], { failedAt: ago(retention + DAY), createdAt: ago(retention + 2 * DAY) }),
    mail(live.mails[0], { sentAt: ago(DAY), createdAt: ago(DAY) }),
    mail(live.mails[1], { failedAt: ago(DAY), createdAt: ago(retention + DAY) }),
    // Old but never delivered nor abandoned: still waiting for its next attempt, never deleted.
    mail(live.mails[2], { createdAt: ago(retention + DAY) }),
  ]);
  return { expired, live };
}

/** Which of the given ids are still in the database, per kind. */
async function remaining(db: AppDatabase, ids: Awaited<ReturnType<typeof seed>>["live"]) {
  const rows = {
    sessions: await db.select({ id: session.id }).from(session).where(inArray(session.id, ids.sessions)),
    verifications: await db
      .select({ id: verification.id })
      .from(verification)
      .where(inArray(verification.id, ids.verifications)),
    emailChanges: await db
      .select({ id: emailChange.userId })
      .from(emailChange)
      .where(inArray(emailChange.userId, ids.emailChanges)),
    pendingSignIns: await db
      .select({ id: signInChallenge.tokenHash })
      .from(signInChallenge)
      .where(inArray(signInChallenge.tokenHash, ids.pendingSignIns)),
    passkeyChallenges: await db
      .select({ id: passkeyChallenge.tokenHash })
      .from(passkeyChallenge)
      .where(inArray(passkeyChallenge.tokenHash, ids.passkeyChallenges)),
    rateLimits: await db
      .select({ id: rateLimit.key })
      .from(rateLimit)
      .where(inArray(rateLimit.key, ids.rateLimits)),
    mails: await db.select({ id: mailOutbox.id }).from(mailOutbox).where(inArray(mailOutbox.id, ids.mails)),
  };
  return Object.fromEntries(
    Object.entries(rows).map(([kind, found]) => [kind, found.map((row) => row.id).sort()]),
  );
}

const sorted = (ids: Awaited<ReturnType<typeof seed>>["live"]) =>
  Object.fromEntries(Object.entries(ids).map(([kind, list]) => [kind, [...list].sort()]));

describe.each(DATABASE_KINDS)("maintenance on %s", (kind) => {
  let services: Services;
  beforeAll(async () => {
    services = await createTestServices(kind);
    // Its own schedule off: only the runs of these tests delete, so their counts are exact.
    await services.maintenance.stop();
  });
  afterAll(() => services.close());

  it("deletes expired sessions, tokens, email changes, counters and old mail, and keeps everything live", async () => {
    const { expired, live } = await seed(services.database.db);
    const counts = await services.maintenance.runOnce();
    expect(counts).toEqual({
      sessions: 2,
      verifications: 1,
      emailChanges: 1,
      pendingSignIns: 1,
      passkeyChallenges: 1,
      rateLimits: 1,
      mails: 2,
    });
    expect(await remaining(services.database.db, expired)).toEqual({
      sessions: [],
      verifications: [],
      emailChanges: [],
      pendingSignIns: [],
      passkeyChallenges: [],
      rateLimits: [],
      mails: [],
    });
    expect(await remaining(services.database.db, live)).toEqual(sorted(live));
    // Nothing left to do the second time.
    expect(await services.maintenance.runOnce()).toEqual({
      sessions: 0,
      verifications: 0,
      emailChanges: 0,
      pendingSignIns: 0,
      passkeyChallenges: 0,
      rateLimits: 0,
      mails: 0,
    });
  });

  it("runs on its schedule until stopped", async () => {
    const config = testConfig();
    const maintenance = createMaintenance({
      database: services.database,
      rateLimits: services.rateLimits,
      logger: createLogger(config),
      intervalMs: 50,
    });
    const { expired } = await seed(services.database.db);
    maintenance.start();
    try {
      const deadline = Date.now() + 10_000;
      while ((await remaining(services.database.db, expired)).sessions?.length !== 0) {
        if (Date.now() > deadline) throw new Error("the scheduled run never deleted the expired sessions");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await maintenance.stop();
    }
    // Stopped: an expired row now stays.
    const after = await seed(services.database.db);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await remaining(services.database.db, after.expired)).sessions).toHaveLength(2);
  });
});

describe("maintenance while the database is gone", () => {
  it("logs each failed run and tries again at the next tick, never crashing the process", async () => {
    const services = await createTestServices("pglite");
    await services.maintenance.stop();
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString("utf8"));
        done();
      },
    });
    const maintenance = createMaintenance({
      database: services.database,
      rateLimits: services.rateLimits,
      logger: createLogger(testConfig({ LOG_LEVEL: "warn" }), sink),
      intervalMs: 20,
    });
    await services.database.close();
    maintenance.start();
    try {
      // An unhandled rejection here would fail this test run.
      const deadline = Date.now() + 10_000;
      while (lines.filter((line) => line.includes("maintenance failed")).length < 2) {
        if (Date.now() > deadline) throw new Error(`no failed runs logged:\n${lines.join("")}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await maintenance.stop();
      await services.close().catch(() => {});
    }
  });
});

describe.each(DATABASE_KINDS.filter((kind) => kind === "postgres"))(
  "maintenance across instances (%s)",
  () => {
    const instances: { database: Database; maintenance: Maintenance }[] = [];
    let drop = async () => {};
    beforeAll(async () => {
      const created = await createPostgresDatabase();
      drop = created.drop;
      const config = testConfig({ DATABASE_URL: created.url });
      for (let i = 0; i < 2; i++) {
        const database = await openDatabase(config.database);
        await database.migrate();
        instances.push({
          database,
          maintenance: createMaintenance({
            database,
            rateLimits: createRateLimits(createRateLimiter(database.db), async () => false),
            logger: createLogger(config),
          }),
        });
      }
    });
    afterAll(async () => {
      for (const { database } of instances) await database.close().catch(() => {});
      await drop();
    });

    it("runs in one instance per tick, the same one every time, and in another once that one stops", async () => {
      const [first, second] = instances;
      if (!first || !second) throw new Error("instances missing");
      const ticks: boolean[][] = [];
      for (let tick = 0; tick < 3; tick++) {
        const { expired } = await seed(first.database.db);
        const results = await Promise.all(instances.map(({ maintenance }) => maintenance.runOnce()));
        ticks.push(results.map((result) => result !== null));
        // Whichever ran deleted the rows of this tick.
        expect(results.find((result) => result !== null)?.sessions).toBe(2);
        expect((await remaining(first.database.db, expired)).sessions).toEqual([]);
      }
      const leader = ticks[0]?.indexOf(true) ?? -1;
      expect(leader).toBeGreaterThanOrEqual(0);
      for (const ran of ticks) expect(ran).toEqual(instances.map((_, index) => index === leader));

      // The one that ran stops (its lock goes with its connection): the other takes over at its next tick.
      const [stopping, staying] = leader === 0 ? [first, second] : [second, first];
      await stopping.database.close();
      const { expired } = await seed(staying.database.db);
      expect((await staying.maintenance.runOnce())?.sessions).toBe(2);
      expect((await remaining(staying.database.db, expired)).sessions).toEqual([]);
    });
  },
);
