import { type Page } from "@playwright/test";
import { appUrl, newCredentials } from "./support/app";
import { expect, test } from "./support/test";

/** The strength hint under the new password (see app/ui/password-strength.tsx). */
const strengthHint = (page: Page) => page.locator(".password-strength");

/** Counts the browser's requests for zxcvbn's chunk, which must wait until a new password is wanted. */
function countEstimatorLoads(page: Page): { readonly count: number } {
  const loads = { count: 0 };
  page.on("request", (request) => {
    if (request.url().includes("password-strength-estimator")) loads.count += 1;
  });
  return loads;
}

test("the strength hint follows the password as it is typed, and is announced politely", async ({
  app,
  page,
}) => {
  const estimatorLoads = countEstimatorLoads(page);
  await app.goto("/signup");
  const password = app.field("Password");
  const hint = strengthHint(page);

  // There from the start (so that changes to it are announced), empty, and tied to the field.
  await expect(hint).toHaveAttribute("aria-live", "polite");
  await expect(hint).toHaveAttribute("aria-atomic", "true");
  await expect(hint).toBeEmpty();
  const hintId = await hint.getAttribute("id");
  expect(hintId).toBeTruthy();
  await expect(password).toHaveAttribute("aria-describedby", new RegExp(`(^| )${hintId}( |$)`));
  // zxcvbn and its dictionaries are not part of the page until a password is typed.
  expect(estimatorLoads.count).toBe(0);

  await password.pressSequentially("abc");
  await expect(hint).toContainText("Strength: Too short");
  expect(estimatorLoads.count).toBe(1);
  await expect(hint).toContainText("Common character sequences like");

  // Long enough, but on the list the server refuses: never rated above the lowest level.
  await password.pressSequentially("abcabc");
  await expect(hint).toContainText("Strength: Too weak");
  await password.fill("letmein22");
  await expect(hint).toContainText("Strength: Too common");
  await password.fill("Jennifer12");
  await expect(hint).toContainText("Strength: Weak");
  await expect(hint).toContainText("Add more words that are less common.");
  await expect(password).toHaveAccessibleDescription(/Strength: Weak/);

  await password.fill("violet kettle jumps 83 quietly");
  await expect(hint).toHaveText("Strength: Strong");
  // The rules stay said, and the hint is read with them.
  await expect(password).toHaveAccessibleDescription(/^8 to 128 characters\..*Strength: Strong$/);

  await password.fill("");
  await expect(hint).toBeEmpty();
  expect(estimatorLoads.count).toBe(1);
});

test("the hint sits beside the field's errors without hiding them from screen readers", async ({
  app,
  page,
}) => {
  await app.goto("/signup");
  const password = app.field("Password");
  await password.fill("short");
  await app.field("Confirm password").focus();

  await expect(password).toHaveAttribute("aria-invalid", "true");
  await expect(password).toHaveAccessibleDescription(/Use at least 8 characters/);
  await expect(password).toHaveAccessibleDescription(/Strength: Too short/);
  await expect(strengthHint(page)).toContainText("Strength: Too short");
});

test("the hint agrees with the server's refusal, and never blocks a password the server accepts", async ({
  app,
  page,
}) => {
  const user = newCredentials();
  await app.goto("/signup");

  // Common in another case: the browser's checks pass, the server refuses it with its reason.
  await app.submitSignup({ ...user, password: "LETMEIN22" });
  await expect(app.alert).toContainText("one of the most common");
  await expect(page).toHaveURL(appUrl("/signup"));
  // The typed password stays in the browser's field, and the hint rated it as the server did.
  await expect(app.field("Password")).toHaveValue("LETMEIN22");
  await expect(strengthHint(page)).toContainText("Strength: Too common");
  await expect(app.field("Password")).toHaveAccessibleDescription(
    /one of the most common.*Strength: Too common/,
  );

  // Weak, but the server's to judge, and it takes it.
  await app.field("Password").fill("Jennifer12");
  await expect(strengthHint(page)).toContainText("Strength: Weak");
  await app.submitSignup({ ...user, password: "Jennifer12" });
  await expect(page).toHaveURL(appUrl("/verify-email"));
});
