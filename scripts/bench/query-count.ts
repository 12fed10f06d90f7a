/**
 * How many statements one request sends to PostgreSQL, counted on the wire: a
 * TCP proxy between a second server process and the database reads the
 * frontend protocol and counts every Execute (extended protocol, which
 * postgres.js uses) and every simple Query. The timed runs never go through
 * it (a proxy in the bench's own process would slow them); a second server on
 * the same database, idle but for these requests, does.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { send } from "../../harness/http";

/** The startup-phase requests that are answered before the real startup message (SSL, GSSAPI). */
const PRE_STARTUP_CODES = new Set([80877103, 80877104]);
const EXECUTE = 0x45; // 'E'
const SIMPLE_QUERY = 0x51; // 'Q'

/** Counts statements in one client→server byte stream, message by message. */
class FrontendCounter {
  private buffer: Buffer = Buffer.alloc(0);
  private startup = true;

  constructor(private readonly onStatement: () => void) {}

  push(chunk: Buffer) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.startup) {
        // Untyped: length (int32, itself included), then a request code.
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        const code = this.buffer.readInt32BE(4);
        this.buffer = this.buffer.subarray(length);
        if (!PRE_STARTUP_CODES.has(code)) this.startup = false;
        continue;
      }
      // Typed: one byte of type, then length (int32, itself included but not the type byte).
      if (this.buffer.length < 5) return;
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) return;
      const type = this.buffer[0];
      if (type === EXECUTE || type === SIMPLE_QUERY) this.onStatement();
      this.buffer = this.buffer.subarray(1 + length);
    }
  }
}

export interface CountingProxy {
  /** The URL to give the server instead of the database's. */
  url: string;
  /** Statements sent through the proxy so far. */
  count(): number;
  close(): Promise<void>;
}

/** A proxy on loopback in front of the PostgreSQL at `databaseUrl`. */
export async function startCountingProxy(databaseUrl: string): Promise<CountingProxy> {
  const target = new URL(databaseUrl);
  const targetPort = Number(target.port || 5432);
  let statements = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, target.hostname);
    sockets.add(client).add(upstream);
    const counter = new FrontendCounter(() => statements++);
    client.on("data", (chunk: Buffer) => {
      counter.push(chunk);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxied = new URL(databaseUrl);
  proxied.hostname = "127.0.0.1";
  proxied.port = String((server.address() as AddressInfo).port);
  return {
    url: proxied.toString(),
    count: () => statements,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Probe {
  name: string;
  url: string;
  method?: "GET" | "POST";
  /** Called per request, so that each can have its own (a sign-in's X-Forwarded-For). */
  headers?: () => Record<string, string>;
  body?: string;
  expect: number;
}

/**
 * The probes go to a second server on another port, as if through a proxy to
 * APP_URL: Remix refuses a form post whose Origin is not the Host (or
 * X-Forwarded-Host), so the Host must be APP_URL's.
 */
export const forwardedFor = (appUrl: string) => ({ "x-forwarded-host": new URL(appUrl).host });

/** One request with exactly the headers given (harness/http.ts: fetch would add Sec-Fetch-Mode), read to its end. */
async function probeOnce(probe: Probe): Promise<{ status: number; body: string }> {
  const url = new URL(probe.url);
  const answer = await send(url.origin, `${url.pathname}${url.search}`, {
    method: probe.method ?? "GET",
    headers: probe.headers?.(),
    body: probe.body,
  });
  return { status: answer.status, body: await answer.text() };
}

export interface StatementCount {
  name: string;
  /** The median over the sampled requests: a mail-worker poll landing in one sample does not move it. */
  median: number;
  min: number;
  max: number;
}

/**
 * Statements per request for each probe, one request at a time after a few
 * that warm caches (prepared statements, the session cache), so that each
 * difference in the count is that request's alone.
 */
export async function countStatements(
  proxy: CountingProxy,
  probes: Probe[],
  samples = 15,
): Promise<StatementCount[]> {
  const results: StatementCount[] = [];
  for (const probe of probes) {
    const counts: number[] = [];
    for (let i = 0; i < samples + 3; i++) {
      const before = proxy.count();
      const { status, body } = await probeOnce(probe);
      if (status !== probe.expect) {
        throw new Error(`${probe.name}: ${status}, expected ${probe.expect}:\n${body.slice(0, 500)}`);
      }
      if (i >= 3) counts.push(proxy.count() - before);
    }
    counts.sort((a, b) => a - b);
    results.push({
      name: probe.name,
      median: counts[Math.floor(counts.length / 2)] ?? 0,
      min: counts[0] ?? 0,
      max: counts[counts.length - 1] ?? 0,
    });
  }
  return results;
}

export function formatStatementCounts(counts: StatementCount[]): string {
  return counts
    .map(
      (count) =>
        `  ${count.name.padEnd(28)} ${String(count.median).padStart(3)}${count.min !== count.max ? `  (${count.min} to ${count.max})` : ""}`,
    )
    .join("\n");
}
