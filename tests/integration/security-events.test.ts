import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as login from "~/routes/login";
import * as logout from "~/routes/logout";
import * as settingsPassword from "~/routes/settings.password";
import * as settingsSecurity from "~/routes/settings.security";
import * as settingsSessions from "~/routes/settings.sessions";
import type { Services } from "~/services.server";
import { signUpVerified } from "../support/accounts";
import { TestClient } from "../support/client";
import { createTestServices, DATABASE_KINDS } from "../support/databases";

interface EventRow {
  type: string;
  label: string;
  ipAddress: string;
  device: string;
  at: string;
}

describe.each(DATABASE_KINDS)("security activity on %s", (kind) => {
  let services: Services;

  beforeAll(async () => {
    services = await createTestServices(kind);
  });
  afterAll(() => services.close());

  it("records sign-ins, failures, sign-outs, changes and revocations, newest first, with address and device", async () => {
    const { client, email, password } = await signUpVerified(services);
    const attacker = new TestClient(services, "192.0.2.66", "curl/8.5.0");
    await attacker.post(login.action, "/login", { email, password: "guessing wrong" });

    const laptop = new TestClient(services, "198.51.100.5");
    await laptop.post(login.action, "/login", { email, password });
    await laptop.post(logout.action, "/logout", {});

    const phone = new TestClient(services, "198.51.100.6");
    await phone.post(login.action, "/login", { email, password });
    await client.post(settingsSessions.action, "/settings/sessions", { intent: "revoke-others" });
    await client.post(settingsPassword.action, "/settings/password", {
      currentPassword: password,
      newPassword: "another long passphrase",
      confirmPassword: "another long passphrase",
    });

    const page = await client.get<{ events: EventRow[] }>(settingsSecurity.loader, "/settings/security");
    expect(page.status).toBe(200);
    const types = page.data.events.map((event) => event.type);
    expect(types).toEqual([
      "password-changed",
      "sessions-revoked",
      "sign-in",
      "sign-out",
      "sign-in",
      "sign-in-failed",
      "sign-in",
      "email-verified",
    ]);
    const failed = page.data.events.find((event) => event.type === "sign-in-failed");
    expect(failed).toMatchObject({ ipAddress: "192.0.2.66", label: "Failed sign-in" });
    const laptopSignOut = page.data.events.find((event) => event.type === "sign-out");
    expect(laptopSignOut?.ipAddress).toBe("198.51.100.5");
    expect(laptopSignOut?.device).toContain("Chrome");
    const dates = page.data.events.map((event) => event.at);
    expect([...dates].sort().reverse()).toEqual(dates);
  });

  it("shows a user only their own events", async () => {
    const first = await signUpVerified(services);
    const second = await signUpVerified(services);
    await new TestClient(services).post(login.action, "/login", {
      email: first.email,
      password: "wrong one here",
    });
    const page = await second.client.get<{ events: EventRow[] }>(
      settingsSecurity.loader,
      "/settings/security",
    );
    expect(page.data.events.map((event) => event.type)).toEqual(["sign-in", "email-verified"]);
  });
});
