import { randomUUID } from "node:crypto";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { CLIENT_ADDRESS_HEADER } from "../../app/auth/client-address";
import { createRequestContext } from "../../app/context.server";
import { unavailableResponse } from "../../app/server/unavailable.server";
import type { Services } from "../../app/services.server";
import { CHROME_ON_LINUX, encodeForm, type FormFields } from "../../harness/client";
import { CookieJar } from "../../harness/cookies";
import { TEST_APP_URL } from "./databases";

export type { FormFields } from "../../harness/client";

type Loader = (args: LoaderFunctionArgs) => unknown;
type Action = (args: ActionFunctionArgs) => unknown;

/** What a loader or action answered, whichever way it answered (returned or thrown). */
export interface RouteResult<T = unknown> {
  status: number;
  headers: Headers;
  /** The data of a `data()` or plain-object answer; undefined for a bare Response. */
  data: T;
  /** For redirects. */
  location: string | null;
}

interface DataWithInit {
  type: "DataWithResponseInit";
  data: unknown;
  init: ResponseInit | null;
}

const isDataWithInit = (value: unknown): value is DataWithInit =>
  typeof value === "object" &&
  value !== null &&
  (value as { type?: unknown }).type === "DataWithResponseInit";

async function toResult(value: unknown): Promise<RouteResult> {
  if (value instanceof Response) {
    const type = value.headers.get("content-type") ?? "";
    const body = type.includes("json")
      ? await value.json()
      : type.startsWith("text")
        ? await value.text()
        : undefined;
    return {
      status: value.status,
      headers: value.headers,
      data: body,
      location: value.headers.get("location"),
    };
  }
  if (isDataWithInit(value)) {
    const headers = new Headers(value.init?.headers);
    return {
      status: value.init?.status ?? 200,
      headers,
      data: value.data,
      location: headers.get("location"),
    };
  }
  return { status: 200, headers: new Headers(), data: value, location: null };
}

let clientCount = 0;
/** A documentation address (RFC 3849), a different /48 each time (limits also count per /48). */
const nextClientAddress = () =>
  `2001:db8:${(clientCount++ % 0xffff).toString(16)}:${(process.pid % 0xffff).toString(16)}::10`;

/**
 * A browser without JavaScript, as far as loaders and actions can tell: the
 * harness's cookie jar and forms (harness/client.ts), with the route's handler
 * called in this process instead of a request over HTTP, and every request
 * carrying the facts the server layer would have set (client address, request id).
 */
export class TestClient {
  readonly cookies = new CookieJar();

  constructor(
    readonly services: Services,
    /** Each client its own address by default, so that rate limits per address never join up tests. */
    readonly clientAddress = nextClientAddress(),
    readonly userAgent = CHROME_ON_LINUX,
  ) {}

  buildRequest(
    path: string,
    init: { method?: string; form?: FormFields; body?: BodyInit; headers?: HeadersInit } = {},
  ) {
    const headers = new Headers(init.headers);
    headers.set(CLIENT_ADDRESS_HEADER, this.clientAddress);
    headers.set("user-agent", this.userAgent);
    if (this.cookies.size > 0 && !headers.has("cookie")) headers.set("cookie", this.cookies.header());
    let body = init.body;
    if (init.form) {
      body = encodeForm(init.form);
      headers.set("content-type", "application/x-www-form-urlencoded");
    }
    if (init.method && init.method !== "GET") headers.set("origin", TEST_APP_URL);
    return new Request(new URL(path, TEST_APP_URL), { method: init.method ?? "GET", headers, body });
  }

  private async run(handler: Loader | Action, request: Request): Promise<RouteResult> {
    const responseHeaders = new Headers();
    const facts = { requestId: randomUUID(), nonce: "test-nonce" };
    const context = createRequestContext(this.services, {
      ...facts,
      headers: request.headers,
      clientAddress: this.clientAddress,
      unavailable: () => unavailableResponse(new URL(request.url).pathname, facts),
      appendResponseHeader: (name, value) => responseHeaders.append(name, value),
    });
    let result: RouteResult;
    try {
      result = await toResult(await handler({ request, params: {}, context }));
    } catch (thrown) {
      if (thrown instanceof Response || isDataWithInit(thrown)) result = await toResult(thrown);
      else throw thrown;
    } finally {
      // As the server layer does after every loader and action (app/server/route-guards.server.ts).
      await context.settleWrites();
    }
    // What the route set on the response directly (cookies, Retry-After), as the server layer would send it.
    for (const [name, value] of responseHeaders) {
      if (name !== "set-cookie") result.headers.append(name, value);
    }
    for (const cookie of responseHeaders.getSetCookie()) result.headers.append("Set-Cookie", cookie);
    this.cookies.store(result.headers.getSetCookie());
    return result;
  }

  /** GET through a route's loader. */
  get<T = unknown>(loader: Loader, path: string): Promise<RouteResult<T>> {
    return this.run(loader, this.buildRequest(path)) as Promise<RouteResult<T>>;
  }

  /** POST a form through a route's action. */
  post<T = unknown>(action: Action, path: string, form: FormFields): Promise<RouteResult<T>> {
    return this.run(action, this.buildRequest(path, { method: "POST", form })) as Promise<RouteResult<T>>;
  }

  /** Any request, for bodies that are not forms. */
  send<T = unknown>(handler: Loader | Action, request: Request): Promise<RouteResult<T>> {
    return this.run(handler, request) as Promise<RouteResult<T>>;
  }
}

let counter = 0;
/** An address no other test uses. */
export const uniqueEmail = (prefix = "user") =>
  `${prefix}-${Date.now().toString(36)}-${++counter}@example.com`;

export const STRONG_PASSWORD = "correct horse battery staple";
