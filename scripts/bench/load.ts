/**
 * One scenario under load: autocannon (as a library, on loopback) for a fixed
 * time after a warm-up whose figures are thrown away, while the server's
 * resident memory is sampled from /proc.
 */
import type { IncomingHttpHeaders } from "node:http";
import autocannon from "autocannon";
import { cpuSeconds, residentBytes } from "./app";

export interface Scenario {
  name: string;
  /** What counts as success: pages answer 200; form posts redirect (303/302). */
  expect: "2xx" | "3xx";
  connections: number;
  requests: autocannon.Request[];
  /** Static headers for every request (cookies, bearer tokens are set per request in `requests`). */
  headers?: Record<string, string>;
  /**
   * Whether a 503 with Retry-After is the server shedding load on purpose (a
   * full sign-in queue): counted apart, not as an error.
   */
  sheddingAllowed?: boolean;
  /** Skip the warm-up when the scenario before it already warmed the same path. */
  noWarmup?: boolean;
  /** At least this many seconds (a slow scenario needs a few answers even in --quick). */
  minDurationSeconds?: number;
  /** The reference's page to measure in turns with this one (scripts/bench/reference.ts). */
  reference?: string;
}

export interface Measurement {
  name: string;
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Answers as expected (2xx, or 3xx for posts). */
  ok: number;
  /** Everything else: other statuses, socket errors, timeouts. */
  errors: number;
  /** 503s with Retry-After, when the scenario allows shedding (not in `errors`). */
  shed: number;
  statusCounts: Record<string, number>;
  peakRss: number | null;
  /** The server's CPU time over the measured run, in percent of one core (its main thread is one core at most). */
  cpuPercent: number | null;
}

export interface Timing {
  warmupSeconds: number;
  durationSeconds: number;
}

/** Samples the server's RSS every 100 ms until stopped; returns the peak. */
function sampleRss(pid: number) {
  let peak: number | null = null;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rss = await residentBytes(pid);
      if (rss !== null) peak = Math.max(peak ?? 0, rss);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return peak;
  };
}

export async function measure(
  url: string,
  pid: number,
  scenario: Scenario,
  timing: Timing,
): Promise<Measurement> {
  let shed = 0;
  const requests = scenario.requests.map((request) =>
    scenario.sheddingAllowed
      ? {
          ...request,
          onResponse: (status: number, _body: string, _context: object, headers?: IncomingHttpHeaders) => {
            if (status === 503 && headers && headers["retry-after"] !== undefined) shed++;
          },
        }
      : request,
  );
  const options: autocannon.Options = {
    url,
    connections: scenario.connections,
    headers: scenario.headers,
    requests,
    // A slow answer is a figure, not an error: only a stuck server should time out.
    timeout: 30,
  };
  if (timing.warmupSeconds > 0 && !scenario.noWarmup) {
    await autocannon({ ...options, duration: timing.warmupSeconds });
  }
  shed = 0;
  const stopSampling = sampleRss(pid);
  const cpuBefore = await cpuSeconds(pid);
  const result = await autocannon({
    ...options,
    duration: Math.max(timing.durationSeconds, scenario.minDurationSeconds ?? 0),
  });
  const cpuAfter = await cpuSeconds(pid);
  const peakRss = await stopSampling();

  const statusCounts: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statusCounts[status] = stats.count ?? 0;
  }
  const expected = scenario.expect === "2xx" ? result["2xx"] : result["3xx"];
  const answered = result["1xx"] + result["2xx"] + result["3xx"] + result["4xx"] + result["5xx"];
  return {
    name: scenario.name,
    connections: scenario.connections,
    // Completed requests over the measured time, whatever their answer.
    requestsPerSecond: answered / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: expected,
    errors: answered - expected - shed + result.errors,
    shed,
    statusCounts,
    peakRss,
    cpuPercent:
      cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) / result.duration) * 100,
  };
}

const ratio = (value: number, base: number) => (base > 0 ? `${(value / base).toFixed(2)}` : "-");
const mb = (bytes: number | null) => (bytes === null ? "n/a" : `${(bytes / 1024 / 1024).toFixed(0)}`);

/**
 * The table: each figure, and its ratio to the anonymous page's in the same
 * run (the first row), so machines of different speed can still be compared.
 */
export function formatTable(rows: Measurement[]): string {
  const base = rows[0];
  const header = [
    "scenario".padEnd(24),
    "conns".padStart(5),
    "req/s".padStart(8),
    "p50 ms".padStart(7),
    "p99 ms".padStart(7),
    "ok".padStart(7),
    "errors".padStart(6),
    "RSS MB".padStart(6),
    "CPU %".padStart(5),
    "│",
    "× req/s".padStart(7),
    "× p50".padStart(6),
    "× p99".padStart(6),
    "× RSS".padStart(6),
  ].join(" ");
  const lines = [header, "─".repeat(header.length)];
  for (const row of rows) {
    const errors = row.shed > 0 ? `${row.errors}+${row.shed} shed` : String(row.errors);
    lines.push(
      [
        row.name.padEnd(24),
        String(row.connections).padStart(5),
        row.requestsPerSecond.toFixed(0).padStart(8),
        row.p50.toFixed(1).padStart(7),
        row.p99.toFixed(1).padStart(7),
        String(row.ok).padStart(7),
        errors.padStart(6),
        mb(row.peakRss).padStart(6),
        (row.cpuPercent === null ? "n/a" : row.cpuPercent.toFixed(0)).padStart(5),
        "│",
        ratio(row.requestsPerSecond, base?.requestsPerSecond ?? 0).padStart(7),
        ratio(row.p50, base?.p50 ?? 0).padStart(6),
        ratio(row.p99, base?.p99 ?? 0).padStart(6),
        ratio(row.peakRss ?? 0, base?.peakRss ?? 0).padStart(6),
      ].join(" "),
    );
  }
  return lines.join("\n");
}
