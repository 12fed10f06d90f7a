import { runWithEndpointContext } from "@better-auth/core/context";
import { isAPIError } from "better-auth/api";
import { betterAuth, type BetterAuthOptions } from "better-auth";
import { describe, expect, it, vi } from "vitest";
import { CLIENT_ADDRESS_HEADER } from "../../app/auth/client-address";
import {
  createPasswordHasher,
  HASHES_AT_ONCE,
  HASHES_WAITING,
  HASHES_WAITING_PER_NETWORK,
  type PasswordHasher,
} from "../../app/auth/password-hashing.server";
import { STRONG_PASSWORD, uniqueEmail } from "../support/client";
import { TEST_APP_URL, TEST_SECRET } from "../support/databases";
import { formPost, newClientAddress, signUpOverHttp, startHttpApp } from "../support/http-app";

/** A bare better-auth instance: only for the endpoint context in which better-auth calls the hasher. */
const bareOptions: BetterAuthOptions = {
  secret: TEST_SECRET,
  baseURL: TEST_APP_URL,
  logger: { disabled: true },
};
const bareContext = betterAuth(bareOptions).$context;

/** Runs `task` as better-auth runs an endpoint for a client at `address`: inside its endpoint context. */
async function asClient<T>(address: string, task: () => Promise<T>): Promise<T> {
  const headers = new Headers({ [CLIENT_ADDRESS_HEADER]: address });
  return runWithEndpointContext({ context: await bareContext, headers }, task);
}

/** "hashed", or "refused" for the 503 of a busy hasher (anything else fails the test). */
const outcome = (hashing: Promise<unknown>) =>
  hashing.then(
    () => "hashed" as const,
    (error: unknown) => {
      if (isAPIError(error) && error.statusCode === 503) return "refused" as const;
      throw error;
    },
  );

/**
 * Keeps the hasher busy from one client address until `done()`: each worker queues its next hash
 * the moment its last one ends, in the same microtask chain, before any request can take the place.
 */
function occupy(hasher: PasswordHasher, address: string, done: () => boolean) {
  return asClient(address, async () => {
    while (!done()) {
      const result = await outcome(hasher.hash("keeping the hasher busy"));
      // Never spin on refusals without letting the event loop run.
      if (result === "refused") await new Promise((resolve) => setImmediate(resolve));
    }
  });
}

describe("password hashing", () => {
  it("runs scrypt a bounded number at a time, queues a bounded number, and refuses the rest with 503", async () => {
    const hasher = createPasswordHasher({ concurrency: 1, maxWaiting: 1 });
    const first = hasher.hash("first password");
    const second = hasher.hash("second password");
    expect(hasher.load).toEqual({ running: 1, waiting: 1 });
    const refused = await hasher.hash("third password").catch((error: unknown) => error);
    expect(isAPIError(refused) && refused.statusCode).toBe(503);
    expect(isAPIError(refused) && new Headers(refused.headers).get("retry-after")).toBe("2");

    const [hash] = await Promise.all([first, second]);
    expect(hasher.load).toEqual({ running: 0, waiting: 0 });
    // better-auth's format and parameters, so existing hashes keep verifying.
    expect(hash).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/);
    expect(await hasher.verify({ hash, password: "first password" })).toBe(true);
    expect(await hasher.verify({ hash, password: "first passworD" })).toBe(false);
  });

  it("caps the hashes waiting per client network and serves the networks in turn, not in order of arrival", async () => {
    const hasher = createPasswordHasher({ concurrency: 1, maxWaiting: 10, maxWaitingPerNetwork: 3 });
    const finished: string[] = [];
    const hash = (label: string, address: string | null) => {
      const hashing = address ? asClient(address, () => hasher.hash(label)) : hasher.hash(label);
      return outcome(hashing.then(() => finished.push(label)));
    };

    // A flood from six hosts of one /24: one runs, three wait, two are refused.
    const flood = [1, 2, 3, 4, 5, 6].map((host) => hash(`flood ${host}`, `198.51.100.${host}`));
    // The refusals settle once every call of the flood has been admitted or refused (and before any hash ends).
    expect(await Promise.all(flood.slice(4))).toEqual(["refused", "refused"]);
    expect(hasher.load).toEqual({ running: 1, waiting: 3 });

    // Then someone from another /24, one more from the flood's (over its share), and a script with no request.
    const other = hash("other network", "203.0.113.9");
    const more = hash("flood 7", "198.51.100.7");
    expect(await more).toBe("refused");
    const script = hash("script", null);
    // Positive control beside the refusals: the queue itself had room for everyone else.
    expect(hasher.load).toEqual({ running: 1, waiting: 5 });

    expect(await Promise.all([...flood.slice(0, 4), other, script])).toEqual(Array(6).fill("hashed"));
    // First come first served would have put "other network" and "script" after the whole flood.
    expect(finished).toEqual(["flood 1", "flood 2", "other network", "script", "flood 3", "flood 4"]);
    expect(hasher.load).toEqual({ running: 0, waiting: 0 });
  });

  it("counts an IPv6 /48 as one network, whichever of its /64s a call comes from", async () => {
    const hasher = createPasswordHasher({ concurrency: 1, maxWaiting: 10, maxWaitingPerNetwork: 2 });
    const site = [1, 2, 3, 4].map((subnet) =>
      outcome(asClient(`2001:db8:77:${subnet}::1`, () => hasher.hash("from one site"))),
    );
    const elsewhere = outcome(asClient("2001:db8:78:1::1", () => hasher.hash("another site")));
    expect(await Promise.all([...site, elsewhere])).toEqual([
      "hashed",
      "hashed",
      "hashed",
      "refused",
      "hashed",
    ]);
  });

  it(
    "answers sign-in with a readable 503 and Retry-After while the queue is full, on the form and the API",
    { timeout: 120_000 },
    async () => {
      const app = await startHttpApp({ TRUST_PROXY: "loopback" });
      try {
        const { email } = await signUpOverHttp(app, uniqueEmail("busy"), {
          "x-forwarded-for": newClientAddress(),
        });
        // Fill every running slot and the whole queue, from networks each within its share, and keep
        // them full until both answers are in.
        let answered = false;
        const occupying = Array.from({ length: HASHES_AT_ONCE + HASHES_WAITING }, (_, index) =>
          occupy(app.services.passwordHasher, `172.20.${index}.1`, () => answered),
        );
        const answers = Promise.all([
          formPost(
            app,
            "/login",
            { email, password: STRONG_PASSWORD },
            { "x-forwarded-for": newClientAddress() },
          ),
          fetch(app.url("/api/auth/sign-in/email"), {
            method: "POST",
            headers: {
              origin: app.origin,
              "content-type": "application/json",
              "x-forwarded-for": newClientAddress(),
            },
            body: JSON.stringify({ email, password: STRONG_PASSWORD }),
          }),
        ]);
        const [form, api] = await answers.finally(() => {
          answered = true;
        });
        expect(form.status).toBe(503);
        expect(form.headers.get("retry-after")).toBe("2");
        expect(await form.text()).toContain("Temporarily unavailable");
        expect(api.status).toBe(503);
        expect(api.headers.get("retry-after")).toBe("2");

        await Promise.all(occupying);
        const later = await formPost(
          app,
          "/login",
          { email, password: STRONG_PASSWORD },
          { "x-forwarded-for": newClientAddress() },
        );
        expect(later.status).toBe(302);
      } finally {
        await app.close();
      }
    },
  );

  it(
    "Password hashing is shared fairly: a flood of sign-ins from one /24 fills its share and gets 503s, and a sign-in from another network is served before the flood's queue drains",
    { timeout: 120_000 },
    async () => {
      const app = await startHttpApp({ TRUST_PROXY: "loopback" });
      const hasher = app.services.passwordHasher;
      try {
        const { email } = await signUpOverHttp(app, uniqueEmail("fair"), {
          "x-forwarded-for": newClientAddress(),
        });
        // Wrong sign-ins to an address without an account: each costs a hash all the same.
        const floodSignIn = (host: number) =>
          fetch(app.url("/api/auth/sign-in/email"), {
            method: "POST",
            headers: {
              origin: app.origin,
              "content-type": "application/json",
              "x-forwarded-for": `198.18.7.${host}`,
            },
            body: JSON.stringify({ email: uniqueEmail("nobody"), password: "a flood of guesses" }),
          });
        const answers: { status: number; retryAfter: string | null; afterPerson: boolean }[] = [];
        let personAnswered = false;
        let pending = 0;
        let flooding = true;
        // More workers than the share holds, each from its own hosts of the /24, until a 503 came back.
        const workers = Array.from(
          { length: HASHES_AT_ONCE + HASHES_WAITING_PER_NETWORK + 4 },
          async (_, worker) => {
            for (let round = 0; flooding; round++) {
              pending++;
              const response = await floodSignIn(1 + ((worker + 9 * round) % 250));
              pending--;
              answers.push({
                status: response.status,
                retryAfter: response.headers.get("retry-after"),
                afterPerson: personAnswered,
              });
              if (response.status === 503) flooding = false;
            }
          },
        );
        // Once every flood request still out has got in line (none can arrive after the person's):
        // a hasher running and waiting for exactly the requests not yet answered.
        await vi.waitFor(
          () => {
            expect(flooding).toBe(false);
            expect(hasher.load.running + hasher.load.waiting).toBe(pending);
          },
          { timeout: 60_000, interval: 1 },
        );
        const person = await formPost(
          app,
          "/login",
          { email, password: STRONG_PASSWORD },
          { "x-forwarded-for": newClientAddress() },
        );
        personAnswered = true;
        await Promise.all(workers);

        expect(person.status).toBe(302);
        const refused = answers.filter((answer) => answer.status === 503);
        expect(refused.length).toBeGreaterThan(0);
        expect(refused.every((answer) => answer.retryAfter === "2")).toBe(true);
        // Positive control: the flood's share was served (401: no such account).
        const served = answers.filter((answer) => answer.status === 401);
        expect(served.length).toBeGreaterThan(0);
        expect(answers.every((answer) => answer.status === 401 || answer.status === 503)).toBe(true);
        // The person was not put behind the flood's queue: part of it was still waiting when they were served.
        expect(served.filter((answer) => answer.afterPerson).length).toBeGreaterThan(0);

        // And the flood's network is served again once the flood is over.
        expect((await floodSignIn(251)).status).toBe(401);
      } finally {
        await app.close();
      }
    },
  );
});
