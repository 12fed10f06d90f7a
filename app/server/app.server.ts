import { randomFillSync, randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from "express";
import { PROBLEMS, problemTypeUri, type ProblemDocument, type ProblemType } from "../http/api/problem.server";
import { CLIENT_ADDRESS_HEADER } from "../auth/client-address";
import { authorizationOrigins } from "../auth/providers.server";
import { createRequestContext } from "../context.server";
import { normalizeAddress } from "../security/client-address.server";
import { securityHeaders } from "./security-headers.server";
import { crossSiteRefusal } from "../security/origin.server";
import type { Services } from "../services.server";
import type { Logger } from "../logger.server";
import { statusPage } from "./status-page.server";
import { requestLogging } from "./request-log.server";
import { compressResponses } from "./compression.server";
import { staticFiles } from "./static-files.server";
import { guardRoutes } from "./route-guards.server";
import { isDatabaseUnavailable, rootCause } from "../../db/outage";
import {
  RETRY_AFTER_SECONDS,
  unavailableResponse,
  UNAVAILABLE_MESSAGE,
  UNAVAILABLE_TITLE,
} from "./unavailable.server";

/** Forms here are small; anything larger is refused before it is read. */
const MAX_BODY_BYTES = 100 * 1024;

interface RequestLocals {
  requestId: string;
  nonce: string;
  clientAddress: string;
  /** This request's logger, made when first needed (most requests log nothing but their line). */
  log: Logger;
}

export interface AppOptions {
  services: Services;
  /** The Remix build, or (in development) a function that loads the current one through Vite. */
  build: ServerBuild | (() => Promise<ServerBuild>);
  /** Vite's dev middleware; in production the built assets are served instead. */
  devMiddleware?: RequestHandler;
  isShuttingDown(): boolean;
}

const locals = (response: ServerResponse | Response): RequestLocals =>
  (response as Response).locals as RequestLocals;

/**
 * Random bytes for nonces, drawn from the system 4 KiB at a time: one call to
 * the system per 256 responses instead of one per response.
 */
const NONCE_BYTES = 16;
const noncePool = Buffer.alloc(4096);
let noncePoolOffset = noncePool.length;
function newNonce(): string {
  if (noncePoolOffset + NONCE_BYTES > noncePool.length) {
    randomFillSync(noncePool);
    noncePoolOffset = 0;
  }
  const nonce = noncePool.toString("base64", noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
  return nonce;
}

function toHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

type StatusProblem = Extract<
  ProblemType,
  | "cross-site-request"
  | "payload-too-large"
  | "length-required"
  | "internal-error"
  | "service-unavailable"
  | "invalid-request"
>;

/**
 * The answers the server layer gives itself: a small page for people, or for
 * the JSON APIs under /api/ a problem document (RFC 9457).
 */
function sendStatusPage(req: Request, res: Response, status: StatusProblem, title: string, message: string) {
  const { requestId, nonce } = locals(res);
  res.status(PROBLEMS[status].status).set("Cache-Control", "no-store");
  if (req.path.startsWith("/api/")) {
    const body: ProblemDocument = {
      type: problemTypeUri(status),
      title,
      status: PROBLEMS[status].status,
      detail: message,
    };
    res.type("application/problem+json").send(JSON.stringify(body));
    return;
  }
  res.type("html").send(statusPage({ title, message, requestId, nonce }));
}

/**
 * The HTTP application: every cross-cutting concern in one place, in the order
 * a request meets them, then Remix.
 */
export function createApp({ services, build, devMiddleware, isShuttingDown }: AppOptions) {
  const { config, logger } = services;
  const appHosts = new Set(config.appOrigins.map((origin) => new URL(origin).host));
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);

  // Once stopping, the listener is closed but a kept-alive connection would carry request after
  // request until the grace period cut it off mid-request: each answer now ends its connection,
  // so every client finishes what it sent and reconnects elsewhere.
  app.use((_req, res, next) => {
    if (isShuttingDown()) res.setHeader("Connection", "close");
    next();
  });

  // Facts about the request that every later layer relies on.
  app.use((req, res, next) => {
    const requestId = randomUUID();
    const clientAddress = normalizeAddress(req.ip);
    let log: Logger | undefined;
    const facts: RequestLocals = {
      requestId,
      nonce: newNonce(),
      clientAddress,
      get log() {
        return (log ??= logger.child({ reqId: requestId, client: clientAddress }));
      },
    };
    res.locals = facts as unknown as Response["locals"];
    // better-auth reads the client address from this header: only we may set it.
    req.headers[CLIENT_ADDRESS_HEADER] = facts.clientAddress;
    // This app answers for APP_URL only (and its loopback aliases in development). A forged Host or
    // X-Forwarded-Host must change nothing (Remix builds request.url from them and compares them
    // with Origin on every form post).
    if (!appHosts.has(req.headers.host ?? "")) req.headers.host = config.appUrl.host;
    delete req.headers["x-forwarded-host"];
    res.setHeader("X-Request-Id", facts.requestId);
    next();
  });

  app.use(requestLogging(logger, (res) => locals(res)));

  app.use(
    securityHeaders({
      https: config.appUrl.protocol === "https:",
      development: Boolean(devMiddleware),
      nonceOf: (res) => locals(res).nonce,
      formTargets: authorizationOrigins(config),
    }),
  );

  app.get("/healthz", (_req, res) => {
    res.set("Cache-Control", "no-store").type("text").send("ok");
  });
  app.get("/readyz", async (_req, res) => {
    const ready = !isShuttingDown() && (await services.database.ping());
    res.set("Cache-Control", "no-store").type("text");
    if (ready) res.send("ready");
    else res.status(503).set("Retry-After", "5").send("unavailable");
  });

  app.use(compressResponses());

  if (devMiddleware) {
    app.use(devMiddleware);
  } else {
    app.use(staticFiles());
  }

  app.use((req, res, next) => {
    const refusal = crossSiteRefusal(
      { method: req.method, header: (name) => req.get(name) },
      config.appOrigins,
    );
    if (!refusal) return next();
    locals(res).log.warn({ reason: refusal }, "cross-site request refused");
    sendStatusPage(
      req,
      res,
      "cross-site-request",
      "Request refused",
      "This form was sent from another site, or without saying where it came from, so nothing was changed. Go back to the page and try again.",
    );
  });

  app.use((req, res, next) => {
    const length = req.get("content-length");
    if (length !== undefined && Number(length) > MAX_BODY_BYTES) {
      return sendStatusPage(
        req,
        res,
        "payload-too-large",
        "Too much data",
        "That submission is larger than this site accepts.",
      );
    }
    if (length === undefined && req.get("transfer-encoding") !== undefined) {
      // A body of unknown length cannot be limited before it is read.
      return sendStatusPage(
        req,
        res,
        "length-required",
        "Length required",
        "Send the request with a Content-Length header.",
      );
    }
    next();
  });

  // Pages carry personal data and sessions: never store them in any cache.
  app.use((_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });

  // Every loader and action answers an unreachable database with 503 and settles its writes
  // (route-guards.server.ts); in development, those of each new build.
  const guarded = new WeakMap<ServerBuild, ServerBuild>();
  const guard = (current: ServerBuild) => {
    let wrapped = guarded.get(current);
    if (!wrapped) guarded.set(current, (wrapped = guardRoutes(current)));
    return wrapped;
  };

  app.all(
    "*",
    createRequestHandler({
      build: typeof build === "function" ? async () => guard(await build()) : guard(build),
      // Only development may show internals (Remix sends error stacks to the page in that mode).
      mode: config.env === "development" ? "development" : "production",
      getLoadContext: (req, res) =>
        createRequestContext(services, {
          headers: toHeaders(req.headers),
          requestId: locals(res).requestId,
          clientAddress: locals(res).clientAddress,
          nonce: locals(res).nonce,
          unavailable: () => unavailableResponse(req.path, locals(res)),
          // Cookies add up; any other header has one value (two loaders refusing alike must not say "5, 5").
          appendResponseHeader: (name, value) =>
            name.toLowerCase() === "set-cookie" ? res.append(name, value) : res.set(name, value),
        }),
    }),
  );

  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    if (isDatabaseUnavailable(error)) {
      locals(res).log.warn({ reason: rootCause(error) }, "database unreachable: answered 503");
      if (res.headersSent) return res.end();
      res.set("Retry-After", String(RETRY_AFTER_SECONDS));
      return sendStatusPage(req, res, "service-unavailable", UNAVAILABLE_TITLE, UNAVAILABLE_MESSAGE);
    }
    // Express's own refusals (a path whose percent-encoding does not decode) are the client's.
    const status =
      typeof error === "object" && error !== null && "status" in error ? error.status : undefined;
    if (typeof status === "number" && status >= 400 && status < 500) {
      locals(res).log.warn({ err: error }, "malformed request");
      if (res.headersSent) return res.end();
      return sendStatusPage(
        req,
        res,
        "invalid-request",
        "Bad request",
        "That address or request could not be read.",
      );
    }
    locals(res).log.error({ err: error }, "request failed");
    if (res.headersSent) return res.end();
    sendStatusPage(
      req,
      res,
      "internal-error",
      "Something went wrong",
      "We could not finish that request. Please try again in a moment.",
    );
  };
  app.use(onError);

  return app;
}
