import { execFileSync, spawn } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../../../harness/process";

/** The newest PostgreSQL installed from Debian's packages, as scripts/with-postgres.sh finds it. */
function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(a) - Number(b));
  const newest = versions.at(-1);
  if (newest === undefined) throw new Error(`no PostgreSQL under ${root} (apt-get install postgresql)`);
  return path.join(root, newest, "bin");
}

/** initdb refuses to run as root: then the cluster belongs to the postgres user, as in scripts/with-postgres.sh. */
function clusterOwner(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

function run(bin: string, args: string[], owner: { uid: number; gid: number } | null): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      ...(owner ?? {}),
      // pg_ctl's server inherits these: it must not hold the test's pipes open once started.
      stdio: ["ignore", "pipe", "pipe"],
      // Nothing of ours (PGPORT, PGDATA …) leaks into PostgreSQL's tools; NODE_ENV only satisfies the type.
      env: { PATH: process.env.PATH ?? "", LANG: "C.UTF-8", NODE_ENV: "test" },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${path.basename(bin)} ${args.join(" ")} exited ${code}:\n${output}`));
    });
  });
}

/**
 * A PostgreSQL cluster of the test's own on a free loopback port, which the
 * test may stop and start again (the shared one of `TEST_DATABASE_URL` must
 * never go down under other tests). Removed by `destroy`.
 */
export async function startPostgresCluster() {
  const bin = postgresBin();
  const owner = clusterOwner();
  const dir = mkdtempSync(path.join(tmpdir(), "todo-resilience-pg-"));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const dataDir = path.join(dir, "data");
  const port = await freePort();
  await run(
    path.join(bin, "initdb"),
    ["-D", dataDir, "-U", "postgres", "-A", "trust", "--no-sync", "--no-instructions"],
    owner,
  );
  const options = [
    `-c listen_addresses=127.0.0.1`,
    `-p ${port}`,
    `-k ${dir}`,
    // Durability against a crash of PostgreSQL (not of the machine) needs no fsync: the kernel keeps the WAL.
    `-c fsync=off`,
    `-c max_connections=100`,
  ].join(" ");

  let running = false;
  const cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    get running() {
      return running;
    },
    async start() {
      await run(
        path.join(bin, "pg_ctl"),
        ["-D", dataDir, "-l", path.join(dir, "server.log"), "-w", "-t", "60", "-o", options, "start"],
        owner,
      );
      running = true;
    },
    /**
     * `fast` disconnects every client and shuts down cleanly; `immediate` is a
     * crash: no checkpoint, recovery from the WAL at the next start.
     */
    async stop(mode: "fast" | "immediate" = "fast") {
      await run(path.join(bin, "pg_ctl"), ["-D", dataDir, "-m", mode, "-w", "stop"], owner);
      running = false;
    },
    async destroy() {
      if (running) await cluster.stop("immediate").catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}

export type PostgresCluster = Awaited<ReturnType<typeof startPostgresCluster>>;
