import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../harness/process";
import { startSmtpCatcher } from "../../harness/smtp";
import { uniqueEmail } from "../support/client";
import { createPostgresDatabase } from "../support/databases";
import { startInstance } from "../support/instances";
import { acknowledged, reportedScenario, signUp, sleep, todosOnPage } from "./support/traffic";

const WRITERS = 6;
const LOAD_BEFORE_KILL_MS = 2_500;

describe.each(["pglite", "postgres"] as const)("kill -9 of the server under a write load, on %s", (kind) => {
  const { tally, extra, newBrowser } = reportedScenario(`crash (kill -9) on ${kind}`);
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("keeps every acknowledged todo, once, after a restart", async () => {
    let database: Record<string, string>;
    if (kind === "pglite") {
      const dir = mkdtempSync(path.join(tmpdir(), "todo-crash-"));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      database = { PGLITE_DIR: path.join(dir, "pglite") };
    } else {
      const created = await createPostgresDatabase();
      cleanups.push(() => created.drop());
      database = { DATABASE_URL: created.url };
    }
    const smtp = await startSmtpCatcher();
    cleanups.push(() => smtp.stop());
    const port = await freePort();

    const first = await startInstance({ port, database, smtp });
    cleanups.push(() => void first.process.child.kill("SIGKILL"));
    const browser = newBrowser();
    await signUp(browser, first, smtp, uniqueEmail(`crash-${kind}`));

    let running = true;
    const attempted = new Set<string>();
    const acknowledgedTitles = new Set<string>();
    let unanswered = 0;
    const writers = Array.from({ length: WRITERS }, async (_, writer) => {
      for (let n = 0; running; n++) {
        const title = `crash-${writer}-${n}`;
        attempted.add(title);
        const created = await browser.post(first, "/todos", { intent: "create", title });
        if (acknowledged(created)) {
          acknowledgedTitles.add(title);
          tally.writesAcknowledged++;
        } else if (!created.ok) {
          // In flight when the process died, or sent after: the server is gone.
          unanswered++;
          return;
        } else {
          throw new Error(`a create answered ${created.status}`);
        }
      }
    });
    await sleep(LOAD_BEFORE_KILL_MS);
    first.process.child.kill("SIGKILL");
    const { signal } = await first.process.exited();
    expect(signal).toBe("SIGKILL");
    running = false;
    await Promise.all(writers);
    expect(acknowledgedTitles.size).toBeGreaterThan(0);

    // The same database again, in a new process (on PGlite it takes over the dead process's lock).
    const second = await startInstance({ port, database, smtp });
    cleanups.push(async () => {
      second.process.child.kill("SIGTERM");
      await second.process.exited();
    });
    const page = await browser.get(second, "/todos");
    if (!page.ok || page.status !== 200)
      throw new Error(`the list answered ${page.ok ? page.status : page.code}`);
    const titles = todosOnPage(page.body).map((todo) => todo.title);
    const counts = new Map<string, number>();
    for (const title of titles) counts.set(title, (counts.get(title) ?? 0) + 1);

    expect([...acknowledgedTitles].filter((title) => !counts.has(title))).toEqual([]);
    expect([...counts].filter(([, copies]) => copies > 1)).toEqual([]);
    expect(titles.filter((title) => !attempted.has(title))).toEqual([]);
    tally.writesFound = [...acknowledgedTitles].filter((title) => counts.has(title)).length;
    extra["unanswered writes"] = unanswered;
    extra["unanswered writes found"] = titles.length - tally.writesFound;
  });
});
