import { readFile } from "node:fs/promises";
import { appUrl, newCredentials } from "./support/app";
import { linkIn, waitForMail } from "./support/mailbox";
import { expect, test } from "./support/test";

test.describe("account settings", () => {
  test("the email address changes only after the new address confirms; the old one is told", async ({
    app,
    page,
  }) => {
    const user = await app.signUpByPost(newCredentials("Mover"));
    const newEmail = newCredentials("Moved").email;
    await app.goto("/settings/email");
    await page.getByLabel("New email address").fill(newEmail);
    await page.getByLabel("Current password").fill(user.password);
    await page.getByRole("button", { name: "Send confirmation link" }).click();
    await expect(page.getByRole("status")).toContainText(`We sent a link to ${newEmail}`);
    await expect(page.getByText(`Waiting for ${newEmail} to be confirmed.`)).toBeVisible();
    await waitForMail(page.request, user.email, "A change of your email address was asked for");

    const mail = await waitForMail(page.request, newEmail, "Confirm your new email address");
    await app.goto(linkIn(mail, appUrl("/confirm-email?token=")));
    await expect(page).toHaveURL(appUrl("/confirm-email"));
    await page.getByRole("button", { name: "Confirm new address" }).click();
    await expect(page).toHaveURL(appUrl("/settings/email"));
    await expect(page.getByRole("status")).toContainText("Your email address has been changed.");
    await expect(page.getByText(`Your address is ${newEmail}`)).toBeVisible();
    await waitForMail(page.request, user.email, "Your email address was changed");

    await app.goto("/settings/security");
    await expect(page.getByRole("table")).toContainText("Email address changed");
    await expect(page.getByRole("table")).toContainText("Email change asked for");
  });

  test("security activity lists sign-ins and failed attempts with address and device", async ({
    app,
    page,
    clientAddress,
  }) => {
    const user = await app.signUpByPost(newCredentials("Watched"));
    await app.signOut();
    await app.goto("/login");
    await app.submitLogin(user.email, "a wrong password here");
    await expect(app.alert).toContainText("The email address or password is not right.");
    await app.submitLogin(user.email, user.password);
    await expect(page).toHaveURL(appUrl("/todos"));

    await app.goto("/settings/security");
    const rows = page.getByRole("row");
    await expect(rows.nth(1)).toContainText("Signed in");
    await expect(rows.nth(2)).toContainText("Failed sign-in");
    await expect(rows.nth(3)).toContainText("Signed out");
    await expect(rows.nth(1)).toContainText(clientAddress);
  });

  test("the data export downloads as JSON with the user's todos", async ({ app, page, todos }) => {
    const user = await app.signUpByPost(newCredentials("Exporter"));
    await todos.add("Export me");
    await app.goto("/settings/account");
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download my data" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^todo-export-\d{4}-\d{2}-\d{2}\.json$/);
    const document = JSON.parse(await readFile((await file.path()) ?? "", "utf8")) as {
      profile: { email: string };
      todos: Array<{ title: string }>;
    };
    expect(document.profile.email).toBe(user.email);
    expect(document.todos.map((item) => item.title)).toEqual(["Export me"]);
    // Neither the password nor its hash (better-auth's scrypt format: salt:key in hex).
    const raw = JSON.stringify(document);
    expect(raw).not.toContain(user.password);
    expect(raw).not.toMatch(/[0-9a-f]{32}:[0-9a-f]{128}/);
  });

  test("deleting the account needs the password and the box ticked, then removes everything", async ({
    app,
    page,
    todos,
  }) => {
    const user = await app.signUpByPost(newCredentials("Leaver"));
    await todos.add("Gone with me");
    await app.goto("/settings/account");

    await page.getByLabel("Current password").fill(user.password);
    await page.getByRole("button", { name: "Delete my account" }).click();
    await expect(app.alert).toContainText("Tick the box");
    await expect(page).toHaveURL(appUrl("/settings/account"));

    await page.getByLabel("Current password").fill(user.password);
    await page.getByLabel("I understand that everything will be deleted for good").check();
    await page.getByRole("button", { name: "Delete my account" }).click();
    await expect(page).toHaveURL(appUrl("/"));
    await expect(page.getByRole("status")).toContainText(
      "Your account and everything in it have been deleted.",
    );
    await waitForMail(page.request, user.email, "Your account has been deleted");

    await app.goto("/login");
    await app.submitLogin(user.email, user.password);
    await expect(app.alert).toContainText("The email address or password is not right.");

    // The address is free again, for a new and empty account.
    await app.signUp({ ...newCredentials("Returner"), email: user.email });
    await expect(page.getByText("Nothing to do yet. Add your first todo above.")).toBeVisible();
  });
});
