// Bundles server.ts (and the server layer it imports) into build/server-app.js, and writes
// build/server.js, what a deployment runs: `node [options] build/server.js`, one process, no
// wrapper (docs/decisions/011-app-layer-costs.md). It defaults NODE_ENV to
// production before any package loads (React and others read it once, when first imported; a
// static import would be evaluated before any line of the bundle). Packages stay external:
// they are loaded from node_modules.
//
// Then writes a gzip twin (`name.js.gz`) of each text asset of the client build, at zlib's best
// level, which the server sends as it is (app/server/static-files.server.ts): compressed once
// here, not at every request.
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { constants, gzipSync } from "node:zlib";
import { build } from "esbuild";

await build({
  entryPoints: ["server.ts"],
  outfile: "build/server-app.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});

await writeFile(
  "build/server.js",
  `// The production server: \`node build/server.js\` (written by scripts/build-server.mjs).
process.env.NODE_ENV ??= "production";
await import("./server-app.js");
`,
);

const assets = "build/client/assets";
for (const name of await readdir(assets)) {
  if (!/\.(?:js|css|svg|json)$/.test(name)) continue;
  const file = path.join(assets, name);
  await writeFile(`${file}.gz`, gzipSync(await readFile(file), { level: constants.Z_BEST_COMPRESSION }));
}
