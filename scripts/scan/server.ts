import { randomBytes } from "node:crypto";
import { cp } from "node:fs/promises";
import path from "node:path";
import { startServerProcess } from "../../harness/process";
import { APP_URL, OUT_DIR, SERVER_PORT } from "./config";
import { track } from "./processes";

/**
 * `node build/server.js` in production, from a copy of the build: others
 * rebuild `build/` while they work, and a scan that loses its server files
 * half-way reports nonsense. The server reads its build and migrations
 * relative to its working directory; packages resolve up to node_modules.
 */
export async function startServer(smtpUrl: string) {
  const root = path.join(OUT_DIR, "app");
  await cp("build", path.join(root, "build"), { recursive: true });
  await cp(path.join("db", "migrations"), path.join(root, "db", "migrations"), { recursive: true });
  const server = startServerProcess(
    {
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(SERVER_PORT),
      APP_URL,
      BETTER_AUTH_SECRET: randomBytes(32).toString("base64"),
      PGLITE_DIR: "memory://",
      DATABASE_URL: "",
      SMTP_URL: smtpUrl,
      TRUST_PROXY: "loopback",
      LOG_LEVEL: "warn",
    },
    { cwd: root },
  );
  track(server.child);
  return server;
}
