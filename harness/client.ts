/**
 * The one HTTP client of the tests, the bench and the scan: a browser without
 * JavaScript, driving the app from outside. It keeps its cookies, sends forms
 * as a document navigation from the app's own pages, follows no redirect by
 * itself, and may say which client address it comes from (X-Forwarded-For,
 * believed by an app with TRUST_PROXY set to loopback).
 */
import { Agent } from "node:http";
import { CookieJar } from "./cookies";
import { send, type HeaderFields } from "./http";

export type { HeaderFields } from "./http";

export const CHROME_ON_LINUX =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";

export type FormFields = Record<string, string | string[]>;

/** A form as `application/x-www-form-urlencoded`, a field given as a list sent once per item. */
export function encodeForm(fields: FormFields): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, item);
  }
  return params.toString();
}

export interface ClientOptions {
  /** Where relative paths go; an absolute URL given to a request goes to its own origin. */
  origin?: string;
  /**
   * The origin the app is published at (`APP_URL`), when it is not where requests go (an https
   * APP_URL in front of a plain HTTP test server): forms say it as `Origin`, requests as `Host`.
   */
  appOrigin?: string;
  /** Sent as X-Forwarded-For: the client address this browser has, for an app that trusts loopback. */
  address?: string;
  userAgent?: string;
  /** Headers of every request (given per request, a header wins over these). */
  headers?: HeaderFields;
  /** Connections of its own kept open between requests, as a browser keeps them. */
  keepAlive?: boolean;
}

/** What a browser says of a form it submits, and of a script's JSON call (Fetch Metadata). */
const FORM_POST = { "content-type": "application/x-www-form-urlencoded", "sec-fetch-mode": "navigate" };
const SCRIPT_POST = { "content-type": "application/json", "sec-fetch-mode": "cors" };

/** A target that names its own origin, rather than a path on the client's. */
const ABSOLUTE = /^https?:\/\//i;

export interface RequestOptions {
  method?: string;
  headers?: HeaderFields;
  body?: string | Buffer;
}

export class HttpClient {
  readonly cookies = new CookieJar();
  private readonly agent: Agent | undefined;

  constructor(readonly options: ClientOptions = {}) {
    this.agent = options.keepAlive ? new Agent({ keepAlive: true }) : undefined;
  }

  get address(): string | undefined {
    return this.options.address;
  }

  /** The `Cookie` header it sends now; undefined while it holds none. */
  get cookieHeader(): string | undefined {
    return this.cookies.header() || undefined;
  }

  /** Where `target` goes: a path on this client's origin, or an absolute URL. */
  private locate(target: string): { origin: string; path: string } {
    if (ABSOLUTE.test(target)) {
      const url = new URL(target);
      return { origin: url.origin, path: `${url.pathname}${url.search}` };
    }
    if (this.options.origin === undefined) throw new Error(`no origin for the relative ${target}`);
    return { origin: this.options.origin, path: target };
  }

  /** The origin a page of `target` has, as forms on it say it. */
  private originFor(target: string): string {
    return this.options.appOrigin ?? this.locate(target).origin;
  }

  /** Any request; the cookies it sets are kept. */
  async request(
    target: string,
    { method = "GET", headers = {}, body }: RequestOptions = {},
  ): Promise<Response> {
    const { origin, path } = this.locate(target);
    const { appOrigin, address, userAgent = CHROME_ON_LINUX } = this.options;
    const response = await send(origin, path, {
      method,
      body,
      agent: this.agent,
      headers: {
        // The public host, as a browser sends it (a proxy in front of the app keeps it).
        host: appOrigin === undefined ? undefined : new URL(appOrigin).host,
        "user-agent": userAgent,
        "x-forwarded-for": address,
        cookie: this.cookieHeader,
        ...this.options.headers,
        ...headers,
      },
    });
    this.cookies.store(response.headers.getSetCookie());
    return response;
  }

  /** A page opened by following a link or typing its address. */
  get(target: string, headers: HeaderFields = {}): Promise<Response> {
    return this.request(target, {
      headers: {
        "sec-fetch-mode": "navigate",
        "sec-fetch-site": "none",
        "sec-fetch-dest": "document",
        ...headers,
      },
    });
  }

  /** A form submitted from one of the app's pages, without JavaScript. */
  post(target: string, fields: FormFields, headers: HeaderFields = {}): Promise<Response> {
    return this.postFromPage(target, encodeForm(fields), { ...FORM_POST, ...headers });
  }

  /** A JSON call (to `/api/auth/*`), as the app's own scripts would make it. */
  postJson(target: string, body: unknown, headers: HeaderFields = {}): Promise<Response> {
    return this.postFromPage(target, JSON.stringify(body), { ...SCRIPT_POST, ...headers });
  }

  /** A POST from one of the app's own pages. */
  private postFromPage(target: string, body: string, headers: HeaderFields): Promise<Response> {
    const origin = this.originFor(target);
    return this.request(target, {
      method: "POST",
      body,
      headers: { origin, "sec-fetch-site": "same-origin", ...headers },
    });
  }

  /**
   * A mail link opened here: its first answer moves the token into the page's
   * cookie (302 to the bare path), then the page is shown. Answers the page and its path.
   */
  async openLink(link: string): Promise<{ page: Response; path: string }> {
    const moved = await this.get(link);
    const bare = moved.headers.get("location");
    if (moved.status !== 302 || bare === null || bare.includes("token=")) {
      throw new Error(`opening ${link} answered ${moved.status} to ${bare}, not 302 to its bare path`);
    }
    return { page: await this.get(this.sameOrigin(link, bare)), path: bare };
  }

  /** Opens a mail link and submits its page's form, as the person who received it would. */
  async pressOnLinkPage(link: string, fields: FormFields): Promise<Response> {
    const { path } = await this.openLink(link);
    return this.post(this.sameOrigin(link, path), fields);
  }

  /** `path` on the origin `link` goes to. */
  private sameOrigin(link: string, path: string): string {
    return ABSOLUTE.test(link) ? new URL(path, link).toString() : path;
  }
}

/** The response when its status is one of `expected`, else an error naming the request and the answer's start. */
export async function expectStatus(response: Response, expected: number[], what: string): Promise<Response> {
  if (expected.includes(response.status)) return response;
  const text = await response.text().catch(() => "");
  throw new Error(`${what}: ${response.status}, expected ${expected.join(" or ")}\n${text.slice(0, 500)}`);
}
