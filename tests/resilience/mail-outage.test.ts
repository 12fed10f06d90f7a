import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { STRONG_PASSWORD, uniqueEmail } from "../support/client";
import { instancesForSuite } from "../support/instances";
import { within } from "../support/wait";
import { errorCount, reportedScenario, sleep } from "./support/traffic";

const SIGN_UPS = 10;
/** The outbox's first retry comes 10 s after a failure (production backoff); then some margin. */
const DELIVERY_WITHIN_MS = 60_000;
/** Longer than the worker's poll interval (2 s), twice: time enough for a second copy to show up. */
const QUIET_MS = 5_000;

interface OutboxRow {
  to: string;
  attempts: number;
  sent: boolean;
  failed: boolean;
  lastError: string | null;
}

describe("an SMTP outage during sign-ups", () => {
  const { tally, extra, newBrowser } = reportedScenario("mail outage");
  // Two instances, two mail workers on one outbox.
  const cluster = instancesForSuite(2);

  async function outbox(addresses: string[]): Promise<OutboxRow[]> {
    const sql = postgres(cluster.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      return await sql<OutboxRow[]>`
        select "to", attempts, sent_at is not null as sent, failed_at is not null as failed, last_error as "lastError"
        from mail_outbox where "to" in ${sql(addresses)}`;
    } finally {
      await sql.end();
    }
  }

  it("lets every sign-up succeed, and delivers each mail exactly once when SMTP is back", async () => {
    const [one, two] = cluster.instances;
    if (!one || !two) throw new Error("the instances did not start");
    await cluster.smtp.stop();
    const addresses = Array.from({ length: SIGN_UPS }, (_, index) => uniqueEmail(`mailout${index}`));
    const answers = await Promise.all(
      addresses.map((email, index) =>
        newBrowser().post(index % 2 ? two : one, "/signup", {
          name: "Patient User",
          email,
          password: STRONG_PASSWORD,
          confirmPassword: STRONG_PASSWORD,
        }),
      ),
    );
    for (const answer of answers) {
      expect(answer.ok && answer.status).toBe(302);
      expect(answer.ok && answer.headers.get("location")).toBe("/verify-email");
      tally.writesAcknowledged++;
    }
    expect(errorCount(tally)).toBe(0);

    // Each mail was tried while SMTP was down, failed, and waits for its next attempt.
    await within(
      15_000,
      async () => {
        const rows = await outbox(addresses);
        return (
          rows.length === SIGN_UPS &&
          rows.every((row) => row.attempts >= 1 && !row.sent && row.lastError !== null)
        );
      },
      200,
    );
    expect(cluster.smtp.messages.filter((mail) => addresses.includes(mail.to))).toEqual([]);

    await cluster.smtp.start();
    const back = Date.now();
    await within(
      DELIVERY_WITHIN_MS,
      async () => addresses.every((address) => cluster.smtp.to(address).length >= 1),
      200,
    );
    extra["all delivered after SMTP was back, ms"] = Date.now() - back;
    await sleep(QUIET_MS);

    for (const address of addresses) expect(cluster.smtp.to(address), address).toHaveLength(1);
    const rows = await outbox(addresses);
    expect(rows).toHaveLength(SIGN_UPS);
    for (const row of rows) {
      expect(row.sent).toBe(true);
      expect(row.failed).toBe(false);
      expect(row.attempts).toBeGreaterThanOrEqual(2);
    }
    tally.writesFound = addresses.filter((address) => cluster.smtp.to(address).length === 1).length;
    extra["delivery attempts"] = rows.reduce((sum, row) => sum + row.attempts, 0);
  });
});
