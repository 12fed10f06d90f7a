import type { Locator, Page } from "@playwright/test";
import { appUrl, newCredentials, postSignup } from "./support/app";
import { expect, test } from "./support/test";

/*
 * The sign-in, sign-up and forgot-password forms as a person meets them, on a
 * phone and on a desktop, with JavaScript on and off (the enhanced-only parts
 * are in auth-forms.js-only.spec.ts).
 */

const VIEWPORTS = [
  { name: "phone", viewport: { width: 390, height: 844 } },
  { name: "desktop", viewport: { width: 1280, height: 800 } },
];

/** Where an element is, after the page's scripts (if any run) have drawn what the last event changed. */
async function boxAfterPaint(page: Page, element: Locator, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) {
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))));
  }
  return element.boundingBox();
}

/**
 * Presses and releases the mouse on a button as a person does, and answers
 * where the button was before the press and while it was held down.
 */
async function pressButton(page: Page, button: Locator, javaScriptEnabled: boolean) {
  await button.scrollIntoViewIfNeeded();
  const before = await boxAfterPaint(page, button, javaScriptEnabled);
  if (!before) throw new Error("the button is not on screen");
  await page.mouse.move(before.x + before.width / 2, before.y + before.height / 2);
  await page.mouse.down();
  const held = await boxAfterPaint(page, button, javaScriptEnabled);
  await page.mouse.up();
  return { before, held };
}

for (const { name, viewport } of VIEWPORTS) {
  test.describe(`auth forms on a ${name}`, () => {
    test.use({ viewport });

    test("the first click on Create account submits, even from a field that is about to be refused", async ({
      app,
      page,
      javaScriptEnabled,
    }) => {
      const user = newCredentials();
      await app.goto("/signup");
      // Only spaces: the browser's own `required` check lets it through, the rules do not.
      await app.field("Email").fill(user.email);
      await app.field("Password").fill(user.password);
      await app.field("Confirm password").fill(user.password);
      await app.field("Name").fill("   ");
      await app.field("Name").focus();

      const createAccount = page.getByRole("button", { name: "Create account" });
      const { before, held } = await pressButton(page, createAccount, javaScriptEnabled);
      expect(held, "the button stays where the press began").toEqual(before);

      const summary = app.alert;
      await expect(summary).toContainText("Name: Enter your name");
      await expect(page).toHaveURL(appUrl("/signup"));
      if (javaScriptEnabled) await expect(summary).toBeFocused();
      await expect(summary.getByRole("link", { name: "Name: Enter your name" })).toHaveAttribute(
        "href",
        "#signup-name",
      );
    });

    test("every password field can be shown with JavaScript, and no button is there without it", async ({
      app,
      page,
      javaScriptEnabled,
    }) => {
      await app.goto("/signup");
      const toggles = page.getByRole("button", { name: "Show password" });
      if (!javaScriptEnabled) {
        await expect(toggles).toHaveCount(0);
        return;
      }
      await expect(toggles).toHaveCount(2);
      const password = app.field("Password");
      await password.fill("violet kettle jumps");
      const toggle = toggles.first();
      await expect(toggle).toHaveAttribute("aria-pressed", "false");
      await expect(toggle).toHaveAttribute("type", "button");
      await toggle.click();
      const hide = page.getByRole("button", { name: "Hide password" });
      await expect(hide).toHaveAttribute("aria-pressed", "true");
      await expect(password).toHaveAttribute("type", "text");
      await expect(password).toHaveValue("violet kettle jumps");
      // The other field stays hidden, and nothing was submitted.
      await expect(app.field("Confirm password")).toHaveAttribute("type", "password");
      await expect(page).toHaveURL(appUrl("/signup"));
      await hide.click();
      await expect(password).toHaveAttribute("type", "password");

      await app.goto("/login");
      await expect(page.getByRole("button", { name: "Show password" })).toHaveCount(1);
    });

    test("Forgot password? sits beside the Password label on the sign-in page", async ({ app, page }) => {
      await app.goto("/login");
      const label = page.locator("label", { hasText: /^Password$/ });
      const link = page.getByRole("link", { name: "Forgot password?" });
      const [labelBox, linkBox] = [await label.boundingBox(), await link.boundingBox()];
      if (!labelBox || !linkBox) throw new Error("label or link not on screen");
      // On one line: their boxes overlap vertically, the link to the right of the label.
      expect(linkBox.y).toBeLessThan(labelBox.y + labelBox.height);
      expect(linkBox.y + linkBox.height).toBeGreaterThan(labelBox.y);
      expect(linkBox.x).toBeGreaterThan(labelBox.x + labelBox.width);
      // Above the password field, which is where the eye is when the password is forgotten.
      const fieldBox = await app.field("Password").boundingBox();
      expect(fieldBox && linkBox.y < fieldBox.y).toBe(true);
    });

    test("the address goes from sign-in to forgot-password and back without being typed again", async ({
      app,
      page,
      request,
    }) => {
      const user = await postSignup(request);
      // As a refused sign-in leaves it (without JavaScript the page comes from the server).
      await app.goto("/login");
      await app.submitLogin(user.email, `${user.password} wrong`);
      await expect(app.alert).toContainText("The email address or password is not right.");
      const forgot = page.getByRole("link", { name: "Forgot password?" });
      await expect(forgot).toHaveAttribute(
        "href",
        `/forgot-password?email=${encodeURIComponent(user.email)}`,
      );

      await forgot.click();
      await expect(page).toHaveURL(appUrl(`/forgot-password?email=${encodeURIComponent(user.email)}`));
      await app.hydrated();
      await expect(app.field("Email")).toHaveValue(user.email);
      const back = page.getByRole("link", { name: "Back to sign in" });
      await expect(back).toHaveAttribute("href", `/login?email=${encodeURIComponent(user.email)}`);
      await back.click();
      await expect(page).toHaveURL(appUrl(`/login?email=${encodeURIComponent(user.email)}`));
      await app.hydrated();
      await expect(app.field("Email")).toHaveValue(user.email);
      await expect(app.field("Password")).toBeFocused();
    });

    test("an address in the link that is not an address is never shown", async ({ app, page }) => {
      for (const garbage of ['"><script>alert(1)</script>', "not an address", "a@b"]) {
        const query = new URLSearchParams({ email: garbage });
        await app.goto(`/login?${query}`);
        await expect(app.field("Email")).toHaveValue("");
        await expect(page.getByRole("link", { name: "Forgot password?" })).toHaveAttribute(
          "href",
          "/forgot-password",
        );
        await app.goto(`/forgot-password?${query}`);
        await expect(app.field("Email")).toHaveValue("");
        await expect(page.getByRole("link", { name: "Back to sign in" })).toHaveAttribute("href", "/login");
        expect(await page.content()).not.toContain("<script>alert(1)</script>");
      }
    });

    test("after asking for a reset link the page says what to do next, instead of the form", async ({
      app,
      page,
    }) => {
      const email = newCredentials().email;
      await app.goto("/forgot-password");
      await app.field("Email").fill(email);
      await page.getByRole("button", { name: "Send me a link" }).click();

      await expect(page.getByRole("heading", { name: "Check your inbox" })).toBeVisible();
      await expect(page.getByRole("status")).toContainText(`If an account uses ${email}`);
      await expect(page.getByRole("main")).toContainText("spam");
      await expect(page.getByRole("main")).toContainText("60 minutes");
      // No form to send twice by mistake; a way to ask again and a way back, both keeping the address.
      await expect(page.getByRole("button", { name: "Send me a link" })).toHaveCount(0);
      await expect(page.getByLabel("Email")).toHaveCount(0);
      const encoded = encodeURIComponent(email);
      await expect(page.getByRole("link", { name: "Back to sign in" })).toHaveAttribute(
        "href",
        `/login?email=${encoded}`,
      );
      await page.getByRole("link", { name: "try again" }).click();
      await expect(page).toHaveURL(appUrl(`/forgot-password?email=${encoded}`));
      await expect(app.field("Email")).toHaveValue(email);
    });

    test("signing out says so on the page it lands on", async ({ app, page }) => {
      await app.signUpByPost();
      await app.signOut();
      await expect(page.getByRole("status")).toHaveText("You have signed out.");
      // Said once: the next page has no such message.
      await app.goto("/login");
      await expect(page.getByText("You have signed out.")).toHaveCount(0);
    });
  });
}
