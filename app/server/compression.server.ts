import type { ServerResponse } from "node:http";
import { constants, createGzip, gzip, type Gzip } from "node:zlib";
import type { RequestHandler } from "express";

/**
 * The gzip level of pages and API answers: measured, not guessed
 * (docs/performance.md, _Issue 22_). Level 1 takes a quarter of level 6's
 * time on /todos for 9 % more bytes (7.9 against 7.2 kB); on /login the same.
 */
const LEVEL = constants.Z_BEST_SPEED;

/** Shorter answers go as they are: a gzip member's header and trailer eat most of what it saves. */
const THRESHOLD_BYTES = 1024;

/**
 * Answers up to this size are compressed in one piece when they end; a longer
 * one (a data export) is compressed as a stream from there on.
 */
const MAX_BUFFERED_BYTES = 256 * 1024;

/** What is worth compressing: text, JSON, JavaScript, SVG. Images and archives are compressed already. */
const COMPRESSIBLE =
  /^(?:text\/|application\/(?:json|problem\+json|javascript|xml|manifest\+json)|image\/svg\+xml)/i;

/** Whether a request's Accept-Encoding takes gzip. */
export const acceptsGzip = (header: string | string[] | undefined) => {
  const value = Array.isArray(header) ? header.join(",") : (header ?? "");
  // gzip, unless refused with q=0 (rare enough that a plain answer is right).
  return /(?:^|,)\s*(?:gzip|\*)\s*(?:;\s*q=(?!0(?:\.0*)?\s*(?:,|$))[\d.]+\s*)?(?:,|$)/i.test(value);
};

function addVary(res: ServerResponse) {
  const vary = res.getHeader("Vary");
  const current = Array.isArray(vary) ? vary.join(", ") : String(vary ?? "");
  if (!/(?:^|,)\s*(?:accept-encoding|\*)\s*(?:,|$)/i.test(current)) {
    res.setHeader("Vary", current ? `${current}, Accept-Encoding` : "Accept-Encoding");
  }
}

type Chunk = string | Buffer | Uint8Array;
type Callback = (error?: Error | null) => void;

const toBuffer = (chunk: Chunk, encoding?: BufferEncoding) =>
  typeof chunk === "string"
    ? Buffer.from(chunk, encoding)
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);

/**
 * gzip for every answer of the app, in one call per response: a page is
 * collected as React and Remix write it (in pieces of about 2 kB) and
 * compressed once when it ends, with its Content-Length. The `compression`
 * package ran a zlib stream per response instead, fed piece by piece, each
 * piece a trip to libuv's thread pool and each stream 256 kB of zlib state
 * that V8 counts against its heap: on /login that was a quarter of the
 * server's time and much of its garbage collection (docs/performance.md).
 * A response that grows past MAX_BUFFERED_BYTES becomes a gzip stream.
 */
export function compressResponses({
  level = LEVEL,
  threshold = THRESHOLD_BYTES,
  maxBuffered = MAX_BUFFERED_BYTES,
}: { level?: number; threshold?: number; maxBuffered?: number } = {}): RequestHandler {
  return (req, res, next) => {
    if (req.method === "HEAD" || !acceptsGzip(req.headers["accept-encoding"])) return next();
    const originalWrite = res.write;
    const write = res.write.bind(res) as (chunk: Chunk, callback?: Callback) => boolean;
    const end = res.end.bind(res) as (chunk?: Chunk, callback?: () => void) => ServerResponse;
    /** null until the first write or the end; then whether the body is collected for gzip. */
    let collecting: boolean | null = null;
    let chunks: Buffer[] = [];
    let size = 0;
    let stream: Gzip | null = null;

    /** Decided once the headers are final (at the first write or the end): by type, status and headers. */
    const compressible = () => {
      if (res.headersSent) return false;
      const type = String(res.getHeader("Content-Type") ?? "");
      if (!COMPRESSIBLE.test(type)) return false;
      addVary(res);
      return (
        !res.hasHeader("Content-Encoding") &&
        res.statusCode !== 204 &&
        res.statusCode !== 304 &&
        !/\bno-transform\b/i.test(String(res.getHeader("Cache-Control") ?? ""))
      );
    };

    /** From here on a gzip stream: the response outgrew the buffer. */
    const startStream = () => {
      res.removeHeader("Content-Length");
      res.setHeader("Content-Encoding", "gzip");
      const gzipStream = createGzip({ level });
      stream = gzipStream;
      gzipStream.on("data", (data: Buffer) => {
        if (!write(data)) gzipStream.pause();
      });
      res.on("drain", () => gzipStream.resume());
      gzipStream.on("end", () => end());
      for (const chunk of chunks) gzipStream.write(chunk);
      chunks = [];
    };

    const collect = (chunk: Chunk, encoding: BufferEncoding | undefined) => {
      const buffer = toBuffer(chunk, encoding);
      chunks.push(buffer);
      size += buffer.length;
    };

    res.write = function (chunk: Chunk, encodingOrCallback?: unknown, callback?: unknown) {
      const encoding =
        typeof encodingOrCallback === "string" ? (encodingOrCallback as BufferEncoding) : undefined;
      const done = (typeof encodingOrCallback === "function" ? encodingOrCallback : callback) as
        Callback | undefined;
      if (stream) return stream.write(toBuffer(chunk, encoding), done);
      collecting ??= compressible();
      // Not compressed: exactly as called (a string's encoding included).
      if (!collecting)
        return Reflect.apply(originalWrite, res, [chunk, encodingOrCallback, callback]) as boolean;
      collect(chunk, encoding);
      if (size > maxBuffered) startStream();
      if (done) process.nextTick(done);
      return true;
    } as typeof res.write;

    res.end = function (chunk?: unknown, encodingOrCallback?: unknown, callback?: unknown) {
      const encoding =
        typeof encodingOrCallback === "string" ? (encodingOrCallback as BufferEncoding) : undefined;
      const done = (
        typeof chunk === "function"
          ? chunk
          : typeof encodingOrCallback === "function"
            ? encodingOrCallback
            : callback
      ) as (() => void) | undefined;
      const last =
        typeof chunk === "function" || chunk === undefined || chunk === null ? null : (chunk as Chunk);
      if (stream) {
        if (last !== null) stream.write(toBuffer(last, encoding));
        if (done) res.once("finish", done);
        stream.end();
        return res;
      }
      collecting ??= compressible();
      if (!collecting) return end(last === null ? undefined : toBuffer(last, encoding), done);
      if (last !== null) collect(last, encoding);
      const body = chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size);
      chunks = [];
      if (size < threshold) {
        // Too short to gain: the collected pieces as they were, in one.
        res.setHeader("Content-Length", size);
        return end(body, done);
      }
      const send = (error: Error | null, compressed: Buffer) => {
        if (error) {
          res.destroy(error);
          return;
        }
        res.setHeader("Content-Encoding", "gzip");
        res.setHeader("Content-Length", compressed.length);
        end(compressed, done);
      };
      // On libuv's thread pool, in one trip: the event loop goes on with the next request meanwhile.
      gzip(body, { level }, send);
      return res;
    } as typeof res.end;

    next();
  };
}
