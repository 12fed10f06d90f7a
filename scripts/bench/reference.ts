/**
 * The reference the bench holds the app to (scripts/bench/reference/): a bare
 * Remix app on the same versions of Remix, React, Express and compression,
 * rendering the same markup as our /login and /todos with 50 todos from fixed
 * data: no session, no database, no security headers, no logging. The bench
 * builds it (its own Vite config, into build/bench-reference) and serves it
 * from a process of its own, measured in the same run as the app, alternating.
 */
import { spawn, spawnSync } from "node:child_process";
import { freePort, waitForOk } from "../../harness/process";
import type { Measurement } from "./load";

export function buildReference(): void {
  const result = spawnSync(
    "npx",
    ["remix", "vite:build", "--config", "scripts/bench/reference/vite.config.ts"],
    { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" },
  );
  if (result.status !== 0) {
    throw new Error(`building the reference failed:\n${result.stdout}${result.stderr}`);
  }
}

export interface RunningReference {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startReference(): Promise<RunningReference> {
  const port = await freePort();
  const child = spawn(process.execPath, ["scripts/bench/reference/server.mjs"], {
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", HOST: "127.0.0.1", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
  };
  try {
    await waitForOk(`${url}/login`, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`the reference did not start:\n${output}`, { cause: error });
  }
  if (child.pid === undefined) throw new Error("the reference process has no pid");
  return { url, pid: child.pid, stop };
}

/**
 * One figure from several measured rounds of the same scenario: requests per
 * second over their whole time, latency percentiles as the mean of the
 * rounds' (autocannon keeps no histogram across runs), counts added up, the
 * peak of the peaks, CPU weighted by each round's time.
 */
export function combineRounds(rounds: Measurement[], seconds: number[]): Measurement {
  const [first] = rounds;
  if (!first) throw new Error("no round to combine");
  const total = seconds.reduce((sum, value) => sum + value, 0);
  const mean = (pick: (row: Measurement) => number) =>
    rounds.reduce((sum, row) => sum + pick(row), 0) / rounds.length;
  const statusCounts: Record<string, number> = {};
  for (const row of rounds) {
    for (const [status, count] of Object.entries(row.statusCounts)) {
      statusCounts[status] = (statusCounts[status] ?? 0) + count;
    }
  }
  const peaks = rounds.map((row) => row.peakRss).filter((value): value is number => value !== null);
  const cpu = rounds.every((row) => row.cpuPercent !== null)
    ? rounds.reduce((sum, row, index) => sum + (row.cpuPercent ?? 0) * (seconds[index] ?? 0), 0) / total
    : null;
  return {
    ...first,
    requestsPerSecond:
      rounds.reduce((sum, row, index) => sum + row.requestsPerSecond * (seconds[index] ?? 0), 0) / total,
    p50: mean((row) => row.p50),
    p99: mean((row) => row.p99),
    ok: rounds.reduce((sum, row) => sum + row.ok, 0),
    errors: rounds.reduce((sum, row) => sum + row.errors, 0),
    shed: rounds.reduce((sum, row) => sum + row.shed, 0),
    statusCounts,
    peakRss: peaks.length > 0 ? Math.max(...peaks) : null,
    cpuPercent: cpu,
  };
}

/** The server's CPU time per answer in milliseconds (all its threads), or null when unknown. */
export const cpuMsPerRequest = (row: Measurement) =>
  row.cpuPercent === null || row.requestsPerSecond <= 0
    ? null
    : (row.cpuPercent * 10) / row.requestsPerSecond;
