import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail } from "../support/client";
import { startInstances, type AppInstance } from "../support/instances";
import { startSmtpCatcher, type SmtpCatcher } from "../../harness/smtp";
import { startPostgresCluster, type PostgresCluster } from "./support/postgres-cluster";
import { within } from "../support/wait";
import {
  acknowledged,
  expectOutageAnswer,
  outcomeText,
  reportedScenario,
  signUp,
  sleep,
  type Outcome,
} from "./support/traffic";

const USERS = 6;
const BEFORE_MS = 3_000;
const OUTAGE_MS = 6_000;
const AFTER_MS = 4_000;
/** After /readyz says ready again, the pools may take this long to have reconnected everywhere. */
const SETTLE_MS = 1_500;

type Phase = "before" | "outage" | "recovering" | "after";

interface Observation {
  phase: Phase;
  what: string;
  outcome: Outcome;
}

describe("a database outage under load", () => {
  const { tally, extra, newBrowser } = reportedScenario("database outage");
  let cluster: PostgresCluster;
  let smtp: SmtpCatcher;
  let instances: AppInstance[];
  let stop = async () => {};

  beforeAll(async () => {
    // A cluster of our own: the shared one must not go down under anyone else.
    cluster = await startPostgresCluster();
    smtp = await startSmtpCatcher();
    ({ instances, stop } = await startInstances(2, { databaseUrl: cluster.url, smtp }));
  });

  afterAll(async () => {
    await stop();
    await smtp?.stop();
    await cluster?.destroy();
  });

  it("answers 503 while PostgreSQL is down, recovers without a restart, and keeps every acknowledged write", async () => {
    const [one, two] = instances;
    if (!one || !two) throw new Error("instances did not start");
    const pick = () => (Math.random() < 0.5 ? one : two);
    const users = await Promise.all(
      Array.from({ length: USERS }, async (_, index) => {
        const browser = newBrowser();
        await signUp(browser, index % 2 ? two : one, smtp, uniqueEmail(`outage${index}`));
        return browser;
      }),
    );

    let phase: Phase = "before";
    let running = true;
    const observations: Observation[] = [];
    const acknowledgedTitles = new Set<string>();
    const attemptedTitles = new Set<string>();
    const load = users.map(async (browser, index) => {
      for (let n = 0; running; n++) {
        const title = `outage-${index}-${n}`;
        attemptedTitles.add(title);
        const at = phase;
        const created = await browser.post(pick(), "/todos", { intent: "create", title });
        observations.push({ phase: at, what: "create", outcome: created });
        if (acknowledged(created)) {
          acknowledgedTitles.add(title);
          tally.writesAcknowledged++;
        }
        const listAt = phase;
        observations.push({ phase: listAt, what: "list", outcome: await browser.get(pick(), "/todos") });
        await sleep(50);
      }
    });

    await sleep(BEFORE_MS);
    // A crash of PostgreSQL: no checkpoint, every client cut off, recovery from the WAL at the next start.
    await cluster.stop("immediate");
    phase = "outage";
    const outageStarted = Date.now();
    for (const instance of [one, two]) {
      await within(5_000, async () => (await fetch(`${instance.origin}/readyz`)).status === 503, 100);
      // Still alive: only the readiness changed.
      expect((await fetch(`${instance.origin}/healthz`)).status).toBe(200);
    }
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStarted)));

    await cluster.start();
    phase = "recovering";
    const restarted = Date.now();
    for (const instance of [one, two]) {
      await within(15_000, async () => (await fetch(`${instance.origin}/readyz`)).status === 200, 100);
    }
    extra["ready again after ms"] = Date.now() - restarted;
    await sleep(SETTLE_MS);
    phase = "after";
    await sleep(AFTER_MS);
    running = false;
    await Promise.all(load);

    // No process crashed, nor logged an unhandled failure.
    for (const instance of [one, two]) {
      expect(instance.process.child.exitCode).toBeNull();
      expect(instance.process.child.signalCode).toBeNull();
      expect(instance.process.output()).not.toMatch(/unhandled|uncaught/i);
    }

    // Every request got an answer; the only server error is a well-formed 503.
    const failed = observations.filter(({ outcome }) => !outcome.ok);
    expect(failed.map(({ outcome }) => (outcome.ok ? "" : outcome.code))).toEqual([]);
    const answered = observations.flatMap(({ phase: at, what, outcome }) =>
      outcome.ok ? [{ at, what, outcome }] : [],
    );
    const unexpected = answered.filter(({ outcome }) => ![200, 302, 503].includes(outcome.status));
    expect(unexpected.map(({ what, outcome }) => `${what}: ${outcome.status}`)).toEqual([]);
    const unavailable = answered.filter(({ outcome }) => outcome.status === 503);
    for (const { outcome } of unavailable) expectOutageAnswer(outcome);
    const duringOutage = answered.filter(({ at }) => at === "outage");
    expect(duringOutage.filter(({ outcome }) => outcome.status === 503).length).toBeGreaterThan(0);
    // An outage is answered at once, not after the driver's reconnection backoff.
    const slowest = Math.max(...duringOutage.map(({ outcome }) => outcome.ms));
    expect(slowest).toBeLessThan(3_000);
    // Recovered: nothing unavailable once the pools are back.
    const afterwards = answered.filter(({ at }) => at === "after");
    expect(afterwards.length).toBeGreaterThan(0);
    expect(afterwards.filter(({ outcome }) => outcome.status === 503)).toEqual([]);

    // The session change notifications are back too: a sign-out on one is refused by the other at once.
    const [leaving] = users;
    if (!leaving) throw new Error("no users");
    const copy = leaving.copy();
    for (let i = 0; i < 3; i++) await leaving.get(two, "/todos");
    expect(outcomeText(await leaving.post(one, "/logout", {}))).toBe("302");
    extra["sign-out seen by the other after ms"] = await within(1_000, async () => {
      const page = await copy.get(two, "/todos");
      return page.ok && page.status === 302;
    });

    // Every acknowledged write is there, once; nothing appears that was never sent.
    const sql = postgres(cluster.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ title: string; copies: number }[]>`
        select title, count(*)::int as copies from todo where title like 'outage-%' group by title`;
      const found = new Map(rows.map((row) => [row.title, row.copies]));
      const missing = [...acknowledgedTitles].filter((title) => !found.has(title));
      expect(missing).toEqual([]);
      expect(rows.filter((row) => row.copies > 1)).toEqual([]);
      expect(rows.filter((row) => !attemptedTitles.has(row.title))).toEqual([]);
      tally.writesFound = [...acknowledgedTitles].filter((title) => found.has(title)).length;
      extra["unacknowledged writes found"] = rows.length - tally.writesFound;
    } finally {
      await sql.end();
    }
    extra["503 answers"] = unavailable.length;
    extra["slowest answer during outage ms"] = slowest;
  });
});
