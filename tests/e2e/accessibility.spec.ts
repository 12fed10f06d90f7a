import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { appUrl, newCredentials, openAccountMenu, type App } from "./support/app";
import { APP_URL } from "./support/env";
import { linkIn, waitForMail } from "./support/mailbox";
import { expect, test } from "./support/test";
import { SETTINGS_PAGES } from "../../app/ui/settings-pages";

/** WCAG 2.0, 2.1 and 2.2, levels A and AA: what axe-core checks of them. */
const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** The pages anyone can open, signed out. */
const SIGNED_OUT_PAGES = [
  "/",
  "/login",
  "/login?redirectTo=/settings/profile",
  "/login/two-factor",
  "/signup",
  "/forgot-password",
  "/reset-password?token=not-a-real-token",
  "/verify-email",
  "/verify-email?token=not-a-real-token",
  "/confirm-email?token=not-a-real-token",
  "/no/such/page",
];

/** The pages of a signed-in user (with a few todos, one of them done). */
const SIGNED_IN_PAGES = [
  "/todos",
  "/todos?filter=active",
  "/todos?filter=completed",
  ...SETTINGS_PAGES.map((page) => page.to),
  "/reauthenticate?redirectTo=/settings/account",
  "/todos/no-such-todo",
];

/**
 * axe-core's WCAG A/AA findings on the page as it is now, one line per rule and element (only
 * inside `include` when given). axe is a script: without JavaScript, the page's document as it
 * stands is shown to axe in a tab of its own that runs scripts but loads none of the page's
 * (the page never runs them either), in the same colour scheme and size.
 */
async function violations(page: Page, javaScriptEnabled: boolean, include?: string): Promise<string[]> {
  if (javaScriptEnabled) return axeFindings(page, include);
  const browser = page.context().browser();
  if (!browser) throw new Error("no browser");
  const html = await page.content();
  const scheme = await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches);
  const copy = await browser.newContext({
    javaScriptEnabled: true,
    colorScheme: scheme ? "dark" : "light",
    viewport: page.viewportSize(),
  });
  try {
    const tab = await copy.newPage();
    await tab.route(
      (url) => url.href === page.url(),
      (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html }),
    );
    await tab.route("**/*", (route) =>
      route.request().resourceType() === "script" ? route.abort() : route.fallback(),
    );
    await tab.goto(page.url());
    return await axeFindings(tab, include);
  } finally {
    await copy.close();
  }
}

async function axeFindings(page: Page, include?: string): Promise<string[]> {
  const builder = new AxeBuilder({ page }).withTags(WCAG_AA);
  if (include) builder.include(include);
  const { violations: found } = await builder.analyze();
  return found.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `${violation.id} (${violation.impact ?? "?"}): ${node.target.join(" ")}: ${node.failureSummary ?? ""}`,
    ),
  );
}

/** Opens each page and collects what axe finds, by page, so that one run shows every problem. */
async function audit(app: App, paths: string[]): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const path of paths) {
    await app.goto(path);
    const onPage = await violations(app.page, app.javaScriptEnabled);
    if (onPage.length > 0) found[`${path} (${app.page.url()})`] = onPage;
  }
  return found;
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`axe-core, WCAG 2.2 A and AA, ${colorScheme} scheme`, () => {
    // A dozen pages or more each, every one analysed in full.
    test.describe.configure({ timeout: 180_000 });

    test.beforeEach(async ({ page }) => {
      await page.emulateMedia({ colorScheme });
    });

    test("every page a signed-out visitor can open has no violations", async ({ app, page }) => {
      const found = await audit(app, SIGNED_OUT_PAGES);
      // A form sent with mistakes: its messages and summary too.
      await app.goto("/signup");
      await app.submitSignup({
        name: "",
        email: "not an address",
        password: "short",
        confirmPassword: "other",
      });
      await expect(app.alert).toBeVisible();
      const withErrors = await violations(page, app.javaScriptEnabled);
      if (withErrors.length > 0) found["/signup with errors"] = withErrors;

      // The page a sign-up's confirmation link opens, with its button.
      const user = newCredentials("Unconfirmed");
      await page.request.post("/signup", {
        form: { ...user, confirmPassword: user.password },
        headers: { Origin: APP_URL },
      });
      const mail = await waitForMail(page.request, user.email, "Confirm your email address");
      await app.goto(linkIn(mail, appUrl("/verify-email?token=")));
      await expect(page.getByRole("button", { name: "Confirm and sign in" })).toBeVisible();
      const confirming = await violations(page, app.javaScriptEnabled);
      if (confirming.length > 0) found["/verify-email from the mail's link"] = confirming;
      expect(found).toEqual({});
    });

    test("every page of a signed-in user has no violations, the account menu open too", async ({
      app,
      page,
      todos,
    }) => {
      await app.signUpByPost(newCredentials("Audited"));
      await todos.addAll("Buy milk", "Call Grandma", "Book the dentist");
      await todos.complete("Book the dentist");
      const found = await audit(app, SIGNED_IN_PAGES);

      await app.goto("/todos");
      await openAccountMenu(page);
      // The open menu covers part of the page under it, as a menu does: what matters is the menu.
      const withMenu = await violations(page, app.javaScriptEnabled, ".site-header");
      if (withMenu.length > 0) found["/todos with the account menu open"] = withMenu;

      // A settings form answered: its message beside the form.
      await app.goto("/settings/profile");
      await page.getByLabel("Name").fill("Audited Again");
      await page.getByRole("button", { name: "Save" }).click();
      await expect(page.getByRole("status")).toContainText("Your name has been saved.");
      const withMessage = await violations(page, app.javaScriptEnabled);
      if (withMessage.length > 0) found["/settings/profile after saving"] = withMessage;
      expect(found).toEqual({});
    });
  });
}

test("the audit finds a violation when there is one (a control without a name)", async ({ app, page }) => {
  await app.goto("/login");
  await page.evaluate(() => {
    const input = document.createElement("input");
    input.type = "text";
    document.querySelector("main")?.append(input);
  });
  const found = await violations(page, app.javaScriptEnabled);
  expect(found.some((line) => line.startsWith("label"))).toBe(true);
});
