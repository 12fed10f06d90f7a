/** sqlmap against the sign-in and todo forms, one target at a time. */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";
import { APP_URL, log, OUT_DIR, seconds, SQLMAP_LEVEL, SQLMAP_RISK, TIME_SCALE } from "./config";
import type { Person } from "./person";
import { runTool, type ToolRun } from "./processes";
import type { AddressMode, PhaseStats, Proxy } from "./proxy";

export interface SqlmapTarget {
  name: string;
  description: string;
  path: string;
  data: string;
  /** The session cookie that goes along, if any. */
  cookie?: string;
  /** What sqlmap tests: form fields, and headers or cookies by name. */
  params: string[];
  level: number;
  addresses: AddressMode;
  /** Its time limit, before SCAN_TIME_SCALE. */
  minutes: number;
}

export interface SqlmapResult {
  target: SqlmapTarget;
  run: ToolRun;
  stats: PhaseStats;
  /** Injection points sqlmap confirmed. */
  injectable: string[];
  /** sqlmap's heuristic XSS check saw its probe come back unescaped. */
  xss: string[];
  /** Heuristic hints that sqlmap then did not confirm. */
  hints: string[];
  /** sqlmap's own verdict: "all tested parameters do not appear to be injectable". */
  clean: boolean;
  /** The parameters it finished with, and those it did not get to (when stopped at its time limit). */
  finished: string[];
  unfinished: string[];
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/**
 * The forms sqlmap attacks: the sign-in as `loginUser` (with its real
 * password), and the todo forms as `todoUser`, whose todo `todoId` it renames.
 */
export function sqlmapTargets(loginUser: Person, todoUser: Person, todoId: string): SqlmapTarget[] {
  return [
    {
      name: "login",
      description: "POST /login (email, password, redirectTo, User-Agent)",
      path: "/login",
      // The real password: a true condition injected into a working sign-in would show as a different answer.
      data: form({ email: loginUser.email, password: loginUser.password, redirectTo: "/todos" }),
      // Sign-in stores the User-Agent (sessions, security history); the Referer it never reads.
      params: ["email", "password", "redirectTo", "User-Agent"],
      // Every attempt here hashes a password, so a level lower than the todos' keeps it within minutes.
      level: 2,
      addresses: "known",
      minutes: 4,
    },
    // Update before create: the create run adds hundreds of todos, and every answer of /todos lists them all.
    {
      name: "todos-update",
      description: "POST /todos intent=update (id, title, session cookie)",
      path: "/todos",
      data: form({ intent: "update", id: todoId, title: "Scan probe renamed" }),
      cookie: todoUser.sessionToken,
      // sqlmap leaves the session cookie alone below level 4 (it looks like a token) unless named.
      params: ["intent", "id", "title", SESSION_COOKIE],
      level: 3,
      addresses: "random",
      minutes: 2,
    },
    {
      name: "todos-create",
      description: "POST /todos intent=create (title, session cookie)",
      path: "/todos",
      data: form({ intent: "create", title: "Scan probe" }),
      cookie: todoUser.sessionToken,
      params: ["intent", "title"],
      level: 3,
      addresses: "random",
      minutes: 2,
    },
  ];
}

const tidy = (line: string) => line.replace(/^\[\d\d:\d\d:\d\d\]\s*/, "").trim();

export async function runSqlmap(target: SqlmapTarget, proxy: Proxy): Promise<SqlmapResult> {
  const level = SQLMAP_LEVEL ?? target.level;
  const timeoutMs = target.minutes * 60_000 * TIME_SCALE;
  const dir = path.join(OUT_DIR, "sqlmap", target.name);
  await mkdir(dir, { recursive: true });
  const args = [
    `--url=${APP_URL}${target.path}`,
    "--method=POST",
    `--data=${target.data}`,
    // Without it every POST is refused as cross-site (403), and the scan would test nothing.
    `--headers=Origin: ${APP_URL}`,
    "--batch",
    `--level=${level}`,
    `--risk=${SQLMAP_RISK}`,
    // The app only ever talks to PostgreSQL (or PGlite, which is PostgreSQL): other dialects only cost time.
    "--dbms=PostgreSQL",
    // Success is a redirect; following it would re-post the form elsewhere. The 302 itself is the signal.
    "--ignore-redirects",
    "--code=302",
    // Keep the cookie given, and never pick up the session a successful sign-in sets.
    "--drop-set-cookie",
    "--flush-session",
    "--disable-coloring",
    "--timeout=15",
    "--retries=1",
    `--output-dir=${dir}`,
    // Every request and answer, to read a finding's details from.
    "-t",
    path.join(dir, "traffic.txt"),
  ];
  if (target.cookie) args.push(`--cookie=${SESSION_COOKIE}=${target.cookie}`);
  args.push("-p", target.params.join(","));
  const logFile = path.join(dir, "output.txt");
  log(`sqlmap: ${target.description} (level ${level}, risk ${SQLMAP_RISK}, ${seconds(timeoutMs)} at most)`);
  proxy.phase(target.addresses);
  // On Ctrl-C sqlmap asks what to do; with --batch and no input it ends, keeping its output.
  const run = await runTool("sqlmap", args, { logFile, timeoutMs });
  const stats = proxy.phase("as-sent");

  const output = await readFile(logFile, "utf8");
  const lines = output.split("\n");
  const pick = (pattern: RegExp) => [...new Set(lines.filter((line) => pattern.test(line)).map(tidy))];
  const injectable = pick(/parameter '[^']+' (?:is|appears to be) .*(?:injectable|vulnerable)/i);
  // sqlmap also writes the injection points it confirmed to <output-dir>/<host>/log.
  const pointsFile = path.join(dir, "127.0.0.1", "log");
  const points = existsSync(pointsFile) ? (await readFile(pointsFile, "utf8")).trim() : "";
  if ((points || /identified the following injection point/.test(output)) && injectable.length === 0) {
    injectable.push(`sqlmap identified an injection point: see ${path.relative(process.cwd(), logFile)}`);
  }
  const finished = [
    ...new Set(
      [...output.matchAll(/parameter '([^']+)' (?:does not seem to be injectable|is vulnerable)/g)].map(
        (m) => m[1] ?? "",
      ),
    ),
  ];
  return {
    target,
    run,
    stats,
    injectable,
    xss: pick(/might be vulnerable to cross-site scripting/i),
    hints: pick(/might be injectable|might be vulnerable to (?!cross-site)/i),
    clean: /do not appear to be injectable/.test(output),
    finished,
    unfinished: target.params.filter((param) => !finished.includes(param)),
  };
}
