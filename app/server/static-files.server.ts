import { readdirSync } from "node:fs";
import path from "node:path";
import express, { type RequestHandler } from "express";
import { acceptsGzip } from "./compression.server";

/** The names of the files directly in `folder`, as paths (`/favicon.svg`); none if it is missing. */
function filesIn(folder: string): string[] {
  try {
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => `/${entry.name}`);
  } catch {
    return [];
  }
}

/**
 * The client build: `/assets/*` (fingerprinted by Vite, so cached for a year)
 * and the files at the top of `build/client` (favicon.svg and the like).
 * Both lists are read once at start, so a page's request never reaches the
 * file server (whose failed `stat` of the disk, and the error Node makes for
 * it, every page used to pay); an asset with a `.gz` twin made by the build
 * is sent as that, to a browser that takes gzip: compressed once at the best
 * level, not at every request (docs/performance.md).
 */
export function staticFiles(root = "build/client"): RequestHandler[] {
  const assetsFolder = path.join(root, "assets");
  const assets = new Set(filesIn(assetsFolder));
  const serveAsset = express.static(assetsFolder, { immutable: true, maxAge: "1y", index: false });
  const publicFiles = new Set(filesIn(root));
  const servePublic = express.static(root, { maxAge: "1h", index: false });
  const assetsHandler: RequestHandler = (req, res, next) => {
    if (!req.path.startsWith("/assets/")) return next();
    const name = req.path.slice("/assets".length);
    if (!assets.has(name)) return next();
    res.vary("Accept-Encoding");
    if (assets.has(`${name}.gz`) && acceptsGzip(req.headers["accept-encoding"])) {
      // The type of the file itself, not of its .gz twin; the compressor leaves an encoded answer alone.
      res.type(path.extname(name));
      res.setHeader("Content-Encoding", "gzip");
      req.url = `${name}.gz`;
    } else {
      req.url = name;
    }
    serveAsset(req, res, next);
  };
  const publicHandler: RequestHandler = (req, res, next) =>
    publicFiles.has(req.path) ? servePublic(req, res, next) : next();
  return [assetsHandler, publicHandler];
}
