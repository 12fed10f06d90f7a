/**
 * `npm run bench`: the production server under load, on PGlite and (when
 * BENCH_DATABASE_URL is set) on PostgreSQL, with the figures docs/performance.md
 * judges: requests/s, p50 and p99 latency, errors, the server's peak
 * memory, each as a ratio to the anonymous page in the same run; /login and
 * /todos against a bare Remix app rendering the same markup (the reference,
 * scripts/bench/reference/), measured in turns with the app; the cost of one
 * scrypt hash to judge sign-in by; and the page weights.
 *
 *   npm run bench                        builds, then the full suite (10 s per scenario after 5 s of warm-up)
 *   npm run bench -- --quick             about 2 s per scenario: CI runs it so the suite never rots
 *   npm run bench -- --no-build          uses the app's build/ already there (the reference is always built)
 *   --pglite-only, --postgres-only       one database of the two
 *   scripts/with-postgres.sh npm run bench   also on a throwaway PostgreSQL cluster
 *
 * Exits non-zero when a scenario had errors (an unexpected status, a 5xx, a
 * socket error); slowness is reported, never a failure.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes, scrypt } from "node:crypto";
import { cpus, loadavg, totalmem } from "node:os";
import { promisify } from "node:util";
import type autocannon from "autocannon";
import {
  BENCH_PASSWORD,
  inBatches,
  residentBytes,
  seedUser,
  startApp,
  startSecondServer,
  type DatabaseKind,
  type RunningApp,
  type SeededUser,
} from "./bench/app";
import type { DatabaseTarget } from "../db/client.server";
import { formatAnnouncementDelays, keepBusy, measureAnnouncements } from "./bench/announcements";
import { formatTable, measure, type Measurement, type Scenario, type Timing } from "./bench/load";
import {
  countStatements,
  formatStatementCounts,
  forwardedFor,
  startCountingProxy,
  type Probe,
} from "./bench/query-count";
import { formatPageWeights, formatRouteWeights, measurePage, measureRoutes } from "./page-weight";
import {
  buildReference,
  combineRounds,
  cpuMsPerRequest,
  startReference,
  type RunningReference,
} from "./bench/reference";

// npm passes what follows `--` on; a literal `--` (through another runner) means nothing here.
const args = new Set(process.argv.slice(2).filter((arg) => arg !== "--"));
const quick = args.has("--quick");
const build = !args.has("--no-build");
const only = args.has("--pglite-only") ? "pglite" : args.has("--postgres-only") ? "postgres" : null;
const OPTIONS = ["--quick", "--no-build", "--pglite-only", "--postgres-only"];
for (const arg of args) {
  if (!OPTIONS.includes(arg)) {
    console.error(`Unknown option ${arg}. Options: ${OPTIONS.join(", ")}`);
    process.exit(2);
  }
}

const timing: Timing = quick
  ? { warmupSeconds: 1, durationSeconds: 2 }
  : { warmupSeconds: 5, durationSeconds: 10 };
/** Every page and post scenario: enough connections to keep both cores busy, few enough to stay realistic. */
const CONNECTIONS = 10;
const TODOS = 50;
/**
 * The JSON API allows each user 600 requests a minute: the API scenario spreads
 * its requests over this many users (a full run sends well under 40 × 600 in a
 * minute on this kind of machine; a 429 would show as errors).
 */
const API_USERS = quick ? 6 : 40;
/** Its own ports (3511 and up), apart from the tests' and the other tools'. */
const BASE_PORT = Number(process.env.BENCH_PORT ?? 3511);

/** better-auth's parameters (@better-auth/utils/password): N=16384, r=16, p=1, 64 bytes. */
const SCRYPT = { N: 16384, r: 16, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: typeof SCRYPT,
) => Promise<Buffer>;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** One scrypt hash in this process, alone on an idle machine: what a sign-in cannot beat. */
async function scryptMilliseconds(): Promise<number> {
  const salt = randomBytes(16);
  await scryptAsync(BENCH_PASSWORD, salt, 64, SCRYPT);
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    await scryptAsync(BENCH_PASSWORD, salt, 64, SCRYPT);
    times.push(performance.now() - start);
  }
  return median(times);
}

let signInAddress = randomBytes(2).readUInt16BE() << 8;
/**
 * Each sign-in from an address of its own, through X-Forwarded-For (believed
 * with TRUST_PROXY=loopback): the per-address limit of 50 per 15 minutes is for
 * people, and would otherwise turn the scenario into a 429 benchmark.
 */
const nextSignInAddress = () => {
  const n = signInAddress++ & 0xffffff;
  // Each in a /24 of its own: waiting password hashes are capped per /24 (a network's share).
  return `10.${(n >> 8) & 255}.${n & 255}.${1 + ((n >> 16) & 127)}`;
};

const PAGE_HEADERS = {
  // Browsers ask for compression, and the server pays for it: so do the figures.
  "accept-encoding": "gzip, deflate, br",
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "user-agent":
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36",
};

function scenarios(
  app: RunningApp,
  user: { cookie: string; todoIds: string[]; email: string },
  tokens: string[],
) {
  let toggle = 0;
  let token = 0;
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const postHeaders = {
    ...PAGE_HEADERS,
    "content-type": "application/x-www-form-urlencoded",
    origin: app.url,
  };
  const signIn: autocannon.Request = {
    method: "POST",
    path: "/login",
    body: form({ email: user.email, password: BENCH_PASSWORD }),
    setupRequest: (request) => ({
      ...request,
      headers: { ...postHeaders, "x-forwarded-for": nextSignInAddress() },
    }),
  };
  /** A page, asked for by CONNECTIONS browsers at once, signed in (with `cookie`) or not. */
  const page = (name: string, path: string, cookie?: string, reference?: string): Scenario => ({
    name,
    expect: "2xx",
    connections: CONNECTIONS,
    headers: cookie === undefined ? PAGE_HEADERS : { ...PAGE_HEADERS, cookie },
    requests: [{ method: "GET", path }],
    reference,
  });
  const list: Scenario[] = [
    page("anonymous /login", "/login", undefined, "/login"),
    page("signed-in /settings/profile", "/settings/profile", user.cookie),
    page(`signed-in /todos (${TODOS})`, "/todos", user.cookie, "/todos"),
    // The same list query (and counts) with nothing to render: /todos minus this is the rendering of 50 items.
    page("signed-in /todos, 0 shown", "/todos?filter=completed", user.cookie),
    {
      name: `GET /api/todos (${TODOS}), JWT`,
      expect: "2xx",
      connections: CONNECTIONS,
      headers: { accept: "application/json", "accept-encoding": "gzip" },
      requests: [
        {
          method: "GET",
          path: "/api/todos",
          // Round-robin over the users' tokens, to stay under each user's 600 a minute.
          setupRequest: (request) => ({
            ...request,
            headers: { ...request.headers, authorization: `Bearer ${tokens[token++ % tokens.length] ?? ""}` },
          }),
        },
      ],
    },
    {
      name: "toggle (POST /todos)",
      expect: "3xx",
      connections: CONNECTIONS,
      headers: { ...postHeaders, cookie: user.cookie },
      requests: [
        {
          method: "POST",
          path: "/todos",
          setupRequest: (request) => ({
            ...request,
            body: form({ intent: "toggle", id: user.todoIds[toggle++ % user.todoIds.length] ?? "" }),
          }),
        },
      ],
    },
    {
      // One at a time: its median is judged against one scrypt hash.
      name: "sign-in (POST /login)",
      expect: "3xx",
      connections: 1,
      requests: [signIn],
      minDurationSeconds: 3,
    },
    {
      // Many at once: memory and the event loop under a burst; a full queue may shed load with 503 + Retry-After.
      name: "sign-in, 8 at once",
      expect: "3xx",
      connections: 8,
      requests: [signIn],
      sheddingAllowed: true,
      // The scenario before warmed sign-in; a warm-up here would leave 8 hashes running into the measured time.
      noWarmup: true,
      minDurationSeconds: 3,
    },
  ];
  return list;
}

/**
 * What one request of each kind asks of the database, through a second server
 * whose connection to PostgreSQL is counted (the timed runs never go through
 * the proxy). Same secret and APP_URL, so the seeded user's cookie and JWT hold.
 */
async function statementsPerRequest(app: RunningApp, user: SeededUser, databaseUrl: string, port: number) {
  const proxy = await startCountingProxy(databaseUrl);
  try {
    const second = await startSecondServer(app, port, proxy.url);
    try {
      const form = {
        ...forwardedFor(app.url),
        "content-type": "application/x-www-form-urlencoded",
        origin: app.url,
      };
      const probes: Probe[] = [
        { name: "anonymous /login", url: `${second.url}/login`, expect: 200 },
        {
          name: "signed-in /settings/profile",
          url: `${second.url}/settings/profile`,
          headers: () => ({ cookie: user.cookie }),
          expect: 200,
        },
        {
          name: `signed-in /todos (${TODOS})`,
          url: `${second.url}/todos`,
          headers: () => ({ cookie: user.cookie }),
          expect: 200,
        },
        {
          name: `GET /api/todos (${TODOS}), JWT`,
          url: `${second.url}/api/todos`,
          headers: () => ({ authorization: `Bearer ${user.token}` }),
          expect: 200,
        },
        {
          name: "toggle (POST /todos)",
          url: `${second.url}/todos`,
          method: "POST",
          headers: () => ({ ...form, cookie: user.cookie }),
          body: new URLSearchParams({ intent: "toggle", id: user.todoIds[0] ?? "" }).toString(),
          expect: 302,
        },
        {
          name: "sign-in (POST /login)",
          url: `${second.url}/login`,
          method: "POST",
          headers: () => ({ ...form, "x-forwarded-for": nextSignInAddress() }),
          body: new URLSearchParams({ email: user.email, password: BENCH_PASSWORD }).toString(),
          expect: 302,
        },
      ];
      return await countStatements(proxy, probes, quick ? 5 : 15);
    } catch (error) {
      throw new Error(`counting statements failed; the second server said:\n${second.output()}`, {
        cause: error,
      });
    } finally {
      await second.stop();
    }
  } finally {
    await proxy.close();
  }
}

interface DatabaseRun {
  kind: DatabaseKind;
  label: string;
  rows: Measurement[];
  /** The reference's row for each app row measured against it, by the app row's name. */
  references: Map<string, Measurement>;
  idleRss: number | null;
  verdicts: string[];
}

/** Measured turns of the app and the reference: load that comes and goes falls on both alike. */
const REFERENCE_ROUNDS = quick ? 1 : 2;

/**
 * A page of the app and the same page of the reference, in turns: each warmed
 * up once, then REFERENCE_ROUNDS rounds of app then reference, the measured
 * time split between them.
 */
async function measureAgainstReference(
  app: RunningApp,
  reference: RunningReference,
  scenario: Scenario & { reference: string },
) {
  const referenceScenario: Scenario = {
    ...scenario,
    name: `reference ${scenario.reference}`,
    // No session there: the same browser headers without the cookie.
    headers: PAGE_HEADERS,
    requests: [{ method: "GET", path: scenario.reference }],
  };
  const seconds = Math.max(1, timing.durationSeconds / REFERENCE_ROUNDS);
  const appRounds: Measurement[] = [];
  const referenceRounds: Measurement[] = [];
  for (let round = 0; round < REFERENCE_ROUNDS; round++) {
    const roundTiming = { warmupSeconds: round === 0 ? timing.warmupSeconds : 0, durationSeconds: seconds };
    appRounds.push(await measure(app.url, app.pid, scenario, roundTiming));
    referenceRounds.push(await measure(reference.url, reference.pid, referenceScenario, roundTiming));
  }
  const durations = appRounds.map(() => seconds);
  return { row: combineRounds(appRounds, durations), reference: combineRounds(referenceRounds, durations) };
}

async function runOn(
  kind: DatabaseKind,
  port: number,
  firstScryptMs: number,
  reference: RunningReference,
): Promise<DatabaseRun> {
  let scryptMs = firstScryptMs;
  console.log(`\n━━ ${kind === "pglite" ? "PGlite" : "PostgreSQL"} ━━`);
  const app = await startApp(kind, port, process.env.BENCH_DATABASE_URL);
  try {
    console.log(`server pid ${app.pid} on ${app.url}, ${app.databaseLabel}`);
    const seedStart = performance.now();
    // One user for the pages, the toggles and sign-in; the rest (and that one) share the API's load.
    // On PostgreSQL one more, untouched by the load, for counting statements afterwards.
    const seeded = await inBatches(
      Array.from({ length: API_USERS + (kind === "postgres" ? 1 : 0) }, (_, i) => i),
      8,
      (i) => seedUser(app, i, TODOS),
    );
    const users = seeded.slice(0, API_USERS);
    const probeUser = seeded[API_USERS];
    const [main] = users;
    if (!main) throw new Error("no user was seeded");
    console.log(
      `seeded ${seeded.length} users with ${TODOS} todos each through the forms in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
    );

    // Page weight before the toggles: 50 open todos, as a fresh list looks.
    const login = await measurePage(app.url, "/login");
    const todos = await measurePage(app.url, "/todos", main.cookie);
    console.log(
      `\nPage weight (bytes on the wire; gzip as the server compresses):\n${formatPageWeights([login, todos])}`,
    );
    if (kind === "pglite") {
      const loginHtml = await (await fetch(`${app.url}/login`)).text();
      console.log(`\nJavaScript per route on a first visit (entry, root and parents included):`);
      console.log(formatRouteWeights(await measureRoutes(app.url, loginHtml)));
    }

    const idleRss = await residentBytes(app.pid);
    const rows: Measurement[] = [];
    const references = new Map<string, Measurement>();
    console.log(
      `\nLoad: ${timing.warmupSeconds} s warm-up then ${timing.durationSeconds} s per scenario; server RSS at rest ${idleRss === null ? "n/a" : `${(idleRss / 1024 / 1024).toFixed(0)} MB`}`,
    );
    for (const scenario of scenarios(
      app,
      main,
      users.map((user) => user.token),
    )) {
      if (scenario.name.startsWith("sign-in (")) {
        // Judged against a hash taken in the same conditions: on a shared machine the load changes.
        scryptMs = await scryptMilliseconds();
        console.log(`  one scrypt hash in this process, just before sign-in: ${scryptMs.toFixed(1)} ms`);
      }
      let row: Measurement;
      if (scenario.reference) {
        const pair = await measureAgainstReference(app, reference, {
          ...scenario,
          reference: scenario.reference,
        });
        row = pair.row;
        references.set(scenario.name, pair.reference);
        console.log(
          `  ${pair.reference.name}: ${pair.reference.requestsPerSecond.toFixed(0)} req/s, p50 ${pair.reference.p50.toFixed(1)} ms (in turns with the app's)`,
        );
      } else {
        row = await measure(app.url, app.pid, scenario, timing);
      }
      rows.push(row);
      const statuses = Object.entries(row.statusCounts)
        .map(([status, count]) => `${status}×${count}`)
        .join(" ");
      console.log(
        `  ${scenario.name}: ${row.requestsPerSecond.toFixed(0)} req/s, p50 ${row.p50} ms (${statuses || "no answer in the measured time: slow, which is not an error"})`,
      );
    }
    console.log(`\n${formatTable(rows)}`);
    console.log(`\nAgainst the reference (a bare Remix app, same markup; measured in turns):`);
    console.log(formatReferenceTable(rows, references));
    console.log(`  after the run: ${describeLoadSoFar()}`);
    const verdicts = judge(rows, references, scryptMs);
    console.log(verdicts.map((line) => `  ${line}`).join("\n"));
    const databaseUrl = app.env.DATABASE_URL;
    if (kind === "postgres" && probeUser) {
      if (!databaseUrl) throw new Error("a PostgreSQL run without DATABASE_URL");
      console.log(
        "\nStatements sent to PostgreSQL per request (counted on the wire, one request at a time):",
      );
      console.log(formatStatementCounts(await statementsPerRequest(app, probeUser, databaseUrl, port + 1)));
    }
    console.log(
      kind === "postgres"
        ? "\nFrom a committed change to a user to another client's hearing of it (docs/operations.md):"
        : "\nFrom a committed change to a user to the same process's hearing of it (docs/operations.md):",
    );
    const announcementTarget: DatabaseTarget = databaseUrl
      ? { kind: "postgres", url: databaseUrl }
      : { kind: "pglite", dir: "memory://" };
    const samples = quick ? 50 : 1000;
    console.log(
      `  idle: ${formatAnnouncementDelays(await measureAnnouncements(announcementTarget, samples))}`,
    );
    // The same while the server (and this process, as a busy instance's would be) serves pages flat out.
    const load = keepBusy(
      `${app.url}/settings/profile`,
      { ...PAGE_HEADERS, cookie: main.cookie },
      CONNECTIONS,
    );
    try {
      console.log(
        `  under load: ${formatAnnouncementDelays(await measureAnnouncements(announcementTarget, samples))}`,
      );
    } finally {
      await load.stop();
    }
    if (app.server.child.exitCode !== null)
      throw new Error(`the server exited during the run:\n${app.server.output()}`);
    return { kind, label: app.databaseLabel, rows, references, idleRss, verdicts };
  } finally {
    await app.stop();
  }
}

/** The reference's figures beside the app's: requests/s and the server's CPU time per answer. */
function formatReferenceTable(rows: Measurement[], references: Map<string, Measurement>): string {
  const ms = (value: number | null) => (value === null ? "n/a" : value.toFixed(2));
  const lines = [
    `${"page".padEnd(24)} ${"app req/s".padStart(9)} ${"ref req/s".padStart(9)} ${"× req/s".padStart(7)} ${"app CPU ms/req".padStart(14)} ${"ref CPU ms/req".padStart(14)}`,
  ];
  for (const row of rows) {
    const reference = references.get(row.name);
    if (!reference) continue;
    lines.push(
      [
        row.name.padEnd(24),
        row.requestsPerSecond.toFixed(0).padStart(9),
        reference.requestsPerSecond.toFixed(0).padStart(9),
        (row.requestsPerSecond / reference.requestsPerSecond).toFixed(2).padStart(7),
        ms(cpuMsPerRequest(row)).padStart(14),
        ms(cpuMsPerRequest(reference)).padStart(14),
      ].join(" "),
    );
  }
  return lines.join("\n");
}

/**
 * The targets of docs/performance.md (issue 22), one line each with `meets` or
 * `MISSES`; they inform, they never fail the run.
 */
function judge(rows: Measurement[], references: Map<string, Measurement>, scryptMs: number): string[] {
  const find = (prefix: string) => rows.find((row) => row.name.startsWith(prefix));
  const login = find("anonymous /login");
  const profile = find("signed-in /settings/profile");
  const todos = find("signed-in /todos (");
  const empty = find("signed-in /todos, 0");
  const signIn = find("sign-in (");
  const burst = find("sign-in, 8");
  const mark = (ok: boolean) => (ok ? "meets" : "MISSES");
  const lines: string[] = [];
  for (const [row, target] of [
    [login, 0.7],
    [todos, 0.6],
  ] as const) {
    const reference = row ? references.get(row.name) : undefined;
    if (!row || !reference) continue;
    const ratio = row.requestsPerSecond / reference.requestsPerSecond;
    lines.push(
      `${row.name} at ${ratio.toFixed(2)} of its reference's req/s (${row.requestsPerSecond.toFixed(0)} against ${reference.requestsPerSecond.toFixed(0)}; target ≥ ${target.toFixed(2)}): ${mark(ratio >= target)}`,
    );
  }
  if (login && profile) {
    const ratio = profile.requestsPerSecond / login.requestsPerSecond;
    lines.push(
      `/settings/profile at ${ratio.toFixed(2)} of /login's req/s (target ≥ 0.90): ${mark(ratio >= 0.9)}`,
    );
  }
  if (todos && empty && profile) {
    lines.push(
      `/todos: ${todos.requestsPerSecond.toFixed(0)} req/s with 50 items, ${empty.requestsPerSecond.toFixed(0)} with the same query and none shown, ${profile.requestsPerSecond.toFixed(0)} without the query`,
    );
  }
  if (signIn) {
    const ratio = signIn.p50 / scryptMs;
    lines.push(
      `sign-in p50 ${signIn.p50.toFixed(1)} ms = ${ratio.toFixed(2)} × one scrypt hash (${scryptMs.toFixed(1)} ms; target ≤ 1.10): ${mark(ratio <= 1.1)}`,
    );
  }
  if (signIn && burst) {
    // Sign-ins that succeeded per second (a shed one is not a sign-in).
    const okRate = (row: Measurement) => {
      const answered = row.ok + row.errors + row.shed;
      return answered > 0 ? (row.requestsPerSecond * row.ok) / answered : 0;
    };
    const ratio = okRate(signIn) > 0 ? okRate(burst) / okRate(signIn) : 0;
    lines.push(
      `8 sign-ins at once: ${okRate(burst).toFixed(1)} sign-ins/s = ${ratio.toFixed(2)} × one at a time (${okRate(signIn).toFixed(1)}/s; target ≥ 1.70): ${mark(ratio >= 1.7)}`,
    );
  }
  const peak = Math.max(...rows.map((row) => row.peakRss ?? 0));
  lines.push(
    `peak server RSS ${(peak / 1024 / 1024).toFixed(0)} MB (target < 300 MB): ${mark(peak < 300 * 1024 * 1024)}`,
  );
  return lines;
}

/**
 * The machine's load average when the bench starts, before it builds anything:
 * figures taken while other work competes for the cores are not comparable,
 * and the output should say so.
 */
const loadAtStart = loadavg()[0] ?? 0;

function describeLoadAtStart(): string {
  const busy = loadAtStart > cpus().length / 2;
  return `load average ${loadAtStart.toFixed(2)} before the bench${busy ? " (other work is running: figures are not comparable)" : ""}`;
}

/** Later readings count the bench's own server and load generator, which keep both cores busy. */
const describeLoadSoFar = () => `load average ${(loadavg()[0] ?? 0).toFixed(2)}, the bench's own included`;

function describeMachine(): string {
  const cpu = cpus();
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      encoding: "utf8",
      stdio: "pipe",
    }).trim();
    const dirty = execFileSync(
      "git",
      ["status", "--porcelain", "--untracked-files=no", "--", "app", "db", "server.ts"],
      {
        encoding: "utf8",
        stdio: "pipe",
      },
    ).trim();
    if (dirty) commit += " with uncommitted changes in app/db";
  } catch {
    // not a git checkout (an exported tree): no commit to name
  }
  return `${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, commit ${commit}; ${describeLoadAtStart()}`;
}

async function main() {
  if (build) {
    console.log("Building (npm run build)…");
    const result = spawnSync("npm", ["run", "build"], { stdio: ["ignore", "inherit", "inherit"] });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
  // Always: it is the bench's own, not the app's, and takes a few seconds.
  console.log("Building the reference (scripts/bench/reference, into build/bench-reference)…");
  buildReference();
  console.log(`\n${quick ? "Quick bench (figures not to be judged)" : "Bench"}: ${describeMachine()}`);
  const scryptMs = await scryptMilliseconds();
  console.log(
    `one scrypt hash (N=16384, r=16, p=1, 64 bytes) in this process: ${scryptMs.toFixed(1)} ms (median of 7)`,
  );

  if (!process.env.BENCH_DATABASE_URL) {
    if (only === "postgres") throw new Error("--postgres-only needs BENCH_DATABASE_URL");
    console.log("BENCH_DATABASE_URL is not set: PGlite only.");
  }
  const kinds = (process.env.BENCH_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"]) as DatabaseKind[];
  const runs: DatabaseRun[] = [];
  const reference = await startReference();
  try {
    console.log(`reference pid ${reference.pid} on ${reference.url}`);
    // Fixed ports per database (PGlite 3511, PostgreSQL 3512, its statement-counting twin 3513).
    for (const [index, kind] of kinds.entries()) {
      if (only === null || only === kind)
        runs.push(await runOn(kind, BASE_PORT + index, scryptMs, reference));
    }
  } finally {
    await reference.stop();
  }

  console.log(`\nTargets (docs/performance.md), ${describeLoadAtStart()}:`);
  for (const run of runs) {
    console.log(`  ${run.kind === "pglite" ? "PGlite" : "PostgreSQL"}:`);
    console.log(run.verdicts.map((line) => `    ${line}`).join("\n"));
  }

  const failures = runs.flatMap((run) =>
    run.rows
      .filter((row) => row.errors > 0)
      .map((row) => `${run.kind}: ${row.name}: ${row.errors} errors (${JSON.stringify(row.statusCounts)})`),
  );
  if (failures.length > 0) {
    console.error(`\nScenarios with errors:\n${failures.map((line) => `  ${line}`).join("\n")}`);
    process.exit(1);
  }
  console.log("\nNo scenario had errors.");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
