/**
 * The one transport of the harness: a request over node:http. Unlike fetch, it
 * sends every header exactly as given (`Host`, `Sec-Fetch-*`: fetch always says
 * `Sec-Fetch-Mode: cors`), the path byte for byte (malformed or not), follows
 * no redirect, and hands back the body as it came over the wire (never
 * decompressed), as a browser, an attacker or a byte counter needs it.
 */
import { request as httpRequest, type Agent } from "node:http";

/** Header fields to send; an `undefined` value leaves the header out. */
export type HeaderFields = Record<string, string | undefined>;

export interface Exchange {
  method?: string;
  headers?: HeaderFields;
  body?: string | Buffer;
  /** Connections to reuse (a browser's keep-alive); node's global agent when not given. */
  agent?: Agent;
}

/** One HTTP exchange with the server at `origin` (http only); answers the response, read to its end. */
export function send(
  origin: string,
  path: string,
  { method = "GET", headers = {}, body, agent }: Exchange = {},
): Promise<Response> {
  const { protocol, hostname, port } = new URL(origin);
  if (protocol !== "http:") throw new Error(`the harness speaks plain HTTP only, not to ${origin}`);
  const outgoing: Record<string, string> = {};
  if (body !== undefined) outgoing["content-length"] = String(Buffer.byteLength(body));
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) outgoing[name] = value;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method, path, headers: outgoing, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const received = new Headers();
        const raw = res.rawHeaders;
        for (let i = 0; i + 1 < raw.length; i += 2) received.append(raw[i] ?? "", raw[i + 1] ?? "");
        const status = res.statusCode ?? 0;
        const empty = method === "HEAD" || status === 204 || status === 304;
        resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers: received }));
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}
