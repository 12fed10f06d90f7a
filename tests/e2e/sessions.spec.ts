import { appUrl, newCredentials } from "./support/app";
import { expect, test } from "./support/test";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";

const FIREFOX_ON_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:131.0) Gecko/20100101 Firefox/131.0";

test("a second browser's session is listed, signed out from the first, and refused on its next request", async ({
  app,
  page,
  browser,
  javaScriptEnabled,
  clientAddress,
}) => {
  const user = await app.signUpByPost(newCredentials("Sessions"));

  const other = await browser.newContext({ userAgent: FIREFOX_ON_MAC, javaScriptEnabled });
  try {
    const otherPage = await other.newPage();
    await otherPage.goto(appUrl("/login"));
    await otherPage.getByLabel("Email", { exact: true }).fill(user.email);
    await otherPage.getByLabel("Password", { exact: true }).fill(user.password);
    await otherPage.getByRole("button", { name: "Sign in" }).click();
    await expect(otherPage).toHaveURL(appUrl("/todos"));

    await app.goto("/settings/sessions");
    const list = page.getByRole("list").filter({ hasText: "This device" });
    await expect(list.getByRole("listitem")).toHaveCount(2);
    await expect(list).toContainText("Firefox 131 on macOS 14.5");
    await expect(list).toContainText(clientAddress);
    // No session's token is written into the page.
    const cookie = (await page.context().cookies()).find((item) => item.name === SESSION_COOKIE);
    const token = decodeURIComponent(cookie?.value ?? "").split(".")[0] ?? "";
    expect(token.length).toBeGreaterThan(16);
    expect(await page.content()).not.toContain(token);

    await page.getByRole("button", { name: /Sign out Firefox 131 on macOS 14.5/ }).click();
    await expect(page.getByRole("status")).toContainText("That session has been signed out.");
    await expect(list.getByRole("listitem")).toHaveCount(1);

    await otherPage.goto(appUrl("/todos"));
    await expect(otherPage).toHaveURL(appUrl("/login?redirectTo=%2Ftodos"));
    await app.goto("/todos");
    await expect(page).toHaveURL(appUrl("/todos"));
  } finally {
    await other.close();
  }
});
