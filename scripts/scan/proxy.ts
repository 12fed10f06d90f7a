/**
 * The proxy in front of the server: every request of the tools goes through
 * it, and it counts what the server answered, per phase, and gives each
 * request the client address the phase asks for.
 */
import http from "node:http";
import { HELPER_HEADER, KNOWN_ADDRESSES, PUBLIC_PORT, SERVER_PORT } from "./config";

export interface PhaseStats {
  requests: number;
  byStatus: Map<number, number>;
  /** The first few requests the server failed on, as "METHOD /path -> status". */
  serverErrors: string[];
  /** For the refusals worth explaining (403, 413, 429): the first few distinct "METHOD /path" that got them. */
  refused: Map<number, Set<string>>;
  /** Time the server took to answer, summed: against the phase's length, whether it or the tool was slow. */
  serverMs: number;
}

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
export type AddressMode = "as-sent" | "random" | "known";

/** A fresh address per request: 100.64.0.0–100.98.255.255 (shared address space, never a real client). */
const randomAddress = () =>
  `100.${64 + Math.floor(Math.random() * 35)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;

/** Forwards everything to the server and counts what it answers, per phase. */
export async function startProxy() {
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

export type Proxy = Awaited<ReturnType<typeof startProxy>>;
