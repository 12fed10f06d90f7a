import { appUrl, newCredentials } from "./support/app";
import { expect, test } from "./support/test";

test("the server's page has no strength hint: without JavaScript there is none, and the server's message says why a password is refused", async ({
  app,
  page,
  request,
  javaScriptEnabled,
}) => {
  const html = await (await request.get("/signup")).text();
  expect(html).not.toContain("password-strength");
  expect(html).not.toContain("-strength");
  expect(html).not.toContain("Strength:");

  await app.goto("/signup");
  const password = app.field("Password");
  await password.fill("letmein22");
  if (javaScriptEnabled) {
    await expect(page.locator(".password-strength")).toContainText("Strength: Too common");
  } else {
    await expect(page.locator(".password-strength, [id$='-strength']")).toHaveCount(0);
    await expect(page.getByText("Strength:")).toHaveCount(0);
    await expect(password).toHaveAccessibleDescription(/^8 to 128 characters\.[^]*a long phrase is best\.$/);
  }

  await app.submitSignup({ ...newCredentials(), password: "letmein22" });
  await expect(page).toHaveURL(appUrl("/signup"));
  await expect(app.alert).toContainText("Password: This password is one of the most common");
  await expect(password).toHaveAccessibleDescription(/one of the most common/);
});
