/**
 * `npm run scan`: attacks the production build with sqlmap and wapiti and says
 * what they found.
 *
 * It starts a real SMTP catcher and `node build/server.js` (in-memory database),
 * signs test users up the way a person would (form, mail, link), then runs
 * sqlmap against the sign-in and todo forms and wapiti against the whole site,
 * signed in and signed out. Every request goes through a small proxy that
 * counts what the server answered and gives each request its own client
 * address (scan/proxy.ts). Reports land in `.scan/` (git-ignored).
 *
 * Needs sqlmap and wapiti (`npm run scan` installs them with
 * scripts/scan/install-tools.sh first, as root; else `apt-get install sqlmap wapiti`).
 *
 * Exit code: 1 when any SQL injection, cross-site scripting or open redirect is
 * reported, 2 when the scan itself could not run, else 0.
 *
 * Environment: SCAN_PORT (default 3311; the server itself listens on the next
 * port), SCAN_TOOLS (`sqlmap,wapiti`, to run one alone), SCAN_TIME_SCALE (1;
 * multiplies every time limit, for a slow machine or a deeper scan),
 * SCAN_SQLMAP_LEVEL / SCAN_SQLMAP_RISK (override the per-target level; risk 2).
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { waitForOk } from "../harness/process";
import { startSmtpCatcher } from "../harness/smtp";
import { APP_URL, KNOWN_ADDRESSES, log, OUT_DIR, seconds, TOOLS } from "./scan/config";
import { Person } from "./scan/person";
import { killEverything, requireTools, stopTools } from "./scan/processes";
import { startProxy } from "./scan/proxy";
import { startServer } from "./scan/server";
import { runSqlmap, sqlmapTargets, type SqlmapResult } from "./scan/sqlmap";
import { summarize } from "./scan/summary";
import { runWapiti, wapitiPasses, type WapitiResult } from "./scan/wapiti";

async function main(): Promise<number> {
  const started = Date.now();
  requireTools([...TOOLS].filter((tool) => tool === "sqlmap" || tool === "wapiti"));
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
      server.child.kill("SIGTERM");
      await server.exited();
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
  const sqlmap: SqlmapResult[] = [];
  if (TOOLS.has("sqlmap")) {
    for (const target of sqlmapTargets(loginUser, todoUser, todoId))
      sqlmap.push(await runSqlmap(target, proxy));
    if (!(await todoUser.isSignedIn())) notes.push("the todo user's session did not survive sqlmap");
  }

  const wapiti: WapitiResult[] = [];
  if (TOOLS.has("wapiti")) {
    for (const pass of wapitiPasses(xssUser, siteUser)) wapiti.push(await runWapiti(pass, proxy));
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
    stopTools();
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error("[scan] cleanup:", error));
    }
  })();
  return cleaning;
}

// If the script dies anyway (an uncaught error), no server or tool outlives it.
process.on("exit", killEverything);
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
