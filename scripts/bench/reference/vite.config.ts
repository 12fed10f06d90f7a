/**
 * The bench's reference (scripts/bench/reference/README.md): a bare Remix app on
 * the same versions and future flags as ours, built into build/bench-reference.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  // The repository's root, for its package.json (Remix reads it); the app itself is ./app.
  root: path.join(here, "../../.."),
  publicDir: false,
  logLevel: "warn",
  build: { target: "es2022" },
  plugins: [
    remix({
      appDirectory: path.join(here, "app"),
      buildDirectory: path.join(here, "../../../build/bench-reference"),
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
        v3_routeConfig: true,
      },
    }),
  ],
});
