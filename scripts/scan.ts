/**
 * `npm run scan`: attacks the production build with sqlmap and wapiti and says
 * what they found.
 *
 * It starts a real SMTP catcher and `node build/server.js` (in-memory database),
 * signs test users up the way a person would (form, mail, link), then runs
 * sqlmap against the sign-in and todo forms and wapiti against the whole site,
 * signed in and signed out. Every request goes through a small proxy that
 * counts what the server answered and gives each request its own client
 * address (see `startProxy`). Reports land in `.scan/` (git-ignored).
 *
 * Exit code: 1 when any SQL injection, cross-site scripting or open redirect is
 * reported, 2 when the scan itself could not run, else 0.
 *
 * Environment: SCAN_PORT (default 3311; the server itself listens on the next
 * port), SCAN_TOOLS (`sqlmap,wapiti`, to run one alone), SCAN_TIME_SCALE (1;
 * multiplies every time limit, for a slow machine or a deeper scan),
 * SCAN_SQLMAP_LEVEL / SCAN_SQLMAP_RISK (override the per-target level; risk 2).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { createInterface } from "node:readline";
import { linkIn, startSmtpCatcher, type SmtpCatcher } from "../harness/smtp";
import { startScript, waitForOk } from "../harness/process";

const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

const PUBLIC_PORT = envNumber("SCAN_PORT", 3311);
// The server sits behind the proxy, on the next port; APP_URL is the proxy's.
const SERVER_PORT = PUBLIC_PORT + 1;
const APP_URL = `http://127.0.0.1:${PUBLIC_PORT}`;
const OUT_DIR = path.resolve(".scan");
const TOOLS = new Set((process.env.SCAN_TOOLS ?? "sqlmap,wapiti").split(",").map((tool) => tool.trim()));
const TIME_SCALE = envNumber("SCAN_TIME_SCALE", 1);
const SQLMAP_LEVEL = process.env.SCAN_SQLMAP_LEVEL ? envNumber("SCAN_SQLMAP_LEVEL", 3) : null;
// Risk 3 adds OR-based payloads, which on an UPDATE would rewrite every row: not on anything real.
const SQLMAP_RISK = envNumber("SCAN_SQLMAP_RISK", 2);
/** wapiti's crawl, before its modules start; it takes seconds here. */
const WAPITI_CRAWL_SECONDS = 30;
const SESSION_COOKIE = "todo.session_token";

/**
 * The sign-in user signs in from this many addresses before sqlmap attacks its
 * form, and the proxy hands them out in turn (see `startProxy`).
 */
const KNOWN_ADDRESS_COUNT = 100;
const KNOWN_ADDRESSES = Array.from(
  { length: KNOWN_ADDRESS_COUNT },
  (_, index) => `100.100.${Math.floor(index / 250)}.${(index % 250) + 1}`,
);

/** wapiti's modules: the issue's list (ssrf would need wapiti's server on the internet). */
const XSS_MODULES = ["xss", "permanentxss"];
const INJECTION_MODULES = ["sql", "blindsql", "exec", "file", "crlf", "redirect"];

/** What fails the scan: the issue's bar is no SQL injection, no XSS, no open redirect. */
const FAILING_WAPITI_CATEGORIES = new Set([
  "SQL Injection",
  "Blind SQL Injection",
  "Cross Site Scripting",
  "Open Redirect",
]);

const log = (line: string) => console.log(`[scan] ${line}`);

// ---------------------------------------------------------------------------
// Tools

const which = (command: string): string | null => {
  const found = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : null;
};

function ensureTools() {
  const missing = ["sqlmap", "wapiti"].filter((tool) => which(tool) === null);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(
      `[scan] ${missing.join(" and ")} not found. Install them from Debian: sudo apt-get install -y sqlmap wapiti`,
    );
    process.exit(2);
  }
  log(`installing ${missing.join(", ")} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let install = spawnSync("apt-get", ["install", "-y", ...missing], { stdio: "inherit", env });
  if (install.status !== 0) {
    // A fresh container has no package lists yet.
    spawnSync("apt-get", ["update"], { stdio: "inherit", env });
    install = spawnSync("apt-get", ["install", "-y", ...missing], { stdio: "inherit", env });
  }
  if (install.status !== 0 || missing.some((tool) => which(tool) === null)) {
    console.error("[scan] apt-get could not install sqlmap and wapiti");
    process.exit(2);
  }
}

/** The Python that runs wapiti: its script's own interpreter, so the shim imports the same wapitiCore. */
async function wapitiPython(): Promise<string> {
  const script = which("wapiti");
  const firstLine = script ? ((await readFile(script, "utf8")).split("\n")[0] ?? "") : "";
  const interpreter = firstLine.startsWith("#!/") ? firstLine.slice(2).trim().split(/\s+/)[0] : undefined;
  return interpreter ?? "python3";
}

// ---------------------------------------------------------------------------
// The proxy

interface PhaseStats {
  requests: number;
  byStatus: Map<number, number>;
  /** The first few requests the server failed on, as "METHOD /path -> status". */
  serverErrors: string[];
  /** For the refusals worth explaining (403, 413, 429): the first few distinct "METHOD /path" that got them. */
  refused: Map<number, Set<string>>;
  /** Time the server took to answer, summed: against the phase's length, whether it or the tool was slow. */
  serverMs: number;
}

/** Marks the script's own requests, for the proxy. */
const HELPER_HEADER = "x-scan-helper";

const newStats = (): PhaseStats => ({
  requests: 0,
  byStatus: new Map(),
  serverErrors: [],
  refused: new Map(),
  serverMs: 0,
});
const EXPLAINED_REFUSALS = new Set([403, 413, 429]);

/**
 * How the proxy sets X-Forwarded-For, which the server believes from loopback.
 *
 * The app limits forms per client address (sign-in 50, sign-up 10 an hour,
 * password checks 10, …), and holds an account after 100 failed sign-ins in a
 * row from addresses it has never signed in from: by design, and fatal to a
 * scan, where every answer would become the same 429. So during the tools'
 * phases each request gets an address of its own ("random"; like sqlmap's
 * `--tamper=xforwardedfor`, which wapiti has no equivalent of). Against the
 * sign-in form that beats the address limits but not the account's, so there
 * each request gets the next of KNOWN_ADDRESSES ("known"), which the account
 * has signed in from: each sees a handful of attempts, none counts against it.
 */
type AddressMode = "as-sent" | "random" | "known";

/** A fresh address per request: 100.64.0.0–100.98.255.255 (shared address space, never a real client). */
const randomAddress = () =>
  `100.${64 + Math.floor(Math.random() * 35)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;

/** Forwards everything to the server and counts what it answers, per phase. */
async function startProxy() {
  let current = newStats();
  let mode: AddressMode = "as-sent";
  let next = 0;
  const server = http.createServer((req, res) => {
    // The script's own requests (sign-ups, the janitor) are not the tools' and are not counted.
    const stats = req.headers[HELPER_HEADER] === undefined ? current : newStats();
    delete req.headers[HELPER_HEADER];
    stats.requests += 1;
    const sent = performance.now();
    if (mode === "random") req.headers["x-forwarded-for"] = randomAddress();
    if (mode === "known") {
      req.headers["x-forwarded-for"] = KNOWN_ADDRESSES[next % KNOWN_ADDRESSES.length];
      next += 1;
    }
    const upstream = http.request(
      { host: "127.0.0.1", port: SERVER_PORT, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const status = answer.statusCode ?? 0;
        stats.serverMs += performance.now() - sent;
        stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
        if (status >= 500 && stats.serverErrors.length < 20) {
          stats.serverErrors.push(`${req.method ?? "?"} ${(req.url ?? "").slice(0, 200)} -> ${status}`);
        }
        if (EXPLAINED_REFUSALS.has(status)) {
          const seen = stats.refused.get(status) ?? new Set<string>();
          if (seen.size < 6)
            seen.add(`${req.method ?? "?"} ${(req.url ?? "").split("?")[0]?.slice(0, 80) ?? ""}`);
          stats.refused.set(status, seen);
        }
        res.writeHead(status, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(PUBLIC_PORT, "127.0.0.1", () => resolve());
  });
  return {
    /** Starts a new phase (rotating addresses or not); returns the stats of the one that ends. */
    phase(addresses: AddressMode): PhaseStats {
      const done = current;
      current = newStats();
      mode = addresses;
      return done;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Proxy = Awaited<ReturnType<typeof startProxy>>;

// ---------------------------------------------------------------------------
// The server

/**
 * `node build/server.js` in production, from a copy of the build: others
 * rebuild `build/` while they work, and a scan that loses its server files
 * half-way reports nonsense. The server reads its build and migrations
 * relative to its working directory; packages resolve up to node_modules.
 */
async function startServer(smtpUrl: string) {
  const root = path.join(OUT_DIR, "app");
  await cp("build", path.join(root, "build"), { recursive: true });
  await cp(path.join("db", "migrations"), path.join(root, "db", "migrations"), { recursive: true });
  const start = startScript();
  const env = {
    PATH: process.env.PATH ?? "",
    ...start.env,
    NODE_ENV: "production" as const,
    HOST: "127.0.0.1",
    PORT: String(SERVER_PORT),
    APP_URL,
    BETTER_AUTH_SECRET: randomBytes(32).toString("base64"),
    PGLITE_DIR: "memory://",
    DATABASE_URL: "",
    SMTP_URL: smtpUrl,
    TRUST_PROXY: "loopback",
    LOG_LEVEL: "warn",
  };
  const child = spawn(process.execPath, [...start.nodeOptions, "build/server.js"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  spawned.add(child);
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

// ---------------------------------------------------------------------------
// A person with a browser (no JavaScript)

class Person {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly email: string,
    readonly password: string,
    /** Where this person's own requests come from: each user its own rate-limit buckets. */
    readonly address: string,
  ) {}

  get sessionToken(): string {
    const token = this.cookies.get(SESSION_COOKIE);
    if (token === undefined) throw new Error(`${this.email} has no session cookie`);
    return token;
  }

  async request(
    pathname: string,
    form?: Record<string, string>,
    { address = this.address, withCookies = true } = {},
  ): Promise<Response> {
    const headers = new Headers({
      "X-Forwarded-For": address,
      "User-Agent": "todo-scan",
      [HELPER_HEADER]: "1",
    });
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    if (cookie && withCookies) headers.set("Cookie", cookie);
    // Every state change must say it comes from the app itself.
    if (form) headers.set("Origin", APP_URL);
    const response = await fetch(new URL(pathname, APP_URL), {
      method: form ? "POST" : "GET",
      headers,
      body: form ? new URLSearchParams(form) : undefined,
      redirect: "manual",
    });
    if (!withCookies) return response;
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      if (at < 1) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === "" || /max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  async signUp(catcher: SmtpCatcher) {
    const answer = await this.request("/signup", {
      name: this.name,
      email: this.email,
      password: this.password,
      confirmPassword: this.password,
    });
    if (answer.status >= 400) throw new Error(`sign-up of ${this.email} answered ${answer.status}`);
    const [mail] = await catcher.waitFor(this.email, 1, 30_000);
    if (!mail) throw new Error(`no confirmation mail for ${this.email}`);
    const link = new URL(linkIn(mail, `${APP_URL}/verify-email?token=`));
    // The link moves its token into the page's cookie; the page's button confirms.
    await this.request(`${link.pathname}${link.search}`);
    await this.request(link.pathname, { intent: "confirm" });
    if (!this.cookies.has(SESSION_COOKIE)) throw new Error(`confirming ${this.email} did not sign in`);
  }

  /** A sign-in from another address, in a browser of its own: the account then knows that address. */
  async signInFrom(address: string): Promise<void> {
    const form = { email: this.email, password: this.password, redirectTo: "/todos" };
    const answer = await this.request("/login", form, { address, withCookies: false });
    if (answer.status !== 302 && answer.status !== 303) {
      throw new Error(`signing ${this.email} in from ${address} answered ${answer.status}`);
    }
  }

  async isSignedIn(): Promise<boolean> {
    return (await this.request("/todos")).status === 200;
  }

  async createTodo(title: string) {
    // Success is a redirect back to the list; a lost session would redirect to /login.
    const answer = await this.request("/todos", { intent: "create", title });
    if (answer.headers.get("location")?.startsWith("/login"))
      throw new Error(`${this.email} is not signed in`);
    if (answer.status >= 400) throw new Error(`creating a todo answered ${answer.status}`);
  }

  async todoIds(): Promise<string[]> {
    const page = await (await this.request("/todos")).text();
    const ids = page.matchAll(/value="([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/g);
    return [...new Set([...ids].map((match) => match[1] ?? ""))].filter(Boolean);
  }
}

// ---------------------------------------------------------------------------
// Child processes

/** The tools running now. */
const tools = new Set<ChildProcess>();
/** Everything started, for the last-resort kill when the process exits without cleaning up. */
const spawned = new Set<ChildProcess>();

interface ToolRun {
  code: number | null;
  timedOut: boolean;
  ms: number;
}

interface ToolOptions {
  logFile: string;
  timeoutMs: number;
  /** How to stop the tool early so that it still reports; SIGINT unless given. */
  interrupt?: (child: ChildProcess) => void;
  /** Prefix each line with the seconds since start, for tools that print no times. */
  stamp?: boolean;
}

/** Runs a tool with its output written to a file, interrupted after `timeoutMs` and killed a minute later. */
function runTool(command: string, args: string[], options: ToolOptions): Promise<ToolRun> {
  const started = Date.now();
  // After Ctrl-C nothing new starts.
  if (cleaning) return Promise.reject(new Error("stopped"));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    tools.add(child);
    spawned.add(child);
    const file = createWriteStream(options.logFile);
    file.write(`$ ${command} ${args.map((arg) => JSON.stringify(arg)).join(" ")}\n\n`);
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      if (!options.stamp) {
        stream.pipe(file, { end: false });
        continue;
      }
      createInterface({ input: stream }).on("line", (line) => {
        file.write(`[${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}\n`);
      });
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      (options.interrupt ?? ((tool: ChildProcess) => tool.kill("SIGINT")))(child);
      setTimeout(() => child.kill("SIGKILL"), 60_000).unref();
    }, options.timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      tools.delete(child);
      file.end(() => resolve({ code, timedOut, ms: Date.now() - started }));
    });
  });
}

// ---------------------------------------------------------------------------
// sqlmap

interface SqlmapTarget {
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

interface SqlmapResult {
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

const tidy = (line: string) => line.replace(/^\[\d\d:\d\d:\d\d\]\s*/, "").trim();

async function runSqlmap(target: SqlmapTarget, proxy: Proxy): Promise<SqlmapResult> {
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

// ---------------------------------------------------------------------------
// wapiti

interface WapitiItem {
  method: string;
  path: string;
  info: string;
  parameter: string;
}

interface WapitiReport {
  vulnerabilities?: Record<string, WapitiItem[]>;
  anomalies?: Record<string, WapitiItem[]>;
}

interface WapitiPass {
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

interface WapitiResult {
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

/*
 * wapiti 3.0.4 builds its --exclude patterns as `re.compile(r"…\Z(?ms)")`, which
 * Python 3.11 refuses (global flags must come first), so any -x crashes it. This
 * shim runs wapiti with that one function replaced by the same, fixed.
 */
const WAPITI_SHIM = [
  "import re, sys",
  "import wapitiCore.net.crawler as crawler",
  "def wildcard_translate(pattern):",
  '    return re.compile("".join(".*" if c == "*" else re.escape(c) for c in pattern) + r"\\Z", re.M | re.S)',
  "crawler.wildcard_translate = wildcard_translate",
  "from wapitiCore.main.wapiti import wapiti_main",
  'sys.argv[0] = "wapiti"',
  "sys.exit(wapiti_main())",
].join("\n");

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
        await person.request("/todos", { intent: "delete", id }).catch(() => undefined);
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

async function runWapiti(pass: WapitiPass, proxy: Proxy): Promise<WapitiResult> {
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
  const run = await runTool(await wapitiPython(), ["-c", WAPITI_SHIM, ...args], {
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

// ---------------------------------------------------------------------------
// The summary

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** Which requests got the refusals, one line per status. */
const refusalLines = (stats: PhaseStats, indent: string) =>
  [...stats.refused].map(([status, seen]) => `${indent}${status} for: ${[...seen].join(", ")}`);

function statusLine(stats: PhaseStats): string {
  const codes = [...stats.byStatus].sort(([a], [b]) => a - b).map(([code, count]) => `${code}×${count}`);
  return `${stats.requests} requests (${codes.join(", ") || "none"}), server busy ${seconds(stats.serverMs)}`;
}

/** Prints what the tools found; true when something fails the scan. */
function summarize(
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

// ---------------------------------------------------------------------------

async function main(): Promise<number> {
  const started = Date.now();
  ensureTools();
  if (!existsSync("build/server.js"))
    throw new Error("no build: run `npm run build` first (npm run scan does)");
  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });

  const catcher = await startSmtpCatcher();
  cleanups.push(() => catcher.stop());
  const proxy = await startProxy();
  cleanups.push(() => proxy.close());
  const server = await startServer(catcher.url);
  cleanups.push(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      const exited = new Promise((resolve) => server.child.once("close", resolve));
      server.child.kill("SIGTERM");
      await exited;
    }
    await writeFile(path.join(OUT_DIR, "server.log"), server.output());
  });
  try {
    await waitForOk(`${APP_URL}/healthz`, 60_000);
  } catch (error) {
    console.error(server.output());
    throw error;
  }
  log(`server up at ${APP_URL}`);

  // Separate accounts, so that sqlmap's failed sign-ins and renamed todos
  // cannot disturb the accounts the other scans use.
  const password = `scan-${randomBytes(12).toString("base64url")}`;
  const suffix = randomBytes(4).toString("hex");
  const people = ["login", "todos", "xss", "site"].map(
    (role, index) =>
      new Person(`Scan ${role}`, `scan-${role}-${suffix}@example.test`, password, `100.99.0.${index + 1}`),
  );
  const [loginUser, todoUser, xssUser, siteUser] = people;
  if (!loginUser || !todoUser || !xssUser || !siteUser) throw new Error("unreachable: four people");
  for (const person of people) {
    await person.signUp(catcher);
    await person.createTodo("Buy milk");
    await person.createTodo("Walk the dog");
  }
  const [todoId] = await todoUser.todoIds();
  if (!todoId) throw new Error("the test user's todos did not show up");
  // Four at a time: each is a password check, and the server has threads for them.
  for (let index = 0; index < KNOWN_ADDRESSES.length; index += 4) {
    await Promise.all(
      KNOWN_ADDRESSES.slice(index, index + 4).map((address) => loginUser.signInFrom(address)),
    );
  }
  log(
    `signed up ${people.length} users with two todos each; ${loginUser.email} signed in from ${KNOWN_ADDRESSES.length} addresses`,
  );
  proxy.phase("as-sent");

  const notes: string[] = [];
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const targets: SqlmapTarget[] = [
    {
      name: "login",
      description: "POST /login (email, password, redirectTo, User-Agent)",
      path: "/login",
      // The real password: a true condition injected into a working sign-in would show as a different answer.
      data: form({ email: loginUser.email, password, redirectTo: "/todos" }),
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
  const sqlmap: SqlmapResult[] = [];
  if (TOOLS.has("sqlmap")) {
    for (const target of targets) sqlmap.push(await runSqlmap(target, proxy));
    if (!(await todoUser.isSignedIn())) notes.push("the todo user's session did not survive sqlmap");
  }

  const wapiti: WapitiResult[] = [];
  if (TOOLS.has("wapiti")) {
    const signedInStarts = ["/todos", "/todos?filter=active", "/settings", "/login?redirectTo=%2Ftodos"];
    const passes: WapitiPass[] = [
      {
        name: "signed-in-xss",
        description: `signed in as ${xssUser.email}`,
        starts: signedInStarts,
        cookie: xssUser.sessionToken,
        modules: XSS_MODULES,
        moduleSeconds: 50,
        janitor: { person: xssUser, spareMarkers: true },
      },
      {
        name: "signed-in",
        description: `signed in as ${siteUser.email}`,
        starts: signedInStarts,
        cookie: siteUser.sessionToken,
        modules: INJECTION_MODULES,
        moduleSeconds: 25,
        janitor: { person: siteUser, spareMarkers: false },
      },
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
    for (const pass of passes) wapiti.push(await runWapiti(pass, proxy));
    for (const person of [xssUser, siteUser]) {
      if (!(await person.isSignedIn())) {
        notes.push(
          `${person.email}'s session ended during wapiti's scan: pages after that were scanned signed out`,
        );
      }
    }
  }

  notes.push(`whole run: ${seconds(Date.now() - started)}`);
  const { failed, text } = summarize(sqlmap, wapiti, notes);
  console.log(text);
  await writeFile(path.join(OUT_DIR, "summary.txt"), `${text}\n`);
  return failed ? 1 : 0;
}

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | null = null;

/** Stops the tools, then the server, the proxy and the catcher (newest first); once. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const child of tools) child.kill("SIGKILL");
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error("[scan] cleanup:", error));
    }
  })();
  return cleaning;
}

// If the script dies anyway (an uncaught error), no server or tool outlives it.
process.on("exit", () => {
  for (const child of spawned)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});
// `npm run scan | head` closes stdout early: that must not crash the script before it cleans up.
process.stdout.on("error", () => undefined);

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    void cleanUp().then(() => process.exit(130));
  });
}

main()
  .then(async (code) => {
    await cleanUp();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error("[scan] the scan could not run:", error instanceof Error ? error.message : error);
    await cleanUp();
    process.exit(2);
  });
