import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as confirmEmail from "../../app/routes/confirm-email";
import * as login from "../../app/routes/login";
import * as settingsEmail from "../../app/routes/settings.email";
import * as settingsSecurity from "../../app/routes/settings.security";
import type { Services } from "../../app/services.server";
import { mailOutbox, user } from "../../db/schema";
import { latestMail, openLink, pathOf, pressOnLinkPage, signUpVerified } from "../support/accounts";
import { TestClient, uniqueEmail } from "../support/client";
import { createTestServices, DATABASE_KINDS, TEST_APP_URL } from "../support/databases";
import { linkIn } from "../../harness/smtp";

interface FormReply {
  result: { error?: Record<string, string[] | null> };
}
interface EmailPage {
  email: string;
  pending: { newEmail: string } | null;
}

describe.each(DATABASE_KINDS)("changing the email address on %s", (kind) => {
  let services: Services;

  beforeAll(async () => {
    services = await createTestServices(kind);
  });
  afterAll(() => services.close());

  const page = async (client: TestClient, path = "/settings/email") =>
    (await client.get<EmailPage>(settingsEmail.loader, path)).data;

  const mailsTo = (to: string, kind: string) =>
    services.database.db
      .select()
      .from(mailOutbox)
      .where(and(eq(mailOutbox.to, to), eq(mailOutbox.kind, kind)));

  it("needs the current password, and refuses the address already in use by this account", async () => {
    const { client, email, password } = await signUpVerified(services);
    const wrong = await client.post<FormReply>(settingsEmail.action, "/settings/email", {
      intent: "change-email",
      newEmail: uniqueEmail("new"),
      currentPassword: "not it at all",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.data.result.error?.currentPassword?.[0]).toMatch(/current password/);
    const same = await client.post<FormReply>(settingsEmail.action, "/settings/email", {
      intent: "change-email",
      newEmail: email.toUpperCase(),
      currentPassword: password,
    });
    expect(same.status).toBe(400);
    expect(same.data.result.error?.newEmail?.[0]).toMatch(/already your address/);
    expect((await page(client)).pending).toBeNull();
  });

  it("changes the address only once the link sent to the new one is followed, and tells the old one", async () => {
    const { client, email, password } = await signUpVerified(services, { name: "Mover" });
    const newEmail = uniqueEmail("moved");
    // The form's two fields (newEmail, currentPassword) alone are enough.
    const asked = await client.post(settingsEmail.action, "/settings/email", {
      newEmail,
      currentPassword: password,
    });
    expect(asked.status).toBe(302);
    expect((await page(client)).pending?.newEmail).toBe(newEmail);
    expect((await page(client)).email).toBe(email);
    expect((await latestMail(services, email, "email-change-notice")).subject).toBe(
      "A change of your email address was asked for",
    );
    // Not yet: the old address still signs in.
    expect((await new TestClient(services).post(login.action, "/login", { email, password })).status).toBe(
      302,
    );

    const confirmation = await latestMail(services, newEmail, "email-change");
    const link = pathOf(linkIn(confirmation, `${TEST_APP_URL}/confirm-email?token=`));
    const token = new URL(link, TEST_APP_URL).searchParams.get("token") ?? "missing";
    const shown = await openLink<{ hasToken: boolean }>(client, confirmEmail.loader, link);
    expect(shown.data).toEqual({ hasToken: true });
    // The token is not in the page's data, and opening the link changes nothing by itself.
    expect(JSON.stringify(shown.data)).not.toContain(token);
    expect((await page(client)).email).toBe(email);

    const confirmed = await client.post(confirmEmail.action, "/confirm-email", {});
    expect(confirmed.status).toBe(302);
    expect((await page(client)).email).toBe(newEmail);
    expect((await page(client)).pending).toBeNull();
    expect((await new TestClient(services).post(login.action, "/login", { email, password })).status).toBe(
      400,
    );
    expect(
      (await new TestClient(services).post(login.action, "/login", { email: newEmail, password })).status,
    ).toBe(302);
    expect((await latestMail(services, email, "email-change-notice")).subject).toBe(
      "Your email address was changed",
    );

    const events = await client.get<{ events: Array<{ type: string }> }>(
      settingsSecurity.loader,
      "/settings/security",
    );
    const types = events.data.events.map((event) => event.type);
    expect(types).toContain("email-change-requested");
    expect(types).toContain("email-changed");

    // Used once.
    const again = await client.post(confirmEmail.action, link, {});
    expect(again.status).toBe(400);
  });

  it("answers an address of another account as a free one, and sends it no link", async () => {
    const { email: taken } = await signUpVerified(services);
    const { client, password } = await signUpVerified(services);
    const answer = await client.post(settingsEmail.action, "/settings/email", {
      intent: "change-email",
      newEmail: taken,
      currentPassword: password,
    });
    expect(answer.status).toBe(302);
    expect(answer.location).toBe("/settings/email");
    expect((await page(client)).pending?.newEmail).toBe(taken);
    expect(await mailsTo(taken, "email-change")).toEqual([]);
  });

  it("can be cancelled while it waits, after which the link does nothing", async () => {
    const { client, email, password } = await signUpVerified(services);
    const newEmail = uniqueEmail("cancelled");
    await client.post(settingsEmail.action, "/settings/email", {
      intent: "change-email",
      newEmail,
      currentPassword: password,
    });
    const link = pathOf(
      linkIn(await latestMail(services, newEmail, "email-change"), `${TEST_APP_URL}/confirm-email?token=`),
    );
    expect((await client.post(settingsEmail.action, "/settings/email", { intent: "cancel" })).status).toBe(
      302,
    );
    expect((await page(client)).pending).toBeNull();
    const late = await pressOnLinkPage(client, confirmEmail, link, {});
    expect(late.status).toBe(400);
    const [stored] = await services.database.db.select().from(user).where(eq(user.email, email));
    expect(stored).toBeDefined();
  });

  it("does nothing for a tampered link, and works without being signed in", async () => {
    const owner = await signUpVerified(services);
    const newEmail = uniqueEmail("elsewhere");
    await owner.client.post(settingsEmail.action, "/settings/email", {
      intent: "change-email",
      newEmail,
      currentPassword: owner.password,
    });
    const link = pathOf(
      linkIn(await latestMail(services, newEmail, "email-change"), `${TEST_APP_URL}/confirm-email?token=`),
    );
    const tampered = await pressOnLinkPage(new TestClient(services), confirmEmail, `${link}x`, {});
    expect(tampered.status).toBe(400);
    expect((await page(owner.client)).pending?.newEmail).toBe(newEmail);

    // Opened on another device, signed out: the mail is the proof.
    const phone = new TestClient(services);
    const confirmed = await pressOnLinkPage(phone, confirmEmail, link, {});
    expect(confirmed.status).toBe(302);
    expect(confirmed.location).toBe("/login");
    // The signed-in device's cached session no longer holds the old address on its next page.
    expect((await page(owner.client)).email).toBe(newEmail);
  });
});
