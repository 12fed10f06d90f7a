import AxeBuilder from "@axe-core/playwright";
import type { Locator, Page } from "@playwright/test";
import { newCredentials, postSignup } from "./support/app";
import { expect, test } from "./support/test";

/*
 * What only the enhanced forms do (checks in the browser, focus, links that
 * follow what is typed), on a phone and on a desktop. The shared parts are in
 * auth-forms.spec.ts.
 */

const VIEWPORTS = [
  { name: "phone", viewport: { width: 390, height: 844 } },
  { name: "desktop", viewport: { width: 1280, height: 800 } },
];

/** Where an element is once the browser has drawn what the last event changed. */
async function boxAfterPaint(page: Page, element: Locator) {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))));
  return element.boundingBox();
}

/** Presses and releases the mouse on a button, answering where it was before the press and while held. */
async function pressButton(page: Page, button: Locator) {
  await button.scrollIntoViewIfNeeded();
  const before = await boxAfterPaint(page, button);
  if (!before) throw new Error("the button is not on screen");
  await page.mouse.move(before.x + before.width / 2, before.y + before.height / 2);
  await page.mouse.down();
  const held = await boxAfterPaint(page, button);
  await page.mouse.up();
  return { before, held };
}

/** The forms, each with the field a person is in when they press the button too soon. */
const FORMS = [
  { path: "/signup", field: "Name", button: "Create account", first: "Name: Enter your name" },
  { path: "/login", field: "Email", button: "Sign in", first: "Email: Enter your email address" },
  {
    path: "/forgot-password",
    field: "Email",
    button: "Send me a link",
    first: "Email: Enter your email address",
  },
] as const;

for (const { name, viewport } of VIEWPORTS) {
  test.describe(`enhanced auth forms on a ${name}`, () => {
    test.use({ viewport });

    for (const form of FORMS) {
      test(`${form.path}: from an empty field, the first press on "${form.button}" submits, and the summary takes focus`, async ({
        app,
        page,
      }) => {
        await app.goto(form.path);
        await page.getByLabel(form.field, { exact: true }).focus();
        const { before, held } = await pressButton(page, page.getByRole("button", { name: form.button }));
        expect(held, "nothing moved the button while it was pressed").toEqual(before);

        const summary = app.alert;
        await expect(summary).toBeFocused();
        await expect(summary).toHaveAttribute("tabindex", "-1");
        const entry = summary.getByRole("link", { name: form.first });
        await entry.click();
        await expect(page.getByLabel(form.field, { exact: true })).toBeFocused();
      });
    }

    test("a field typed in and left shows its message beside it; the summary waits for a submission", async ({
      app,
      page,
    }) => {
      await app.goto("/signup");
      const email = app.field("Email");
      await email.fill("not an address");
      await page.keyboard.press("Tab");
      await expect(email).toHaveAttribute("aria-invalid", "true");
      await expect(email).toHaveAccessibleDescription(/Enter an email address like name@example.com/);
      // Tabbing on through fields never typed in says nothing about them, and no summary pops in.
      await expect(app.field("Password")).toBeFocused();
      await page.keyboard.press("Tab");
      await expect(app.field("Password")).not.toHaveAttribute("aria-invalid", "true");
      await expect(app.alert).toHaveCount(0);

      // A press on the button straight from a field that is wrong still submits at once.
      await app.field("Name").fill("Ada");
      await email.fill("still not an address");
      await email.focus();
      const { before, held } = await pressButton(page, page.getByRole("button", { name: "Create account" }));
      expect(held).toEqual(before);
      await expect(app.alert).toBeFocused();
      await expect(app.alert).toContainText("Email: Enter an email address like name@example.com");
      await expect(app.alert).toContainText("Password: Enter a password");
    });

    test("a refusal from the server moves focus to the summary", async ({ app, page, request }) => {
      const user = await postSignup(request);
      await app.goto("/login");
      await app.submitLogin(user.email, `${user.password} wrong`);
      await expect(app.alert).toHaveText("The email address or password is not right.");
      await expect(app.alert).toBeFocused();

      // And again on the next refusal, though the summary never left the page.
      await app.field("Password").fill(`${user.password} wrong again`);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByRole("button", { name: "Sign in" })).not.toBeFocused();
      await expect(app.alert).toBeFocused();
    });

    test("Forgot password? carries the address as it is typed, and only a real address", async ({
      app,
      page,
    }) => {
      const email = newCredentials().email;
      await app.goto("/login");
      const forgot = page.getByRole("link", { name: "Forgot password?" });
      await app.field("Email").pressSequentially(email.slice(0, 4));
      await expect(forgot).toHaveAttribute("href", "/forgot-password");
      await app.field("Email").fill(email);
      await expect(forgot).toHaveAttribute("href", `/forgot-password?email=${encodeURIComponent(email)}`);

      await forgot.click();
      await expect(page).toHaveURL(/\/forgot-password\?email=/);
      await expect(app.field("Email")).toHaveValue(email);
      // Changed there, it comes back changed.
      const other = newCredentials().email;
      await app.field("Email").fill(other);
      const back = page.getByRole("link", { name: "Back to sign in" });
      await expect(back).toHaveAttribute("href", `/login?email=${encodeURIComponent(other)}`);
      await back.click();
      await expect(page).toHaveURL(/\/login\?email=/);
      await expect(app.field("Email")).toHaveValue(other);
    });

    // axe runs inside the page, hence here; the server's HTML is the same without JavaScript.
    test("the forms pass axe's WCAG 2.2 AA checks, refused and answered, light and dark", async ({
      app,
      page,
    }) => {
      const expectAccessible = async (what: string) => {
        const { violations } = await new AxeBuilder({ page })
          .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
          .analyze();
        expect(
          violations.map(({ id, nodes }) => `${id}: ${nodes.map((node) => node.target).join(", ")}`),
          what,
        ).toEqual([]);
      };
      for (const colorScheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme });
        await app.goto("/signup");
        await app.field("Name").fill("   ");
        await app.field("Email").fill(newCredentials().email);
        await app.field("Password").fill("short");
        await app.field("Confirm password").fill("short");
        await page.getByRole("button", { name: "Create account" }).click();
        await expect(app.alert).toBeVisible();
        await expectAccessible(`sign-up, refused, ${colorScheme}`);

        await app.goto("/login");
        await expectAccessible(`sign-in, ${colorScheme}`);

        await app.goto(`/forgot-password?sent=&email=${encodeURIComponent(newCredentials().email)}`);
        await expectAccessible(`forgot-password, sent, ${colorScheme}`);
      }
    });

    test("a shown password is hidden again once its form is submitted", async ({ app, page }) => {
      await app.goto("/login");
      await app.field("Email").fill(newCredentials().email);
      await app.field("Password").fill("a password to check");
      await page.getByRole("button", { name: "Show password" }).click();
      await expect(app.field("Password")).toHaveAttribute("type", "text");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(app.alert).toHaveText("The email address or password is not right.");
      await expect(app.field("Password")).toHaveAttribute("type", "password");
      await expect(page.getByRole("button", { name: "Show password" })).toHaveAttribute(
        "aria-pressed",
        "false",
      );
    });
  });
}
