/**
 * A `node --cpu-prof` profile in a few lines: the functions with the most self
 * time, and the same time summed per package (or per part of node and of the
 * app), so that a profile can be written down in docs/performance.md and
 * compared from one change to the next.
 *
 *   tsx scripts/bench/cpu-profile.ts <file.cpuprofile> [how many functions]
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

interface Share {
  name: string;
  ms: number;
  percent: number;
}

/** Where a function lives: a package, node's own code, the app's bundle, or V8 (GC, the idle loop). */
function owner(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  if (url.startsWith("node:")) return url;
  if (url.includes("/build/server/")) return "app (Remix build)";
  if (url.includes("/build/server.js")) return "app (server layer)";
  return url.replace(/^file:\/\//, "");
}

export function summarize(profile: CpuProfile, top = 25) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  const { samples = [], timeDeltas = [] } = profile;
  // Each sample's time is the delta to the next one (the last one's is unknown: left out).
  for (let i = 0; i < samples.length - 1; i++) {
    const id = samples[i];
    if (id === undefined) continue;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (timeDeltas[i + 1] ?? 0));
  }
  const functions = new Map<string, number>();
  const owners = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") continue;
    total += micros;
    const where = owner(url, functionName);
    const key = `${functionName || "(anonymous)"}  ${where}${url ? `:${lineNumber + 1}` : ""}`;
    functions.set(key, (functions.get(key) ?? 0) + micros);
    owners.set(where, (owners.get(where) ?? 0) + micros);
  }
  const rank = (entries: Map<string, number>, count: number): Share[] =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, micros]) => ({ name, ms: micros / 1000, percent: (micros / total) * 100 }));
  return { busyMs: total / 1000, functions: rank(functions, top), owners: rank(owners, 15) };
}

export function formatSummary(summary: ReturnType<typeof summarize>): string {
  const line = (share: Share) =>
    `${share.percent.toFixed(1).padStart(5)} %  ${share.ms.toFixed(0).padStart(6)} ms  ${share.name}`;
  return [
    `busy ${summary.busyMs.toFixed(0)} ms (idle left out)`,
    "self time by function:",
    ...summary.functions.map(line),
    "self time by package:",
    ...summary.owners.map(line),
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error("usage: tsx scripts/bench/cpu-profile.ts <file.cpuprofile> [how many functions]");
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  console.log(formatSummary(summarize(profile, top ? Number(top) : 25)));
}
