import { Agent, request as httpRequest } from "node:http";
import { expect } from "vitest";
import { STRONG_PASSWORD } from "../../support/client";
import type { AppInstance } from "../../support/instances";
import { linkIn, type SmtpCatcher } from "../../../harness/smtp";

/** What a scenario counts, and prints at its end. */
export interface Tally {
  requests: number;
  /** Answers by status. */
  statuses: Map<number, number>;
  /** Requests that got no answer at all, by the socket's error code. */
  networkErrors: Map<string, number>;
  /** Writes the app said it did (a redirect after a form post). */
  writesAcknowledged: number;
  /** Writes found in the database afterwards. */
  writesFound: number;
}

export const createTally = (): Tally => ({
  requests: 0,
  statuses: new Map(),
  networkErrors: new Map(),
  writesAcknowledged: 0,
  writesFound: 0,
});

const bump = <Key>(map: Map<Key, number>, key: Key) => map.set(key, (map.get(key) ?? 0) + 1);

/** Answers with a status of at least `from`. */
export const countStatuses = (tally: Tally, matches: (status: number) => boolean) =>
  [...tally.statuses].reduce((sum, [status, count]) => sum + (matches(status) ? count : 0), 0);

/** Server errors plus requests without an answer. */
export const errorCount = (tally: Tally) =>
  countStatuses(tally, (status) => status >= 500) +
  [...tally.networkErrors.values()].reduce((a, b) => a + b, 0);

/**
 * The scenario's counts on one line, as the issue asks (requests, errors,
 * writes acknowledged, writes found), then what was answered; `extra` adds
 * what is particular to the scenario.
 */
export function report(scenario: string, tally: Tally, extra: Record<string, string | number> = {}) {
  const statuses = [...tally.statuses]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status}×${count}`)
    .join(" ");
  const network = [...tally.networkErrors].map(([code, count]) => `${code}×${count}`).join(" ");
  const fields = {
    requests: tally.requests,
    errors: errorCount(tally),
    "writes acknowledged": tally.writesAcknowledged,
    "writes found": tally.writesFound,
    ...extra,
  };
  const line = Object.entries(fields)
    .map(([name, value]) => `${name}=${value}`)
    .join(", ");
  console.log(
    `[resilience] ${scenario}: ${line}\n[resilience] ${scenario}: answers ${statuses || "none"}${network ? `; no answer ${network}` : ""}`,
  );
}

/** The error code of a failed fetch: the socket's (ECONNREFUSED, ECONNRESET …) or undici's. */
export function networkErrorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const { code } = current as { code?: unknown };
    if (typeof code === "string") return code;
    current = current.cause;
  }
  return error instanceof Error ? error.message : String(error);
}

export type Outcome =
  | { ok: true; status: number; headers: Headers; body: string; ms: number }
  | { ok: false; code: string; ms: number };

/**
 * A person in a browser without JavaScript, behind its own address (sent as
 * X-Forwarded-For, which the instances believe from loopback): it keeps its
 * cookies, follows nothing by itself, and every request is counted in `tally`.
 */
export class Browser {
  readonly cookies = new Map<string, string>();
  /** Its own connections, kept open between requests, as a browser keeps them. */
  readonly agent = new Agent({ keepAlive: true });

  constructor(
    readonly address: string,
    readonly tally: Tally,
  ) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  private headers(): Record<string, string> {
    const cookie = this.cookieHeader;
    return {
      "x-forwarded-for": this.address,
      // What a browser says of a link followed or a form sent on the site's own page.
      "sec-fetch-mode": "navigate",
      "sec-fetch-site": "same-origin",
      "sec-fetch-dest": "document",
      ...(cookie ? { cookie } : {}),
    };
  }

  private keepCookies(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute)) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private async settle(
    instance: AppInstance,
    method: "GET" | "POST",
    pathname: string,
    fields?: Record<string, string>,
  ): Promise<Outcome> {
    const started = Date.now();
    this.tally.requests++;
    try {
      const body = fields ? new URLSearchParams(fields).toString() : undefined;
      const answer = await send(new URL(pathname, instance.origin), {
        agent: this.agent,
        method,
        headers: {
          ...this.headers(),
          ...(body === undefined
            ? {}
            : {
                "content-type": "application/x-www-form-urlencoded",
                "content-length": String(Buffer.byteLength(body)),
                origin: instance.origin,
              }),
        },
        body,
      });
      bump(this.tally.statuses, answer.status);
      this.keepCookies(answer.headers);
      return { ok: true, ...answer, ms: Date.now() - started };
    } catch (error) {
      const code = networkErrorCode(error);
      bump(this.tally.networkErrors, code);
      return { ok: false, code, ms: Date.now() - started };
    }
  }

  get(instance: AppInstance, pathname: string): Promise<Outcome> {
    return this.settle(instance, "GET", pathname);
  }

  post(instance: AppInstance, pathname: string, fields: Record<string, string>): Promise<Outcome> {
    return this.settle(instance, "POST", pathname, fields);
  }
}

/**
 * One request over node:http: unlike fetch, it sends the Fetch Metadata a
 * browser sends for a form (fetch always says `Sec-Fetch-Mode: cors`), and
 * follows no redirect.
 */
function send(
  url: URL,
  {
    agent,
    method,
    headers,
    body,
  }: { agent: Agent; method: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Headers; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const received = new Headers();
        const raw = response.rawHeaders;
        for (let i = 0; i + 1 < raw.length; i += 2) received.append(raw[i] ?? "", raw[i + 1] ?? "");
        resolve({
          status: response.statusCode ?? 0,
          headers: received,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
    });
    request.on("error", reject);
    request.end(body);
  });
}

/** A form post the app acknowledged: redirected as a successful post is (302 or 303). */
export const acknowledged = (outcome: Outcome) =>
  outcome.ok && (outcome.status === 302 || outcome.status === 303);

export interface ListedTodo {
  id: string;
  title: string;
  completed: boolean;
}

/** The todos of a /todos page, as its per-todo forms carry them. */
export function todosOnPage(html: string): ListedTodo[] {
  const todos: ListedTodo[] = [];
  for (const item of html.matchAll(/<li class="(todo(?: completed)?)"[^>]*>([\s\S]*?)<\/li>/g)) {
    const [, className = "", body = ""] = item;
    const id = /name="id" value="([^"]+)"/.exec(body)?.[1];
    const title = /name="title"[^>]*? value="([^"]*)"/.exec(body)?.[1];
    if (id === undefined || title === undefined) throw new Error(`a todo without id or title:\n${body}`);
    todos.push({ id, title, completed: className === "todo completed" });
  }
  return todos;
}

/** A 503 as an outage is answered: Retry-After in seconds, and a page (or problem) that says what happened. */
export function expectOutageAnswer(outcome: Outcome & { ok: true }) {
  expect(outcome.status).toBe(503);
  expect(outcome.headers.get("retry-after")).toMatch(/^\d+$/);
  expect(outcome.body).toContain("cannot reach its database");
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds; the milliseconds it took, or an error after `withinMs`. */
export async function within(withinMs: number, check: () => Promise<boolean>, everyMs = 20): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > withinMs) throw new Error(`did not happen within ${withinMs} ms`);
    await sleep(everyMs);
  }
  return Date.now() - started;
}

let addressCount = 0;
/** A private address of its own per simulated person, so that rate limits never join them up. */
export const nextAddress = () => {
  const n = ++addressCount;
  // Each in a /24 of its own: password hashing is shared per /24, and each person is their own network.
  return `10.77.${n & 255}.${10 + ((n >> 8) & 127)}`;
};

/**
 * Signs `email` up through the form on `instance`, as `browser`, and follows
 * the link of the confirmation mail: the browser ends up signed in.
 */
export async function signUp(browser: Browser, instance: AppInstance, smtp: SmtpCatcher, email: string) {
  const signedUp = await browser.post(instance, "/signup", {
    name: "Resilient User",
    email,
    password: STRONG_PASSWORD,
    confirmPassword: STRONG_PASSWORD,
  });
  if (!signedUp.ok || signedUp.status !== 302)
    throw new Error(`sign-up of ${email} answered ${outcomeText(signedUp)}`);
  const [mail] = await smtp.waitFor(email, 1, 30_000);
  if (!mail) throw new Error(`no mail to ${email}`);
  const link = new URL(linkIn(mail, `${instance.origin}/verify-email?token=`));
  // The link moves its token into the page's cookie; the page's button confirms.
  const opened = await browser.get(instance, `${link.pathname}${link.search}`);
  if (!opened.ok || opened.status !== 302)
    throw new Error(`opening the link answered ${outcomeText(opened)}`);
  const verified = await browser.post(instance, link.pathname, { intent: "confirm" });
  if (!verified.ok || verified.status !== 302)
    throw new Error(`confirmation answered ${outcomeText(verified)}`);
}

export const outcomeText = (outcome: Outcome) => (outcome.ok ? String(outcome.status) : outcome.code);
