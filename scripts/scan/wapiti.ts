/** wapiti against the whole site, signed in and signed out, one pass at a time. */
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";
import { APP_URL, log, OUT_DIR, TIME_SCALE } from "./config";
import type { Person } from "./person";
import { runTool, which, type ToolRun } from "./processes";
import type { PhaseStats, Proxy } from "./proxy";

/** wapiti's crawl, before its modules start; it takes seconds here. */
const WAPITI_CRAWL_SECONDS = 30;

/** wapiti's modules (docs/security.md, "The scan"; ssrf would need wapiti's server on the internet). */
const XSS_MODULES = ["xss", "permanentxss"];
const INJECTION_MODULES = ["sql", "blindsql", "exec", "file", "crlf", "redirect"];

/** wapiti 3.0.4 with its --exclude fixed for Python 3.11 (see the file). */
const WAPITI_SHIM = fileURLToPath(new URL("wapiti_shim.py", import.meta.url));

export interface WapitiItem {
  method: string;
  path: string;
  info: string;
  parameter: string;
}

export interface WapitiReport {
  vulnerabilities?: Record<string, WapitiItem[]>;
  anomalies?: Record<string, WapitiItem[]>;
}

export interface WapitiPass {
  name: string;
  description: string;
  modules: string[];
  /** The user whose todo list is kept short while wapiti runs (see `keepTodosShort`). */
  janitor?: { person: Person; spareMarkers: boolean };
  /** Where crawling starts, besides `/`. */
  starts: string[];
  cookie?: string;
  /** The time limit of each module, before SCAN_TIME_SCALE. */
  moduleSeconds: number;
}

export interface WapitiResult {
  pass: WapitiPass;
  run: ToolRun;
  stats: PhaseStats;
  report: WapitiReport | null;
  /** URLs and forms wapiti found to attack, as it says. */
  found: number | null;
  /** Modules stopped at their time limit, and modules that never started. */
  cutShort: string[];
  notRun: string[];
}

/** The passes: stored and reflected XSS signed in as `xssUser`, the injections as `siteUser`, all signed out. */
export function wapitiPasses(xssUser: Person, siteUser: Person): WapitiPass[] {
  const signedIn = (name: string, person: Person, modules: string[], moduleSeconds: number): WapitiPass => ({
    name,
    description: `signed in as ${person.email}`,
    starts: ["/todos", "/todos?filter=active", "/settings", "/login?redirectTo=%2Ftodos"],
    cookie: person.sessionToken,
    modules,
    moduleSeconds,
    // Stored XSS needs the markers the xss module leaves (see keepTodosShort).
    janitor: { person, spareMarkers: modules.includes("permanentxss") },
  });
  return [
    signedIn("signed-in-xss", xssUser, XSS_MODULES, 50),
    signedIn("signed-in", siteUser, INJECTION_MODULES, 25),
    {
      // The pages a signed-in user is sent away from.
      name: "signed-out",
      description: "signed out",
      starts: [
        "/login?redirectTo=%2Ftodos",
        "/signup?redirectTo=%2Ftodos",
        "/forgot-password",
        "/verify-email",
        "/verify-email?token=scan",
        "/reset-password?token=scan",
        "/confirm-email?token=scan",
      ],
      modules: [...XSS_MODULES, ...INJECTION_MODULES],
      moduleSeconds: 20,
    },
  ];
}

/** The Python that runs wapiti: its script's own interpreter, so the shim imports the same wapitiCore. */
async function wapitiPython(): Promise<string> {
  const script = which("wapiti");
  const firstLine = script ? ((await readFile(script, "utf8")).split("\n")[0] ?? "") : "";
  const interpreter = firstLine.startsWith("#!/") ? firstLine.slice(2).trim().split(/\s+/)[0] : undefined;
  return interpreter ?? "python3";
}

/**
 * Every valid payload wapiti sends to the create form is a new todo, and every
 * answer of /todos lists them all: after a few hundred, each answer is half a
 * megabyte and the scan crawls. So a janitor deletes the user's todos while
 * wapiti runs, every few seconds.
 *
 * Stored XSS needs care: wapiti's xss module stores harmless markers, and
 * permanentxss later looks for them on every page, then stores each payload
 * and looks at the page again at once. With `spareMarkers`, the janitor
 * touches nothing until wapiti's log says permanentxss starts, keeps the todos
 * there at that moment (the markers), and deletes later ones only once they
 * have been there a whole round (wapiti has looked at them by then).
 */
function keepTodosShort(person: Person, spareMarkers?: { wapitiLog: string }) {
  let stopped = false;
  const loop = (async () => {
    let kept: Set<string> | null = spareMarkers ? null : new Set();
    let previous = new Set<string>();
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const ids = await person.todoIds().catch(() => []);
      if (kept === null) {
        const log = spareMarkers ? await readFile(spareMarkers.wapitiLog, "utf8").catch(() => "") : "";
        if (log.includes("Launching module permanentxss")) kept = new Set(ids);
        previous = new Set(ids);
        continue;
      }
      const spared = kept;
      const doomed = ids.filter((id) => !spared.has(id) && (!spareMarkers || previous.has(id)));
      previous = new Set(ids);
      for (const id of doomed) {
        if (stopped) break;
        await person.deleteTodo(id).catch(() => undefined);
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * On Ctrl-C wapiti asks whether to go to the next module, report, quit or go
 * on; "report" goes on too (3.0.4), and "quit" writes no report. So: "next",
 * until no module is left and it writes its report.
 */
function skipWapitiModules(child: ChildProcess) {
  const skip = setInterval(() => {
    if (child.exitCode !== null || child.signalCode !== null) return clearInterval(skip);
    child.stdin?.write("n\n");
    child.kill("SIGINT");
  }, 3_000);
  skip.unref();
}

export async function runWapiti(pass: WapitiPass, proxy: Proxy): Promise<WapitiResult> {
  const dir = path.join(OUT_DIR, `wapiti-${pass.name}`);
  await mkdir(dir, { recursive: true });
  const reportFile = path.join(dir, "report.json");
  // wapiti 3.0.4's --max-scan-time bounds only the crawl; each module has its own limit.
  const crawlSeconds = Math.round(WAPITI_CRAWL_SECONDS * TIME_SCALE);
  const moduleSeconds = Math.round(pass.moduleSeconds * TIME_SCALE);
  // It checks a module's limit only between the pages it attacks, and one page can take a while.
  const timeoutMs = (crawlSeconds + moduleSeconds * pass.modules.length) * 1000 * 1.25 + 30_000;
  const args = ["--url", `${APP_URL}/`, "--scope", "folder"];
  for (const start of pass.starts) args.push("--start", `${APP_URL}${start}`);
  if (pass.cookie) {
    // wapiti's JSON cookie file: domain, then path, then name.
    const cookieFile = path.join(dir, "cookies.json");
    const cookie = { value: pass.cookie, expires: null, secure: false, port: null, version: 0 };
    await writeFile(cookieFile, JSON.stringify({ "127.0.0.1": { "/": { [SESSION_COOKIE]: cookie } } }));
    args.push("--cookie", cookieFile);
  }
  args.push(
    // wapiti submits forms while it crawls: signing out would end the session the rest of the scan needs.
    "--exclude",
    `${APP_URL}/logout*`,
    "--header",
    `Origin: ${APP_URL}`,
    // wapiti asks for brotli, which Debian's package cannot decode (no python3-brotli): it would see no links.
    "--header",
    "Accept-Encoding: gzip, deflate",
    "--module",
    pass.modules.join(","),
    "--max-scan-time",
    String(crawlSeconds),
    "--max-attack-time",
    String(moduleSeconds),
    "--flush-session",
    "--store-session",
    path.join(dir, "session"),
    "--store-config",
    path.join(dir, "config"),
    "--format",
    "json",
    "--output",
    reportFile,
    "--verbose",
    "1",
    "--no-bugreport",
  );
  log(
    `wapiti: ${pass.description}: ${pass.modules.join(", ")} (crawl ${crawlSeconds} s, each module ${moduleSeconds} s at most)`,
  );
  proxy.phase("random");
  const logFile = path.join(dir, "output.txt");
  const janitor = pass.janitor
    ? keepTodosShort(pass.janitor.person, pass.janitor.spareMarkers ? { wapitiLog: logFile } : undefined)
    : null;
  const run = await runTool(await wapitiPython(), [WAPITI_SHIM, ...args], {
    logFile,
    timeoutMs,
    interrupt: skipWapitiModules,
    stamp: true,
  });
  await janitor?.stop();
  const stats = proxy.phase("as-sent");
  const output = await readFile(logFile, "utf8");
  const found = /Wapiti found (\d+) URLs and forms/.exec(output)?.[1];
  const report = existsSync(reportFile)
    ? (JSON.parse(await readFile(reportFile, "utf8")) as WapitiReport)
    : null;
  const launched = [...output.matchAll(/Launching module (\w+)/g)].map((match) => match[1] ?? "");
  return {
    pass,
    run,
    stats,
    report,
    found: found === undefined ? null : Number(found),
    cutShort: [...output.matchAll(/Max attack time was reached for module (\w+)/g)].map(
      (match) => match[1] ?? "",
    ),
    notRun: pass.modules.filter((module) => !launched.includes(module)),
  };
}
