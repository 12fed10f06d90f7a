/**
 * The scan's settings, from the environment (see scripts/scan.ts), and what
 * every part of it shares: where the app is, where reports go, the log line.
 */
import path from "node:path";

const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

export const PUBLIC_PORT = envNumber("SCAN_PORT", 3311);
// The server sits behind the proxy, on the next port; APP_URL is the proxy's.
export const SERVER_PORT = PUBLIC_PORT + 1;
export const APP_URL = `http://127.0.0.1:${PUBLIC_PORT}`;
export const OUT_DIR = path.resolve(".scan");
export const TOOLS = new Set(
  (process.env.SCAN_TOOLS ?? "sqlmap,wapiti").split(",").map((tool) => tool.trim()),
);
export const TIME_SCALE = envNumber("SCAN_TIME_SCALE", 1);
export const SQLMAP_LEVEL = process.env.SCAN_SQLMAP_LEVEL ? envNumber("SCAN_SQLMAP_LEVEL", 3) : null;
// Risk 3 adds OR-based payloads, which on an UPDATE would rewrite every row: not on anything real.
export const SQLMAP_RISK = envNumber("SCAN_SQLMAP_RISK", 2);

/**
 * The sign-in user signs in from this many addresses before sqlmap attacks its
 * form, and the proxy hands them out in turn (see scan/proxy.ts).
 */
export const KNOWN_ADDRESSES = Array.from(
  { length: 100 },
  (_, index) => `100.100.${Math.floor(index / 250)}.${(index % 250) + 1}`,
);

/** Marks the script's own requests, for the proxy. */
export const HELPER_HEADER = "x-scan-helper";

export const log = (line: string) => console.log(`[scan] ${line}`);

export const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
