import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { STRONG_PASSWORD, uniqueEmail } from "../support/client";
import { instancesForSuite } from "../support/instances";
import { acknowledged, reportedScenario, signUp, sleep, type Outcome } from "./support/traffic";

const WRITERS = 6;
const SIGN_INS = 3;
const LOAD_BEFORE_SIGNAL_MS = 2_000;
/** README: the process exits 0 within 10 seconds of SIGTERM. */
const EXIT_WITHIN_MS = 10_000;

/** When the answer came, or the request failed. */
const endedAt = ({ startedAt, ms }: Outcome) => startedAt + ms;

describe("SIGTERM under load", () => {
  const { tally, extra, newBrowser } = reportedScenario("graceful shutdown");
  const cluster = instancesForSuite(1);
  const instance = () => {
    const [only] = cluster.instances;
    if (!only) throw new Error("the instance did not start");
    return only;
  };

  it("lets requests in flight finish, refuses new ones cleanly, and exits 0", async () => {
    const email = uniqueEmail("shutdown");
    const writer = newBrowser();
    await signUp(writer, instance(), cluster.smtp, email);

    let signalledAt = Number.POSITIVE_INFINITY;
    const outcomes: Outcome[] = [];
    const acknowledgedTitles = new Set<string>();
    const attempted = new Set<string>();
    /** Sends until the server refuses a connection: it has stopped listening. */
    const keepSending = async (send: (n: number) => Promise<Outcome>) => {
      for (let n = 0; ; n++) {
        const outcome = await send(n);
        outcomes.push(outcome);
        if (!outcome.ok || Date.now() - signalledAt > EXIT_WITHIN_MS) return;
      }
    };
    const load = [
      ...Array.from({ length: WRITERS }, (_, index) =>
        keepSending(async (n) => {
          const title = `shutdown-${index}-${n}`;
          attempted.add(title);
          const created = await writer.post(instance(), "/todos", { intent: "create", title });
          if (acknowledged(created)) {
            acknowledgedTitles.add(title);
            tally.writesAcknowledged++;
          }
          return created;
        }),
      ),
      // A sign-in hashes a password: slow enough to be in flight when the signal lands.
      ...Array.from({ length: SIGN_INS }, () =>
        keepSending(() =>
          newBrowser().post(instance(), "/login", {
            email,
            password: STRONG_PASSWORD,
          }),
        ),
      ),
    ];

    await sleep(LOAD_BEFORE_SIGNAL_MS);
    signalledAt = Date.now();
    instance().process.child.kill("SIGTERM");
    const { code, ms } = await instance().process.exited();
    await Promise.all(load);

    expect(code).toBe(0);
    expect(ms).toBeLessThan(EXIT_WITHIN_MS);
    extra["exit after ms"] = ms;

    // In flight at the signal: each one finished, as it would have without it.
    const inFlight = outcomes.filter(
      (outcome) => outcome.startedAt < signalledAt && endedAt(outcome) >= signalledAt,
    );
    expect(inFlight.length).toBeGreaterThan(0);
    for (const outcome of inFlight) {
      expect(outcome.ok ? outcome.status : outcome.code).toBe(302);
    }
    // Sent after it: answered, or refused cleanly — the connection refused, or a 503 — never cut off or failed.
    const later = outcomes.filter(({ startedAt }) => startedAt >= signalledAt);
    const unclean = later.filter((outcome) =>
      outcome.ok ? outcome.status >= 500 && outcome.status !== 503 : outcome.code !== "ECONNREFUSED",
    );
    expect(unclean.map((outcome) => (outcome.ok ? outcome.status : outcome.code))).toEqual([]);
    // And before it, everything went as usual.
    const before = outcomes.filter((outcome) => endedAt(outcome) < signalledAt);
    expect(before.filter((outcome) => !outcome.ok || outcome.status !== 302)).toEqual([]);

    const sql = postgres(cluster.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ title: string; copies: number }[]>`
        select title, count(*)::int as copies from todo where title like 'shutdown-%' group by title`;
      const found = new Map(rows.map((row) => [row.title, row.copies]));
      expect([...acknowledgedTitles].filter((title) => !found.has(title))).toEqual([]);
      expect(rows.filter((row) => row.copies > 1 || !attempted.has(row.title))).toEqual([]);
      tally.writesFound = [...acknowledgedTitles].filter((title) => found.has(title)).length;
    } finally {
      await sql.end();
    }
    extra["in flight at the signal"] = inFlight.length;
    extra["refused after it"] = later.filter((outcome) => !outcome.ok).length;
    extra["answered after it"] = later.filter((outcome) => outcome.ok).length;
  });
});
