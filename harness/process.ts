import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export interface ServerProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name) and how long it took after this call. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/**
 * How `npm start` runs the server (package.json): the variables it sets and
 * the options it gives node. The tests, the bench, Playwright and the scan use
 * it, so they run the server exactly as a deployment does: its V8 and malloc
 * settings are part of its memory figures (docs/performance.md).
 */
export function startScript(): { env: Record<string, string>; nodeOptions: string[] } {
  const manifest = JSON.parse(readFileSync("package.json", "utf8")) as { scripts?: { start?: string } };
  const start = manifest.scripts?.start ?? "";
  const match = /^((?:\w+=\S+\s+)*)node((?:\s+--[\w-]+(?:=\S+)?)*)\s+build\/server\.js$/.exec(start.trim());
  if (!match)
    throw new Error(
      `package.json's start script is not [VAR=value …] node [--option …] build/server.js: ${start}`,
    );
  const env = Object.fromEntries(
    (match[1] ?? "")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((assignment) => assignment.split("=", 2) as [string, string]),
  );
  return { env, nodeOptions: (match[2] ?? "").trim().split(/\s+/).filter(Boolean) };
}

/**
 * `node build/server.js`, as `npm start` runs it, with exactly the environment given (plus PATH),
 * from `cwd` (the server reads its build and migrations relative to it; packages resolve upwards).
 */
export function startServerProcess(
  env: { NODE_ENV: "production" | "development" | "test" } & Record<string, string>,
  { cwd }: { cwd?: string } = {},
): ServerProcess {
  const start = startScript();
  const child = spawn(process.execPath, [...start.nodeOptions, "build/server.js"], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...start.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return {
    child,
    output: () => output,
    async exited() {
      const since = Date.now();
      const { code, signal, at } = await exit;
      return { code, signal, ms: Math.max(0, at - since) };
    },
  };
}

/** Polls until the URL answers 200, or fails after `timeoutMs`. */
export async function waitForOk(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}
