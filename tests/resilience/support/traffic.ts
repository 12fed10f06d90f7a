import { afterAll, expect } from "vitest";
import { HttpClient, type ClientOptions, type RequestOptions } from "../../../harness/client";
import type { CookieJar } from "../../../harness/cookies";
import { mailedConfirmationLink, signUpAndConfirm } from "../../../harness/sign-up";
import type { SmtpCatcher } from "../../../harness/smtp";
import { STRONG_PASSWORD } from "../../support/client";
import type { AppInstance } from "../../support/instances";

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

const createTally = (): Tally => ({
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
 * The scenario's counts on one line, as docs/operations.md reports them (requests, errors,
 * writes acknowledged, writes found), then what was answered; `extra` adds
 * what is particular to the scenario.
 */
function report(scenario: string, tally: Tally, extra: Record<string, string | number> = {}) {
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

/**
 * The tally of the scenario of the describe block it is called in, and figures
 * particular to it (`extra`, and `more` read at the end), reported after its
 * tests; and its people, each counted in that tally.
 */
export function reportedScenario(scenario: string, more: () => Record<string, number> = () => ({})) {
  const tally = createTally();
  const extra: Record<string, number> = {};
  afterAll(() => report(scenario, tally, { ...more(), ...extra }));
  /** A new person in the scenario, from an address of their own. */
  const newBrowser = () => new CountedBrowser(nextAddress(), tally);
  return { tally, extra, newBrowser };
}

/** The error code of a failed fetch: the socket's (ECONNREFUSED, ECONNRESET …) or undici's. */
function networkErrorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const { code } = current as { code?: unknown };
    if (typeof code === "string") return code;
    current = current.cause;
  }
  return error instanceof Error ? error.message : String(error);
}

/** What became of one request: its answer, or the socket's error; sent at `startedAt`, over after `ms`. */
export type Outcome = { startedAt: number; ms: number } & (
  { ok: true; status: number; headers: Headers; body: string } | { ok: false; code: string }
);

/** The harness's client, with every request it sends counted in a tally. */
class TalliedClient extends HttpClient {
  constructor(
    options: ClientOptions,
    private readonly tally: Tally,
  ) {
    super(options);
  }

  override async request(target: string, init?: RequestOptions): Promise<Response> {
    this.tally.requests++;
    try {
      const answer = await super.request(target, init);
      bump(this.tally.statuses, answer.status);
      return answer;
    } catch (error) {
      bump(this.tally.networkErrors, networkErrorCode(error));
      throw error;
    }
  }
}

/**
 * A person in a browser without JavaScript (harness/client.ts), behind its own
 * address (sent as X-Forwarded-For, which the instances believe from loopback),
 * on whichever instance each request is sent to, as behind a load balancer:
 * every request is counted in `tally`, and one without an answer is an
 * outcome, not an error.
 */
export class CountedBrowser {
  /** Its own connections, kept open between requests, as a browser keeps them. */
  readonly client: HttpClient;

  constructor(
    readonly address: string,
    readonly tally: Tally,
  ) {
    this.client = new TalliedClient({ address, keepAlive: true }, tally);
  }

  get cookies(): CookieJar {
    return this.client.cookies;
  }

  /** Another browser at the same address with a copy of this one's cookies as they are now, as someone who kept one. */
  copy(): CountedBrowser {
    const copy = new CountedBrowser(this.address, this.tally);
    for (const [name, value] of this.cookies) copy.cookies.set(name, value);
    return copy;
  }

  private async settle(send: () => Promise<Response>): Promise<Outcome> {
    const started = Date.now();
    try {
      const answer = await send();
      const body = await answer.text();
      const { status, headers } = answer;
      return { ok: true, status, headers, body, startedAt: started, ms: Date.now() - started };
    } catch (error) {
      return { ok: false, code: networkErrorCode(error), startedAt: started, ms: Date.now() - started };
    }
  }

  get(instance: AppInstance, pathname: string): Promise<Outcome> {
    return this.settle(() => this.client.get(`${instance.origin}${pathname}`));
  }

  post(instance: AppInstance, pathname: string, fields: Record<string, string>): Promise<Outcome> {
    return this.settle(() => this.client.post(`${instance.origin}${pathname}`, fields));
  }
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

let addressCount = 0;
/** A private address of its own per simulated person, so that rate limits never join them up. */
const nextAddress = () => {
  const n = ++addressCount;
  // Each in a /24 of its own: password hashing is shared per /24, and each person is their own network.
  return `10.77.${n & 255}.${10 + ((n >> 8) & 127)}`;
};

/**
 * Signs `email` up through the form on `instance`, as `browser`, and follows
 * the link of the confirmation mail: the browser ends up signed in.
 */
export const signUp = (browser: CountedBrowser, instance: AppInstance, smtp: SmtpCatcher, email: string) =>
  signUpAndConfirm(
    browser.client,
    { name: "Resilient User", email, password: STRONG_PASSWORD },
    mailedConfirmationLink(smtp, instance.origin),
    instance.origin,
  );

export const outcomeText = (outcome: Outcome) => (outcome.ok ? String(outcome.status) : outcome.code);
