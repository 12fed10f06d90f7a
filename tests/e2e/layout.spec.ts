import type { Locator, Page } from "@playwright/test";
import { appUrl, newCredentials } from "./support/app";
import { contrastRatio, parseColour, type Colour } from "./support/contrast";
import { expect, test } from "./support/test";

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  expect(found, `${locator} has a box on screen`).not.toBeNull();
  return found ?? { x: 0, y: 0, width: 0, height: 0 };
}

/** A box's vertical middle. */
const middle = ({ y, height }: { y: number; height: number }) => y + height / 2;

/** Whether the page fits the window's width (WCAG 1.4.10: no sideways scrolling of the page). */
const pageWidthOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Each item on one line: no taller than one line of its text (plus its padding and border). */
async function expectOneLine(locator: Locator) {
  const lines = await locator.evaluate((element) => {
    const style = getComputedStyle(element);
    const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
    const chrome =
      parseFloat(style.paddingTop) +
      parseFloat(style.paddingBottom) +
      parseFloat(style.borderTopWidth) +
      parseFloat(style.borderBottomWidth);
    return Math.round(((element as HTMLElement).offsetHeight - chrome) / lineHeight);
  });
  expect(lines, `${locator} is on one line`).toBeLessThanOrEqual(1);
}

/** The brand, its mark and name, and every item of the account navigation: one row, nothing wrapped. */
async function expectHeaderOnOneRow(page: Page, items: Locator[]) {
  const header = page.getByRole("banner");
  const brand = header.getByRole("link", { name: "Todo", exact: true });
  const mark = brand.locator(".brand-mark");
  const name = brand.locator(".brand-name");
  const brandBox = await box(brand);
  for (const part of [mark, name]) {
    expect(Math.abs(middle(await box(part)) - middle(brandBox))).toBeLessThanOrEqual(3);
  }
  await expectOneLine(name);
  for (const item of items) {
    await expect(item).toBeVisible();
    expect(
      Math.abs(middle(await box(item)) - middle(brandBox)),
      `${item} in the brand's row`,
    ).toBeLessThanOrEqual(4);
    await expectOneLine(item);
  }
  expect((await box(header)).height).toBeLessThanOrEqual(72);
  expect(await pageWidthOverflow(page)).toBeLessThanOrEqual(0);
}

for (const [device, viewport] of Object.entries({ phone: PHONE, desktop: DESKTOP })) {
  test.describe(`on a ${device} (${viewport.width} px)`, () => {
    test.use({ viewport });

    test("the header is one row, signed out and signed in, and the account menu holds Settings and Sign out", async ({
      app,
      page,
    }) => {
      await app.goto("/login");
      const nav = app.accountNav;
      await expectHeaderOnOneRow(page, [
        nav.getByRole("link", { name: "Sign in" }),
        nav.getByRole("link", { name: "Sign up" }),
      ]);

      const user = await app.signUpByPost(newCredentials("Headed"));
      const summary = nav.locator("summary");
      await expect(summary).toContainText(user.name);
      await expect(nav.getByRole("link", { name: "Settings" })).toBeHidden();
      await expectHeaderOnOneRow(page, [summary]);

      const menu = await app.openAccountMenu();
      await expect(menu.getByRole("link", { name: "Your todos" })).toHaveAttribute("aria-current", "page");
      const signOut = menu.getByRole("button", { name: "Sign out" });
      await expect(signOut).toBeVisible();
      await expectOneLine(signOut);
      // The open menu floats over the page: the header keeps its one row.
      await expectHeaderOnOneRow(page, [summary]);
      await menu.getByRole("link", { name: "Settings" }).click();
      await expect(page).toHaveURL(appUrl("/settings/profile"));
    });

    test("every page fits the screen's width", async ({ app, page, todos }) => {
      for (const path of ["/", "/login", "/signup", "/no/such/page"]) {
        await app.goto(path);
        expect(await pageWidthOverflow(page), path).toBeLessThanOrEqual(0);
      }
      await app.signUpByPost(newCredentials("Wide"));
      await todos.add("A todo with a rather long title that should wrap rather than push the page wider");
      expect(await pageWidthOverflow(page), "/todos").toBeLessThanOrEqual(0);
      for (const section of [
        "profile",
        "email",
        "password",
        "connections",
        "two-factor",
        "passkeys",
        "sessions",
        "security",
        "account",
      ]) {
        await app.goto(`/settings/${section}`);
        expect(await pageWidthOverflow(page), section).toBeLessThanOrEqual(0);
      }
    });
  });
}

test.describe("the account menu", () => {
  test("closes by its button; with JavaScript also on Escape (focus back on its button), a click outside or a page change", async ({
    app,
    page,
    javaScriptEnabled,
  }) => {
    await app.signUpByPost(newCredentials("Menu"));
    const menu = await app.openAccountMenu();
    const summary = menu.locator("summary");
    if (!javaScriptEnabled) {
      // Without JavaScript it is the browser's own disclosure: its button opens and closes it.
      await summary.click();
      await expect(menu).not.toHaveAttribute("open", "");
      return;
    }
    await menu.getByRole("link", { name: "Settings" }).focus();
    await page.keyboard.press("Escape");
    await expect(menu).not.toHaveAttribute("open", "");
    await expect(summary).toBeFocused();

    await page.keyboard.press("Enter");
    await expect(menu).toHaveAttribute("open", "");
    await page.getByRole("heading", { name: "Your todos" }).click();
    await expect(menu).not.toHaveAttribute("open", "");

    // A page change inside the app closes it too (the header stays on screen).
    await (await app.openAccountMenu()).getByRole("link", { name: "Settings" }).click();
    await expect(page).toHaveURL(appUrl("/settings/profile"));
    await expect(menu).not.toHaveAttribute("open", "");
  });
});

test.describe("the settings navigation", () => {
  test.describe("on a phone", () => {
    test.use({ viewport: PHONE });

    test("is one row that scrolls sideways, marking the current page", async ({
      app,
      page,
      javaScriptEnabled,
    }) => {
      await app.signUpByPost(newCredentials("Phone"));
      await app.goto("/settings/account");
      const nav = page.getByRole("navigation", { name: "Settings" });
      const links = nav.getByRole("link");
      await expect(links).toHaveCount(9);
      const first = await box(links.first());
      for (const link of await links.all()) {
        expect(
          Math.abs((await box(link)).y - first.y),
          `${await link.textContent()} in the first row`,
        ).toBeLessThanOrEqual(1);
        await expectOneLine(link);
      }
      expect((await box(nav)).height).toBeLessThanOrEqual(64);
      expect(await pageWidthOverflow(page)).toBeLessThanOrEqual(0);
      const current = nav.getByRole("link", { name: "Account" });
      await expect(current).toHaveAttribute("aria-current", "page");
      await expect(nav.locator('[aria-current="page"]')).toHaveCount(1);
      if (javaScriptEnabled) {
        // The row is scrolled so that the current page's link is in view.
        const navBox = await box(nav);
        const currentBox = await box(current);
        expect(currentBox.x).toBeGreaterThanOrEqual(navBox.x - 1);
        expect(currentBox.x + currentBox.width).toBeLessThanOrEqual(navBox.x + navBox.width + 1);
      }
    });

    test("the delete-account box and its label sit together on one line", async ({ app, page }) => {
      await app.signUpByPost(newCredentials("Boxed"));
      await app.goto("/settings/account");
      const checkbox = page.getByRole("checkbox", {
        name: "I understand that everything will be deleted for good",
      });
      const label = page.locator(`label[for="${await checkbox.getAttribute("id")}"]`);
      const boxOf = await box(checkbox);
      const labelOf = await box(label);
      // Side by side: the label starts just right of the box, and the box is level with its first line.
      expect(labelOf.x).toBeGreaterThan(boxOf.x + boxOf.width);
      expect(labelOf.x - (boxOf.x + boxOf.width)).toBeLessThanOrEqual(16);
      expect(boxOf.y).toBeGreaterThanOrEqual(labelOf.y - 2);
      expect(boxOf.y + boxOf.height).toBeLessThanOrEqual(labelOf.y + 30);
    });
  });

  test.describe("on a desktop", () => {
    test.use({ viewport: DESKTOP });

    test("is a sidebar beside the page, one link under the other", async ({ app, page }) => {
      await app.signUpByPost(newCredentials("Desk"));
      await app.goto("/settings/profile");
      const nav = page.getByRole("navigation", { name: "Settings" });
      const links = await nav.getByRole("link").all();
      expect(links).toHaveLength(9);
      let previous = await box(links[0] ?? nav);
      for (const link of links.slice(1)) {
        const next = await box(link);
        expect(Math.abs(next.x - previous.x)).toBeLessThanOrEqual(1);
        expect(next.y).toBeGreaterThan(previous.y + previous.height - 1);
        previous = next;
      }
      await expect(nav.getByRole("link", { name: "Profile" })).toHaveAttribute("aria-current", "page");
      const section = page.locator("section").filter({ has: page.getByRole("heading", { name: "Profile" }) });
      const navBox = await box(nav);
      expect(navBox.x + navBox.width).toBeLessThanOrEqual((await box(section)).x);
    });
  });
});

test("a settings page answers beside the form that was sent, as a status", async ({ app, page }) => {
  await app.signUpByPost(newCredentials("Flash"));
  await app.goto("/settings/profile");
  await page.getByLabel("Name").fill("Ada Byron");
  await page.getByRole("button", { name: "Save" }).click();
  const section = page.locator("section").filter({ has: page.getByRole("heading", { name: "Profile" }) });
  const status = section.getByRole("status");
  await expect(status).toHaveText("Your name has been saved.");
  await expect(page.getByRole("status")).toHaveCount(1);
  // Between the section's heading and its button, close to the button.
  const heading = await box(section.getByRole("heading", { name: "Profile" }));
  const statusBox = await box(status);
  const button = await box(section.getByRole("button", { name: "Save" }));
  expect(statusBox.y).toBeGreaterThan(heading.y);
  expect(button.y).toBeGreaterThan(statusBox.y);
  expect(button.y - (statusBox.y + statusBox.height)).toBeLessThanOrEqual(200);
});

test("/favicon.ico is an icon", async ({ app, page, request }) => {
  const answer = await request.get("/favicon.ico");
  expect(answer.status()).toBe(200);
  expect(answer.headers()["content-type"]).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
  const bytes = await answer.body();
  // ICONDIR: reserved 0, type 1 (icon), at least one image.
  expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 1, 0]);
  expect(bytes.readUInt16LE(4)).toBeGreaterThan(0);
  await app.goto("/");
  await expect(page.locator('link[rel="icon"][href="/favicon.ico"]')).toHaveCount(1);
});

test.describe("the front page", () => {
  for (const [device, viewport] of Object.entries({ phone: PHONE, desktop: DESKTOP })) {
    test(`shows the list and says what it does, with the ways in (${device})`, async ({ app, page }) => {
      await page.setViewportSize(viewport);
      await app.goto("/");
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expect(page.getByRole("img", { name: /todo list/ })).toBeVisible();
      for (const benefit of ["Your list, kept", "On any device", "A safe sign-in", "Your data stays yours"]) {
        await expect(page.getByRole("heading", { name: benefit })).toBeVisible();
      }
      await expect(page.getByText(/passkey/)).toBeVisible();
      await expect(page.getByText(/HttpOnly/)).toHaveCount(0);
      expect(await pageWidthOverflow(page)).toBeLessThanOrEqual(0);
      await page.getByRole("link", { name: "Create a free account" }).first().click();
      await expect(page).toHaveURL(appUrl("/signup"));
      await app.goto("/");
      await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();
      await expect(page).toHaveURL(appUrl("/login"));
    });
  }
});

/** The colour an element is drawn on: the first ancestor's background that is not transparent. */
async function backgroundBehind(locator: Locator): Promise<Colour> {
  const css = await locator.evaluate((element) => {
    for (let at = element.parentElement; at; at = at.parentElement) {
      const colour = getComputedStyle(at).backgroundColor;
      if (!/^rgba\(.*,\s*0\)$|^transparent$/.test(colour)) return colour;
    }
    return "rgb(255, 255, 255)";
  });
  return parseColour(css);
}

const style = async (locator: Locator, property: "borderTopColor" | "outlineColor" | "backgroundColor") =>
  parseColour(await locator.evaluate((element, name) => getComputedStyle(element)[name], property));

for (const colorScheme of ["light", "dark"] as const) {
  test(`controls and the focus ring stand out at least 3:1 (${colorScheme})`, async ({
    app,
    page,
    todos,
  }) => {
    await page.emulateMedia({ colorScheme });
    await app.signUpByPost(newCredentials("Contrast"));
    await todos.add("Contrast check");
    const checks: Array<{ what: string; ratio: number }> = [];
    const check = async (what: string, locator: Locator, property: "borderTopColor" | "outlineColor") => {
      const drawn = await locator.evaluate((element, name) => {
        const computed = getComputedStyle(element);
        return name === "outlineColor"
          ? { style: computed.outlineStyle, width: parseFloat(computed.outlineWidth) }
          : { style: computed.borderTopStyle, width: parseFloat(computed.borderTopWidth) };
      }, property);
      expect(drawn.style, `${what} is drawn`).not.toBe("none");
      expect(drawn.width, `${what} is at least 1px`).toBeGreaterThanOrEqual(1);
      const colour = await style(locator, property);
      // A ring drawn outside the control (a positive offset) is seen against what is behind it only.
      const outside =
        property === "outlineColor" &&
        (await locator.evaluate((element) => parseFloat(getComputedStyle(element).outlineOffset))) > 0;
      const backgrounds = [["the background behind it", await backgroundBehind(locator)]] as const;
      const own = [["its own background", await style(locator, "backgroundColor")]] as const;
      for (const [against, background] of outside ? backgrounds : [...backgrounds, ...own]) {
        // A transparent control is seen against what is behind it, already checked.
        if (background.alpha === 0) continue;
        checks.push({ what: `${what} against ${against}`, ratio: contrastRatio(colour, background) });
      }
    };

    await check("the todo toggle's border", todos.completeButton("Contrast check"), "borderTopColor");
    await check("the new-todo input's border", todos.newTodo, "borderTopColor");
    await todos.newTodo.focus();
    await check("the focus ring on an input", todos.newTodo, "outlineColor");

    await app.goto("/settings/password");
    const input = page.getByLabel("Current password");
    await check("a settings input's border", input, "borderTopColor");
    await input.focus();
    await page.keyboard.press("Tab");
    await check("the focus ring on the next input", page.locator(":focus"), "outlineColor");
    // A button reached by keyboard.
    await page.getByRole("button", { name: "Change password" }).focus();
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Tab");
    await expect(page.getByRole("button", { name: "Change password" })).toBeFocused();
    await check(
      "the focus ring on a button",
      page.getByRole("button", { name: "Change password" }),
      "outlineColor",
    );

    const tooFaint = checks.filter(({ ratio }) => ratio < 3);
    expect(tooFaint, checks.map(({ what, ratio }) => `${what}: ${ratio.toFixed(2)}:1`).join("\n")).toEqual(
      [],
    );
    expect(checks.length).toBeGreaterThanOrEqual(5);
  });
}
