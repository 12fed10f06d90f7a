import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";
import type { Services } from "../../app/services.server";
import { signUpVerified } from "../support/accounts";
import { createTestServices } from "../support/databases";

/** A request that carries no session costs better-auth nothing (docs/performance.md, "Anonymous pages"). */
describe("the session of a request without a session cookie", () => {
  let services: Services;
  beforeAll(async () => {
    services = await createTestServices("pglite");
  });
  afterAll(() => services.close());

  const resolve = (headers: Record<string, string>) =>
    services.sessionResolver.resolve(new Headers(headers), () => {});

  it("is none, without asking better-auth, with no cookie or only other cookies", async () => {
    const getSession = vi.spyOn(services.auth.api, "getSession");
    try {
      expect(await resolve({})).toBeNull();
      expect(await resolve({ cookie: "todo.flash=abc; theme=dark" })).toBeNull();
      expect(getSession).not.toHaveBeenCalled();
    } finally {
      getSession.mockRestore();
    }
  });

  it("is asked of better-auth when a session cookie or a bearer token comes", async () => {
    const getSession = vi.spyOn(services.auth.api, "getSession");
    try {
      expect(await resolve({ cookie: `${SESSION_COOKIE}=forged.value` })).toBeNull();
      expect(await resolve({ authorization: "Bearer not-a-token" })).toBeNull();
      expect(getSession).toHaveBeenCalledTimes(2);
    } finally {
      getSession.mockRestore();
    }
  });

  it("is still found for a signed-in browser", async () => {
    const { client, email } = await signUpVerified(services);
    const cookie = client.cookies.get(SESSION_COOKIE) ?? "";
    expect((await resolve({ cookie: `theme=dark; ${SESSION_COOKIE}=${cookie}` }))?.user.email).toBe(email);
  });
});
