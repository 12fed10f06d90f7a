/** What the tools found, said plainly; whether it fails the scan. */
import path from "node:path";
import { OUT_DIR, seconds } from "./config";
import type { PhaseStats } from "./proxy";
import type { SqlmapResult } from "./sqlmap";
import type { WapitiItem, WapitiResult } from "./wapiti";

/** What fails the scan (docs/security.md, "The scan"): any SQL injection, XSS or open redirect. */
const FAILING_WAPITI_CATEGORIES = new Set([
  "SQL Injection",
  "Blind SQL Injection",
  "Cross Site Scripting",
  "Open Redirect",
]);

/** Which requests got the refusals, one line per status. */
const refusalLines = (stats: PhaseStats, indent: string) =>
  [...stats.refused].map(([status, seen]) => `${indent}${status} for: ${[...seen].join(", ")}`);

function statusLine(stats: PhaseStats): string {
  const codes = [...stats.byStatus].sort(([a], [b]) => a - b).map(([code, count]) => `${code}×${count}`);
  return `${stats.requests} requests (${codes.join(", ") || "none"}), server busy ${seconds(stats.serverMs)}`;
}

/** Prints what the tools found; true when something fails the scan. */
export function summarize(
  sqlmap: SqlmapResult[],
  wapiti: WapitiResult[],
  notes: string[],
): { failed: boolean; text: string } {
  let failed = false;
  const out: string[] = ["", "=== Scan summary ===", ""];

  if (sqlmap.length > 0) out.push("sqlmap:");
  for (const result of sqlmap) {
    const verdict =
      result.injectable.length > 0
        ? "SQL INJECTION"
        : result.clean
          ? "no injection"
          : result.run.timedOut
            ? "stopped at its time limit, no injection found until then"
            : "finished without a verdict (see its output)";
    out.push(`  ${result.target.description}: ${verdict}`);
    out.push(`    ${seconds(result.run.ms)}, ${statusLine(result.stats)}`);
    for (const line of result.injectable) out.push(`    injectable: ${line}`);
    for (const line of result.xss) out.push(`    XSS (heuristic): ${line}`);
    for (const line of result.hints) out.push(`    hint, not confirmed: ${line}`);
    if (result.unfinished.length > 0) out.push(`    not finished: ${result.unfinished.join(", ")}`);
    for (const line of result.stats.serverErrors) out.push(`    server error: ${line}`);
    out.push(...refusalLines(result.stats, "    "));
    if (result.injectable.length > 0 || result.xss.length > 0) failed = true;
  }

  for (const result of wapiti) {
    out.push("", `wapiti, ${result.pass.description}:`);
    const limit = result.run.timedOut ? ", stopped at its time limit" : "";
    out.push(
      `  ${seconds(result.run.ms)}, ${result.found ?? "?"} URLs and forms, ${statusLine(result.stats)}${limit}`,
    );
    if (result.cutShort.length > 0) out.push(`  stopped at their time limit: ${result.cutShort.join(", ")}`);
    if (result.notRun.length > 0) out.push(`  never started: ${result.notRun.join(", ")}`);
    if (!result.report) {
      out.push(`  no report was written (see .scan/wapiti-${result.pass.name}/output.txt)`);
      failed = true;
      continue;
    }
    const sections: [string, Record<string, WapitiItem[]> | undefined][] = [
      ["vulnerabilities", result.report.vulnerabilities],
      ["anomalies", result.report.anomalies],
    ];
    for (const [section, categories] of sections) {
      const found = Object.entries(categories ?? {}).filter(([, items]) => items.length > 0);
      out.push(`  ${section}: ${found.length === 0 ? "none" : ""}`);
      for (const [category, items] of found) {
        const fails = section === "vulnerabilities" && FAILING_WAPITI_CATEGORIES.has(category);
        if (fails) failed = true;
        out.push(`    ${category}: ${items.length}${fails ? "  <-- fails the scan" : ""}`);
        for (const item of items.slice(0, 10)) {
          const where = `${item.method} ${item.path}${item.parameter ? ` [${item.parameter}]` : ""}`;
          out.push(`      ${where}: ${item.info.split("\n")[0] ?? ""}`);
        }
        if (items.length > 10)
          out.push(`      … ${items.length - 10} more in .scan/wapiti-${result.pass.name}/report.json`);
      }
    }
    for (const line of result.stats.serverErrors) out.push(`  server error: ${line}`);
    out.push(...refusalLines(result.stats, "  "));
  }

  out.push("", ...notes.map((line) => `note: ${line}`));
  out.push(
    "",
    failed
      ? "RESULT: findings that fail the scan (see above)"
      : "RESULT: no SQL injection, no cross-site scripting, no open redirect reported",
    `Reports: ${path.relative(process.cwd(), OUT_DIR)}/`,
  );
  return { failed, text: out.join("\n") };
}
