import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * The server and process tests run the production build. `npm test` builds
 * before it runs vitest; a bare `npx vitest` builds here if there is none.
 */
export default function setup() {
  if (!existsSync("build/server.js") || !existsSync("build/server/index.js")) {
    execFileSync("npm", ["run", "build"], { stdio: "inherit" });
  }
}
