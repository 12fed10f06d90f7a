import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compressResponses } from "../../app/server/compression.server";

const PAGE = `<!DOCTYPE html><html><body>${"<p>A todo, and another one.</p>".repeat(200)}</body></html>`;
const LONG = "x".repeat(300 * 1024);

/** A raw answer: node:http does not decompress, so the bytes are as sent. */
function get(origin: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = httpRequest(`${origin}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("compressing answers in one piece", () => {
  let origin = "";
  let close = () => {};

  beforeAll(async () => {
    const app = express();
    app.use(compressResponses());
    // A page written in pieces, as React and Remix write one.
    app.get("/page", (_req, res) => {
      res.type("html");
      for (let i = 0; i < PAGE.length; i += 2048) res.write(PAGE.slice(i, i + 2048));
      res.end();
    });
    app.get("/short", (_req, res) => void res.type("text").send("ok"));
    app.get("/long", (_req, res) => {
      res.type("text");
      for (let i = 0; i < LONG.length; i += 16 * 1024) res.write(LONG.slice(i, i + 16 * 1024));
      res.end();
    });
    app.get("/image", (_req, res) => void res.type("png").send(Buffer.alloc(4096, 7)));
    const server = app.listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it("gzips a page written in pieces into one body with its length", async () => {
    const answer = await get(origin, "/page", { "accept-encoding": "gzip, deflate, br" });
    expect(answer.headers["content-encoding"]).toBe("gzip");
    expect(answer.headers["content-length"]).toBe(String(answer.body.length));
    expect(answer.headers.vary).toMatch(/accept-encoding/i);
    expect(answer.body.length).toBeLessThan(PAGE.length / 5);
    expect(gunzipSync(answer.body).toString()).toBe(PAGE);
  });

  it("sends the page as it is to a client that does not ask for gzip", async () => {
    const answer = await get(origin, "/page");
    expect(answer.headers["content-encoding"]).toBeUndefined();
    expect(answer.body.toString()).toBe(PAGE);
  });

  it("leaves short answers and images uncompressed", async () => {
    const short = await get(origin, "/short", { "accept-encoding": "gzip" });
    expect(short.headers["content-encoding"]).toBeUndefined();
    expect(short.body.toString()).toBe("ok");
    const image = await get(origin, "/image", { "accept-encoding": "gzip" });
    expect(image.headers["content-encoding"]).toBeUndefined();
    expect(image.body.length).toBe(4096);
  });

  it("streams an answer that outgrows the buffer, still whole", async () => {
    const answer = await get(origin, "/long", { "accept-encoding": "gzip" });
    expect(answer.headers["content-encoding"]).toBe("gzip");
    expect(answer.headers["content-length"]).toBeUndefined();
    expect(gunzipSync(answer.body).toString()).toBe(LONG);
  });

  it("honours a refusal of gzip (q=0)", async () => {
    const answer = await get(origin, "/page", { "accept-encoding": "gzip;q=0, identity" });
    expect(answer.headers["content-encoding"]).toBeUndefined();
    expect(answer.body.toString()).toBe(PAGE);
  });
});
