import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as login from "../../app/routes/login";
import * as root from "../../app/root";
import * as settingsPassword from "../../app/routes/settings.password";
import * as settingsProfile from "../../app/routes/settings.profile";
import * as todos from "../../app/routes/todos";
import type { Services } from "../../app/services.server";
import { user } from "../../db/schema";
import { latestMail, signUpVerified } from "../support/accounts";
import { TestClient } from "../support/client";
import { createTestServices, DATABASE_KINDS } from "../support/databases";

interface FormReply {
  result: { error?: Record<string, string[] | null>; initialValue?: Record<string, unknown> };
}

const NEW_PASSWORD = "a completely different passphrase";

describe.each(DATABASE_KINDS)("account settings on %s", (kind) => {
  let services: Services;

  beforeAll(async () => {
    services = await createTestServices(kind);
  });
  afterAll(() => services.close());

  describe("profile", () => {
    it("changes the name shown on every page", async () => {
      const { client } = await signUpVerified(services, { name: "Old Name" });
      const saved = await client.post(settingsProfile.action, "/settings/profile", { name: "  New Name  " });
      expect(saved.status).toBe(302);
      expect(saved.location).toBe("/settings/profile");
      const page = await client.get<{ name: string }>(settingsProfile.loader, "/settings/profile");
      expect(page.data.name).toBe("New Name");
      const layout = await client.get<{ user: { name: string } | null }>(root.loader, "/todos");
      expect(layout.data.user?.name).toBe("New Name");
    });

    it("refuses an empty, over-long or NUL-laden name, beside the field", async () => {
      const { client } = await signUpVerified(services);
      for (const name of ["", "   ", "x".repeat(101), "nul\u0000name"]) {
        const result = await client.post<FormReply>(settingsProfile.action, "/settings/profile", { name });
        expect(result.status, JSON.stringify(name)).toBe(400);
        expect(result.data.result.error?.name?.[0]).toBeTruthy();
      }
    });

    it("changes only the name, whatever else the form carries", async () => {
      const { client, email } = await signUpVerified(services, { name: "Careful" });
      const [before] = await services.database.db.select().from(user).where(eq(user.email, email));
      await client.post(settingsProfile.action, "/settings/profile", {
        name: "Renamed",
        email: "attacker@example.com",
        emailVerified: "false",
        image: "https://evil.example/x.png",
        id: "someone-else",
      });
      const [after] = await services.database.db.select().from(user).where(eq(user.email, email));
      expect(after).toMatchObject({ ...before, name: "Renamed", updatedAt: after?.updatedAt });
    });

    it("sends a signed-out visitor to sign in", async () => {
      const result = await new TestClient(services).post(settingsProfile.action, "/settings/profile", {
        name: "X",
      });
      expect(result.status).toBe(302);
      expect(result.location).toMatch(/^\/login\?redirectTo=/);
    });
  });

  describe("password", () => {
    it("refuses a wrong current password beside its field, and changes nothing", async () => {
      const { client, email, password } = await signUpVerified(services);
      const result = await client.post<FormReply>(settingsPassword.action, "/settings/password", {
        currentPassword: "not my password",
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
      });
      expect(result.status).toBe(400);
      expect(result.data.result.error?.currentPassword?.[0]).toMatch(/current password/);
      expect(result.data.result.initialValue).toEqual({});
      const signIn = await new TestClient(services).post(login.action, "/login", { email, password });
      expect(signIn.status).toBe(302);
    });

    it("applies the password rules and needs the confirmation to match", async () => {
      const { client, password } = await signUpVerified(services);
      const short = await client.post<FormReply>(settingsPassword.action, "/settings/password", {
        currentPassword: password,
        newPassword: "short",
        confirmPassword: "short",
      });
      expect(short.status).toBe(400);
      expect(short.data.result.error?.newPassword?.[0]).toMatch(/at least 8/);
      const mismatch = await client.post<FormReply>(settingsPassword.action, "/settings/password", {
        currentPassword: password,
        newPassword: NEW_PASSWORD,
        confirmPassword: `${NEW_PASSWORD}.`,
      });
      expect(mismatch.status).toBe(400);
      expect(mismatch.data.result.error?.confirmPassword?.[0]).toMatch(/do not match/);
    });

    it("ends every other session and mails a notice when changed through the JSON API too", async () => {
      const { client, email, password } = await signUpVerified(services);
      const elsewhere = new TestClient(services, "198.51.100.98");
      expect((await elsewhere.post(login.action, "/login", { email, password })).status).toBe(302);
      const request = client.buildRequest("/api/auth/change-password", {
        method: "POST",
        body: JSON.stringify({ currentPassword: password, newPassword: NEW_PASSWORD }),
        headers: { "content-type": "application/json" },
      });
      const response = await services.auth.handler(request);
      expect(response.status).toBe(200);
      expect((await elsewhere.get(todos.loader, "/todos")).status).toBe(302);
      expect((await latestMail(services, email, "password-changed")).subject).toBe(
        "Your password was changed",
      );
    });

    it("keeps this session, ends every other one, and mails a notice", async () => {
      const { client, email, password } = await signUpVerified(services);
      const elsewhere = new TestClient(services, "198.51.100.99");
      expect((await elsewhere.post(login.action, "/login", { email, password })).status).toBe(302);

      const changed = await client.post(settingsPassword.action, "/settings/password", {
        currentPassword: password,
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
      });
      expect(changed.status).toBe(302);
      expect((await client.get(todos.loader, "/todos")).status).toBe(200);
      const other = await elsewhere.get(todos.loader, "/todos");
      expect(other.status).toBe(302);
      expect(other.location).toMatch(/^\/login/);

      expect((await new TestClient(services).post(login.action, "/login", { email, password })).status).toBe(
        400,
      );
      expect(
        (await new TestClient(services).post(login.action, "/login", { email, password: NEW_PASSWORD }))
          .status,
      ).toBe(302);
      const notice = await latestMail(services, email, "password-changed");
      expect(notice.subject).toBe("Your password was changed");
    });
  });
});
