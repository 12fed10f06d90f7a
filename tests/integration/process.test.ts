import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, startServerProcess, waitForOk, type ServerProcess } from "../../harness/process";

const SECRET = "a-production-secret-of-at-least-32-chars";

// Each test starts real processes; a first start on a new PGlite folder runs initdb (seconds on 2 cores).
describe("the production server process", { timeout: 90_000 }, () => {
  const running: ServerProcess[] = [];
  afterEach(() => {
    for (const server of running.splice(0)) server.child.kill("SIGKILL");
  });

  const start = (env: Record<string, string>) => {
    const server = startServerProcess({ HOST: "127.0.0.1", ...env, NODE_ENV: "production" });
    running.push(server);
    return server;
  };

  it.each([
    [{ BETTER_AUTH_SECRET: SECRET }, /^Invalid configuration: APP_URL is required/],
    [{ APP_URL: "https://todo.example.com" }, /^Invalid configuration: BETTER_AUTH_SECRET is required/],
    [{ APP_URL: "not a url", BETTER_AUTH_SECRET: SECRET }, /^Invalid configuration: APP_URL /],
    [
      { APP_URL: "https://todo.example.com", BETTER_AUTH_SECRET: "too-short" },
      /^Invalid configuration: BETTER_AUTH_SECRET /,
    ],
  ])(
    "refuses to start with a bad environment, in one line naming the variable (%j)",
    async (env, message) => {
      const server = start({ PGLITE_DIR: "memory://", ...env });
      const { code } = await server.exited();
      expect(code).toBe(1);
      const lines = server.output().trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    },
  );

  it("runs in production as the deploy command starts it: `node build/server.js`, no NODE_ENV", async () => {
    // Outside production a missing secret is generated and the server starts; in production it is refused.
    const child = spawn(process.execPath, ["build/server.js"], {
      // No NODE_ENV, on purpose (the types insist on one).
      env: {
        PATH: process.env.PATH ?? "",
        PGLITE_DIR: "memory://",
        APP_URL: "https://todo.example.com",
      } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(1);
    expect(output.trim()).toMatch(/^Invalid configuration: BETTER_AUTH_SECRET is required/);
  });

  it("serves the app, then exits 0 within 10 seconds of SIGTERM", async () => {
    const port = await freePort();
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "todo-proc-")), "nested", "pglite");
    const server = start({
      PORT: String(port),
      APP_URL: `http://127.0.0.1:${port}`,
      BETTER_AUTH_SECRET: SECRET,
      PGLITE_DIR: dir,
    });
    await waitForOk(`http://127.0.0.1:${port}/healthz`);
    expect((await fetch(`http://127.0.0.1:${port}/login`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    server.child.kill("SIGTERM");
    const { code, ms } = await server.exited();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    // Production logs are JSON lines.
    const firstLine = server.output().trim().split("\n")[0] ?? "";
    expect(() => JSON.parse(firstLine)).not.toThrow();
  });

  it("lets a request in flight finish after SIGTERM while refusing new connections", async () => {
    const port = await freePort();
    const server = start({
      PORT: String(port),
      APP_URL: `http://127.0.0.1:${port}`,
      BETTER_AUTH_SECRET: SECRET,
      PGLITE_DIR: "memory://",
    });
    await waitForOk(`http://127.0.0.1:${port}/healthz`);
    // On a connection the server has already accepted (a first request went through it), the
    // sign-in is sent whole before the signal: in flight, whatever the timing.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    /** A request on the agent's one connection: when it was written out, and its status. */
    const send = (method: string, pathname: string, body = "") => {
      let written = () => {};
      const sent = new Promise<void>((resolve) => (written = resolve));
      const status = new Promise<number>((resolve, reject) => {
        const request = httpRequest(
          {
            agent,
            host: "127.0.0.1",
            port,
            method,
            path: pathname,
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              "content-length": Buffer.byteLength(body),
              origin: `http://127.0.0.1:${port}`,
            },
          },
          (response) => {
            response.resume();
            response.on("end", () => resolve(response.statusCode ?? 0));
          },
        );
        request.on("error", reject);
        request.on("finish", written);
        request.end(body);
      });
      return { sent, status };
    };
    expect(await send("GET", "/healthz").status).toBe(200);
    const form = new URLSearchParams({ email: "nobody@example.com", password: "a password that is wrong" });
    const inFlight = send("POST", "/login", form.toString());
    await inFlight.sent;
    server.child.kill("SIGTERM");
    expect(await inFlight.status).toBe(400);
    agent.destroy();
    const { code } = await server.exited();
    expect(code).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it("refuses, in one line and at once, a second process on the same embedded database", async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "todo-lock-")), "pglite");
    const [firstPort, secondPort] = [await freePort(), await freePort()];
    const env = (port: number) => ({
      PORT: String(port),
      APP_URL: `http://127.0.0.1:${port}`,
      BETTER_AUTH_SECRET: SECRET,
      PGLITE_DIR: dir,
    });
    const first = start(env(firstPort));
    await waitForOk(`http://127.0.0.1:${firstPort}/healthz`);

    const second = start(env(secondPort));
    const { code, ms } = await second.exited();
    expect(code).toBe(1);
    expect(ms).toBeLessThan(5_000);
    const lines = second.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/in use by process \d+/);
    expect((await fetch(`http://127.0.0.1:${firstPort}/readyz`)).status).toBe(200);

    // Once the first has stopped, the folder can be opened again.
    first.child.kill("SIGTERM");
    expect((await first.exited()).code).toBe(0);
    const third = start(env(secondPort));
    await waitForOk(`http://127.0.0.1:${secondPort}/readyz`);
    third.child.kill("SIGTERM");
    expect((await third.exited()).code).toBe(0);
  });

  it("will not make a database in a folder that holds other files, and says so in one line", async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "todo-full-")), "pglite");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "notes.txt"), "someone else's file\n");
    const port = await freePort();
    const server = start({
      PORT: String(port),
      APP_URL: `http://127.0.0.1:${port}`,
      BETTER_AUTH_SECRET: SECRET,
      PGLITE_DIR: dir,
    });
    const { code } = await server.exited();
    expect(code).toBe(1);
    const lines = server.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${dir} is not empty but holds no embedded database`);
  });
});
