import { isAPIError } from "better-auth/api";
import { describe, expect, it } from "vitest";
import { createPasswordHasher, HASHES_AT_ONCE, HASHES_WAITING } from "~/auth/password-hashing.server";
import { STRONG_PASSWORD, uniqueEmail } from "../support/client";
import { formPost, newClientAddress, signUpOverHttp, startHttpApp } from "../support/http-app";

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

  it(
    "answers sign-in with a readable 503 and Retry-After while the queue is full, on the form and the API",
    { timeout: 120_000 },
    async () => {
      const app = await startHttpApp({ TRUST_PROXY: "loopback" });
      try {
        const { email } = await signUpOverHttp(app, uniqueEmail("busy"), {
          "x-forwarded-for": newClientAddress(),
        });
        // Fill every running slot and the whole queue, and keep them full until both answers are in:
        // each worker queues its next hash the moment its last one ends (in the same microtask
        // chain, before any request can take the place), however long the requests take to arrive.
        let answered = false;
        const occupying = Array.from({ length: HASHES_AT_ONCE + HASHES_WAITING }, async () => {
          while (!answered) {
            await app.services.passwordHasher.hash("keeping the hasher busy").catch(() => undefined);
          }
        });
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
});
