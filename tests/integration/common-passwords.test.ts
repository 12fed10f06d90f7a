import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMON_PASSWORD_COUNT } from "../../app/auth/common-passwords.server";
import * as forgotPassword from "../../app/routes/forgot-password";
import * as resetPassword from "../../app/routes/reset-password";
import * as settingsPassword from "../../app/routes/settings.password";
import * as signup from "../../app/routes/signup";
import type { Services } from "../../app/services.server";
import { latestMail, pathOf, pressOnLinkPage, signUpVerified } from "../support/accounts";
import { TestClient, uniqueEmail } from "../support/client";
import { createTestServices, TEST_APP_URL } from "../support/databases";
import { linkIn } from "../../harness/smtp";

interface FormReply {
  result: { error?: Record<string, string[] | null> };
}

describe("common passwords", () => {
  let services: Services;

  beforeAll(async () => {
    services = await createTestServices("pglite");
  });
  afterAll(() => services.close());

  it("ships a list of at least 10,000", () => {
    expect(COMMON_PASSWORD_COUNT()).toBeGreaterThanOrEqual(10_000);
  });

  it("are refused at sign-up, whatever their case, with a reason beside the field", async () => {
    for (const password of ["password", "PassWord", "12345678"]) {
      const result = await new TestClient(services).post<FormReply>(signup.action, "/signup", {
        name: "Common",
        email: uniqueEmail(),
        password,
        confirmPassword: password,
      });
      expect(result.status, password).toBe(400);
      expect(result.data.result.error?.password?.[0]).toMatch(/most common/);
    }
  });

  it("are refused when changing and when resetting a password", async () => {
    const { client, email, password } = await signUpVerified(services);
    const change = await client.post<FormReply>(settingsPassword.action, "/settings/password", {
      currentPassword: password,
      newPassword: "qwertyuiop",
      confirmPassword: "qwertyuiop",
    });
    expect(change.status).toBe(400);
    expect(change.data.result.error?.newPassword?.[0]).toMatch(/most common/);

    await new TestClient(services).post(forgotPassword.action, "/forgot-password", { email });
    const link = pathOf(
      linkIn(await latestMail(services, email, "reset-password"), `${TEST_APP_URL}/reset-password?token=`),
    );
    const resetter = new TestClient(services);
    const reset = await pressOnLinkPage<FormReply>(resetter, resetPassword, link, {
      password: "iloveyou",
      confirmPassword: "iloveyou",
    });
    expect(reset.status).toBe(400);
    expect(reset.data.result.error?.password?.[0]).toMatch(/most common/);
    // The link was not used up by the refusal.
    const good = await resetter.post(resetPassword.action, "/reset-password", {
      password: "an uncommon passphrase",
      confirmPassword: "an uncommon passphrase",
    });
    expect(good.status).toBe(302);
  });

  it("are refused by the JSON API too", async () => {
    const request = new Request(new URL("/api/auth/sign-up/email", TEST_APP_URL), {
      method: "POST",
      headers: { "content-type": "application/json", origin: TEST_APP_URL },
      body: JSON.stringify({ name: "Api", email: uniqueEmail(), password: "password" }),
    });
    const response = await services.auth.handler(request);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe("PASSWORD_TOO_COMMON");
  });
});
