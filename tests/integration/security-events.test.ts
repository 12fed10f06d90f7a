import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as login from "../../app/routes/login";
import * as logout from "../../app/routes/logout";
import * as settingsPassword from "../../app/routes/settings.password";
import * as settingsSecurity from "../../app/routes/settings.security";
import * as settingsSessions from "../../app/routes/settings.sessions";
import * as signup from "../../app/routes/signup";
import type { Services } from "../../app/services.server";
import { confirmLinkElsewhere, latestMail, pathOf, signUpVerified } from "../support/accounts";
import { STRONG_PASSWORD, TestClient, uniqueEmail } from "../support/client";
import { createTestServices, DATABASE_KINDS, TEST_APP_URL } from "../support/databases";
import { linkIn } from "../../harness/smtp";

interface EventRow {
  type: string;
  label: string;
  ipAddress: string;
  device: string;
  at: string;
}

/**
 * The events as listed, except that the confirmation link's two (recorded by one request, often in
 * the same millisecond, PGlite's clock resolution, and then listed in either order) always read
 * "sign-in" then "email-verified".
 */
function withConfirmationInOrder(events: EventRow[]): EventRow[] {
  const ordered = [...events];
  for (let index = 0; index + 1 < ordered.length; index++) {
    const [first, second] = [ordered[index], ordered[index + 1]];
    if (first?.type === "email-verified" && second?.type === "sign-in" && first.at === second.at) {
      ordered.splice(index, 2, second, first);
    }
  }
  return ordered;
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
    const types = withConfirmationInOrder(page.data.events).map((event) => event.type);
    expect(types).toEqual([
      "password-changed",
      "sessions-revoked",
      "sign-in",
      "sign-out",
      "sign-in",
      "sign-in-failed",
      "sign-in",
      "email-verified",
      "account-created",
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
    expect(withConfirmationInOrder(page.data.events).map((event) => event.type)).toEqual([
      "sign-in",
      "email-verified",
      "account-created",
    ]);
  });

  it("lists the account's creation with its address and device, and nothing on an account whose address is signed up again", async () => {
    const creator = new TestClient(services, "203.0.113.40");
    const { client, email } = await signUpVerified(services, { client: creator });
    const again = await new TestClient(services, "203.0.113.41").post(signup.action, "/signup", {
      name: "Someone Else",
      email,
      password: "yet another pass phrase",
      confirmPassword: "yet another pass phrase",
    });
    // The same answer as a new sign-up (the owner gets a mail instead), and no second creation on the account.
    expect(again.status).toBe(302);
    const page = await client.get<{ events: EventRow[] }>(settingsSecurity.loader, "/settings/security");
    const created = page.data.events.filter((event) => event.type === "account-created");
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ label: "Account created", ipAddress: "203.0.113.40" });
    expect(created[0]?.device).toContain("Chrome");
  });

  it("records the right password for an address not yet confirmed as a refusal of its own, not as a failed sign-in", async () => {
    const email = uniqueEmail("unconfirmed");
    const password = STRONG_PASSWORD;
    const early = new TestClient(services, "203.0.113.50");
    const signedUp = await early.post(signup.action, "/signup", {
      name: "Not Yet",
      email,
      password,
      confirmPassword: password,
    });
    expect(signedUp.status).toBe(302);
    const refused = await early.post(login.action, "/login", { email, password });
    expect(refused.status).toBe(403);
    expect(refused.data).toMatchObject({ unverifiedEmail: email });
    // Positive control beside it: a wrong password, unconfirmed address or not, is still a failed sign-in.
    const wrong = await new TestClient(services, "203.0.113.51").post(login.action, "/login", {
      email,
      password: "guessing wrong",
    });
    expect(wrong.status).toBe(400);

    const owner = new TestClient(services);
    const mail = await latestMail(services, email, "verify-email");
    const verified = await confirmLinkElsewhere(
      owner,
      pathOf(linkIn(mail, `${TEST_APP_URL}/verify-email?token=`)),
      password,
    );
    expect(verified.status).toBe(302);
    const page = await owner.get<{ events: EventRow[] }>(settingsSecurity.loader, "/settings/security");
    const listed = withConfirmationInOrder(page.data.events);
    expect(listed.map((event) => [event.type, event.label, event.ipAddress])).toEqual([
      ["sign-in", "Signed in", owner.clientAddress],
      ["email-verified", "Email address confirmed", owner.clientAddress],
      ["sign-in-failed", "Failed sign-in", "203.0.113.51"],
      ["sign-in-unconfirmed", "Sign-in refused: address not confirmed yet", "203.0.113.50"],
      ["account-created", "Account created", "203.0.113.50"],
    ]);
  });
});
