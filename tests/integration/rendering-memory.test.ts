import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpApp, type HttpApp } from "../support/http-app";

/** V8's full collection, without starting the test process with --expose-gc. */
function collectGarbage() {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
}

const liveHeapBytes = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

/** `count` page requests, `concurrency` at a time, each read to its end. */
async function requestPages(app: HttpApp, pathname: string, count: number, concurrency = 10) {
  let sent = 0;
  const statuses: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < count) {
        sent++;
        const response = await fetch(app.url(pathname), { headers: { "accept-encoding": "gzip" } });
        await response.arrayBuffer();
        statuses.push(response.status);
      }
    }),
  );
  return statuses;
}

describe("memory of rendered pages", () => {
  let app: HttpApp;
  beforeAll(async () => {
    app = await startHttpApp();
    // Code compiled on first use, caches filled once: not what this test is about.
    await requestPages(app, "/login", 100);
  }, 60_000);
  afterAll(() => app.close());

  // A page's render used to leave a 6-second abort timer behind, which held the whole request
  // until it fired (docs/performance.md, "What bounds memory", step 1).
  it("keeps nothing of a page once it is sent", { timeout: 60_000 }, async () => {
    const before = liveHeapBytes();
    const statuses = await requestPages(app, "/login", 400);
    const retained = liveHeapBytes() - before;

    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(statuses).toHaveLength(400);
    // Between a leak and none (docs/performance.md, "What bounds memory", step 1).
    expect(retained).toBeLessThan(6 * 1024 * 1024);
  });
});
