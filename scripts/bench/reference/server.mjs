// The reference's server: Express, compression and Remix's request handler with
// their defaults, nothing else (no headers, no logging, no session, no database).
// Run from the repository's root after the bench has built it:
//   PORT=3514 node scripts/bench/reference/server.mjs
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import compression from "compression";
import express from "express";

const root = path.resolve("build/bench-reference");
const build = await import(pathToFileURL(path.join(root, "server/index.js")).href);

const app = express();
app.disable("x-powered-by");
app.use(compression());
app.use("/assets", express.static(path.join(root, "client/assets"), { immutable: true, maxAge: "1y" }));
app.all("*", createRequestHandler({ build, mode: "production" }));

const server = app.listen(Number(process.env.PORT ?? 3514), process.env.HOST ?? "127.0.0.1", () =>
  console.log("reference listening"),
);
process.on("SIGTERM", () => server.close(() => process.exit(0)));
