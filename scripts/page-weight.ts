/**
 * What a page costs to download: its HTML, its CSS, and the JavaScript that
 * loads when JavaScript is on, each raw and as the server sends it gzipped.
 * Bytes are counted on the wire (node:http, which does not decompress), so
 * the gzip figure is the server's own compression, not an estimate.
 *
 * Also the JavaScript of every route, from the Remix manifest, so that a route
 * that ships code it does not need shows up next to the others.
 */
import { send } from "../harness/http";

interface Fetched {
  status: number;
  bytes: number;
  encoding: string | null;
  body: Buffer;
}

/** One GET, with the bytes exactly as they arrived (harness/http.ts decompresses nothing). */
async function get(url: string, headers: Record<string, string>): Promise<Fetched> {
  const { origin, pathname, search } = new URL(url);
  const answer = await send(origin, `${pathname}${search}`, { headers });
  const body = Buffer.from(await answer.arrayBuffer());
  return {
    status: answer.status,
    bytes: body.length,
    encoding: answer.headers.get("content-encoding"),
    body,
  };
}

export interface Weight {
  raw: number;
  gzip: number;
}

const add = (a: Weight, b: Weight): Weight => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip });
const ZERO: Weight = { raw: 0, gzip: 0 };

/** A resource raw (identity) and as the server gzips it. */
async function weigh(url: string, cookie?: string): Promise<Weight & { text: string }> {
  const common: Record<string, string> = cookie ? { cookie } : {};
  const [raw, gzipped] = await Promise.all([
    get(url, { ...common, "accept-encoding": "identity" }),
    get(url, { ...common, "accept-encoding": "gzip" }),
  ]);
  if (raw.status !== 200 || gzipped.status !== 200) {
    throw new Error(`GET ${url}: ${raw.status} (identity), ${gzipped.status} (gzip)`);
  }
  // Below compression's threshold the server sends the bytes as they are; so does the figure.
  return { raw: raw.bytes, gzip: gzipped.bytes, text: raw.body.toString("utf8") };
}

/** The assets a page's HTML makes the browser fetch: stylesheets and JavaScript modules. */
export function assetsOf(html: string): { css: string[]; js: string[] } {
  const css = new Set<string>();
  const js = new Set<string>();
  for (const tag of html.match(/<link\b[^>]*>/g) ?? []) {
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    if (!href) continue;
    if (/\brel="stylesheet"/.test(tag)) css.add(href);
    if (/\brel="modulepreload"/.test(tag)) js.add(href);
  }
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    const src = /\bsrc="([^"]+)"/.exec(match[1] ?? "")?.[1];
    if (src) js.add(src);
    // Remix's inline module script imports the entry and the route modules.
    for (const imported of (match[2] ?? "").matchAll(/\bimport\s*(?:[\w*{}\s,]+from\s*)?\(?\s*"([^"]+)"/g)) {
      if (imported[1]) js.add(imported[1]);
    }
  }
  return { css: [...css], js: [...js] };
}

/** Bytes of inline `<script>` content (hydration data and the module loader) inside a page. */
const inlineScriptBytes = (html: string) =>
  [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].reduce(
    (sum, match) => sum + Buffer.byteLength(match[1] ?? ""),
    0,
  );

export interface PageWeight {
  path: string;
  html: Weight;
  /** Of the raw HTML, how much is inline script (mostly the loader data that hydration needs). */
  inlineScript: number;
  css: Weight;
  js: Weight;
  jsFiles: { url: string; weight: Weight }[];
}

const assetCache = new Map<string, Promise<Weight>>();
const weighAsset = (url: string) => {
  let cached = assetCache.get(url);
  if (!cached) {
    cached = weigh(url).then(({ raw, gzip }) => ({ raw, gzip }));
    assetCache.set(url, cached);
  }
  return cached;
};

export async function measurePage(baseUrl: string, pathname: string, cookie?: string): Promise<PageWeight> {
  const page = await weigh(new URL(pathname, baseUrl).toString(), cookie);
  const { css, js } = assetsOf(page.text);
  const cssWeights = await Promise.all(css.map((href) => weighAsset(new URL(href, baseUrl).toString())));
  const jsFiles = await Promise.all(
    js.map(async (href) => ({ url: href, weight: await weighAsset(new URL(href, baseUrl).toString()) })),
  );
  return {
    path: pathname,
    html: { raw: page.raw, gzip: page.gzip },
    inlineScript: inlineScriptBytes(page.text),
    css: cssWeights.reduce(add, ZERO),
    js: jsFiles.map((file) => file.weight).reduce(add, ZERO),
    jsFiles,
  };
}

interface ManifestRoute {
  id: string;
  parentId?: string;
  module: string;
  imports?: string[];
}

interface RemixManifest {
  entry: { module: string; imports?: string[] };
  routes: Record<string, ManifestRoute>;
}

export interface RouteWeight {
  id: string;
  js: Weight;
  /** The module files, with their weights, heaviest first. */
  files: { url: string; weight: Weight }[];
}

/**
 * The JavaScript each route loads with JavaScript on (entry, root and parent
 * routes included), from the build's route manifest: what a browser fetches
 * on a first visit to that route.
 */
export async function measureRoutes(baseUrl: string, html: string): Promise<RouteWeight[]> {
  // With lazy route discovery the page inlines only its own routes; the whole manifest is still built, at this URL.
  const manifestUrl = /"url":\s*"(\/assets\/manifest-[^"]+\.js)"/.exec(html)?.[1];
  if (!manifestUrl) throw new Error("the page names no Remix manifest");
  const { text } = await weigh(new URL(manifestUrl, baseUrl).toString());
  const json = /^window\.__remixManifest\s*=\s*([\s\S]*?);?\s*$/.exec(text.trim())?.[1];
  if (!json) throw new Error(`cannot read the manifest at ${manifestUrl}`);
  const manifest = JSON.parse(json) as RemixManifest;
  const routes = Object.values(manifest.routes);
  const byId = new Map(routes.map((route) => [route.id, route]));
  const weights: RouteWeight[] = [];
  for (const route of routes) {
    const urls = new Set<string>([manifest.entry.module, ...(manifest.entry.imports ?? [])]);
    for (
      let current: ManifestRoute | undefined = route;
      current;
      current = current.parentId ? byId.get(current.parentId) : undefined
    ) {
      urls.add(current.module);
      for (const imported of current.imports ?? []) urls.add(imported);
    }
    const files = await Promise.all(
      [...urls].map(async (url) => ({ url, weight: await weighAsset(new URL(url, baseUrl).toString()) })),
    );
    // A resource route (API, logout, export) compiles to an empty module: no page, nothing to load.
    if ((files.find((file) => file.url === route.module)?.weight.raw ?? 0) <= 1) continue;
    files.sort((a, b) => b.weight.gzip - a.weight.gzip);
    weights.push({ id: route.id, js: files.map((file) => file.weight).reduce(add, ZERO), files });
  }
  return weights.sort((a, b) => b.js.gzip - a.js.gzip);
}

export const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
const pair = (weight: Weight) => `${kB(weight.raw).padStart(9)} ${kB(weight.gzip).padStart(9)}`;

export function formatPageWeights(pages: PageWeight[]): string {
  const lines = [
    `${"page".padEnd(10)} ${"HTML raw".padStart(9)} ${"gzip".padStart(9)}   ${"CSS raw".padStart(9)} ${"gzip".padStart(9)}   ${"JS raw".padStart(9)} ${"gzip".padStart(9)}  JS files`,
  ];
  for (const page of pages) {
    lines.push(
      `${page.path.padEnd(10)} ${pair(page.html)}   ${pair(page.css)}   ${pair(page.js)}  ${page.jsFiles.length}`,
    );
  }
  for (const page of pages) {
    lines.push(
      `  ${page.path}: ${kB(page.inlineScript)} of its raw HTML is inline script (the loader data for hydration and the module loader)`,
    );
  }
  return lines.join("\n");
}

export function formatRouteWeights(routes: RouteWeight[], top = 3): string {
  const width = Math.max(5, ...routes.map((route) => route.id.length));
  const lines = [
    `${"route".padEnd(width)} ${"JS raw".padStart(9)} ${"gzip".padStart(9)}  heaviest files (gzip)`,
  ];
  for (const route of routes) {
    const heaviest = route.files
      .slice(0, top)
      .map((file) => `${file.url.replace(/^\/assets\//, "")} ${kB(file.weight.gzip)}`)
      .join(", ");
    lines.push(`${route.id.padEnd(width)} ${pair(route.js)}  ${heaviest}`);
  }
  return lines.join("\n");
}
