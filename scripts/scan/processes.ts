/**
 * The scan's child processes: the tools it runs (with their output in a file
 * and a time limit) and the server, all killed however the scan ends.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createInterface } from "node:readline";

/** The tools running now. */
const tools = new Set<ChildProcess>();
/** Everything started, for the last-resort kill when the process exits without cleaning up. */
const spawned = new Set<ChildProcess>();
let stopping = false;

export const which = (command: string): string | null => {
  const found = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : null;
};

/** Ends the scan (exit 2) unless every tool named is installed; scripts/scan/install-tools.sh installs them. */
export function requireTools(names: string[]) {
  const missing = names.filter((tool) => which(tool) === null);
  if (missing.length === 0) return;
  console.error(
    `[scan] ${missing.join(" and ")} not found. Install them from Debian: sudo apt-get install -y ${missing.join(" ")}`,
  );
  process.exit(2);
}

/** A child to kill if the scan exits without stopping it. */
export const track = (child: ChildProcess) => spawned.add(child);

/** From now on nothing new starts; the tools running are killed. */
export function stopTools() {
  stopping = true;
  for (const child of tools) child.kill("SIGKILL");
}

/** The last resort, when the scan exits anyway (an uncaught error): no server or tool outlives it. */
export function killEverything() {
  for (const child of spawned)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

export interface ToolRun {
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
export function runTool(command: string, args: string[], options: ToolOptions): Promise<ToolRun> {
  const started = Date.now();
  // After Ctrl-C nothing new starts.
  if (stopping) return Promise.reject(new Error("stopped"));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    tools.add(child);
    spawned.add(child);
    const file = createWriteStream(options.logFile);
    file.write(`$ ${command} ${args.map((arg) => JSON.stringify(arg)).join(" ")}\n\n`);
    for (const stream of [child.stdout, child.stderr]) {
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
