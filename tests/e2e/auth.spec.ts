import { appUrl, newCredentials, postSignup } from "./support/app";
import { APP_URL } from "./support/env";
import { expect, test } from "./support/test";

test.describe("signing up, out and in", () => {
  test("a new user lands on their list, signs out, and signs back in with their email in another case", async ({
    app,
    page,
  }) => {
    const user = await app.signUp(newCredentials("Grace"));
    await expect(page.getByRole("heading", { name: "Your todos" })).toBeVisible();
    await expect(app.accountNav).toContainText(user.name);

    // A link (a GET) cannot sign anyone out.
    await app.goto("/logout");
    await expect(page).toHaveURL(appUrl("/todos"));
    await expect(app.accountNav).toContainText(user.name);

    await app.signOut();
    await expect(app.accountNav).not.toContainText(user.name);

    await app.goto("/todos");
    await expect(page).toHaveURL(appUrl("/login?redirectTo=%2Ftodos"));

    await app.submitLogin(user.email.toUpperCase(), user.password);
    await expect(page).toHaveURL(appUrl("/todos"));
    await expect(app.accountNav).toContainText(user.name);
  });

  test("sign-up shows each problem beside its field and in the summary, keeping name and email", async ({
    app,
    page,
    javaScriptEnabled,
  }) => {
    const user = newCredentials();
    await app.goto("/signup");

    // Present (so the browser's own `required` check passes) but too short for the server's rules.
    await app.submitSignup({ ...user, password: "short", confirmPassword: "short" });
    await expect(page).toHaveURL(appUrl("/signup"));
    await expect(app.alert).toContainText("Password: Use at least 8 characters");
    await expect(app.field("Password")).toHaveAttribute("aria-invalid", "true");
    await expect(app.field("Password")).toHaveAccessibleDescription(/Use at least 8 characters/);
    await expect(app.field("Name")).toHaveValue(user.name);
    await expect(app.field("Email")).toHaveValue(user.email);
    if (!javaScriptEnabled) {
      // The server never writes a password back into the page. (With JavaScript the
      // form is checked in the browser and nothing is sent, so the typed value stays.)
      await expect(app.field("Password")).toHaveValue("");
      await expect(app.field("Confirm password")).toHaveValue("");
    }

    await app.submitSignup({ ...user, confirmPassword: `${user.password}!` });
    await expect(page).toHaveURL(appUrl("/signup"));
    await expect(app.alert).toContainText("Confirm password: The passwords do not match");
    await expect(app.alert).not.toContainText("Use at least 8 characters");
    await expect(app.field("Confirm password")).toHaveAttribute("aria-invalid", "true");
    await expect(app.field("Confirm password")).toHaveAccessibleDescription(/The passwords do not match/);
    await expect(app.field("Password")).not.toHaveAttribute("aria-invalid", "true");
    await expect(app.field("Name")).toHaveValue(user.name);
    await expect(app.field("Email")).toHaveValue(user.email);
    if (!javaScriptEnabled) {
      await expect(app.field("Password")).toHaveValue("");
      await expect(app.field("Confirm password")).toHaveValue("");
    }

    // Nobody was signed up along the way.
    await expect(app.accountNav.getByRole("link", { name: "Sign in" })).toBeVisible();
  });

  test("a wrong password and an unknown email get the same answer", async ({
    app,
    page,
    request,
    javaScriptEnabled,
  }) => {
    // The account is made outside this tab, which stays signed out.
    const user = await postSignup(request);

    const answers: string[] = [];
    for (const [email, password] of [
      [user.email, `${user.password}-wrong`],
      [newCredentials().email, user.password],
    ] as const) {
      await app.goto("/login");
      await app.submitLogin(email, password);
      await expect(page).toHaveURL(appUrl("/login"));
      await expect(app.alert).toHaveText("The email address or password is not right.");
      await expect(app.field("Email")).toHaveValue(email);
      // The server never writes a password back (with JavaScript the field keeps what was typed).
      if (!javaScriptEnabled) await expect(app.field("Password")).toHaveValue("");
      await expect(app.field("Email")).not.toHaveAttribute("aria-invalid", "true");
      // Without JavaScript the answer may still be streaming in: read it whole.
      await page.waitForLoadState("load");
      answers.push(await page.getByRole("main").innerText());
    }
    expect(answers[1]).toBe(answers[0]);

    // And the two answers have the same status.
    const statuses = [];
    for (const email of [user.email, newCredentials().email]) {
      const response = await page.request.post("/login", {
        form: { email, password: "not the password" },
        headers: { Origin: APP_URL },
        maxRedirects: 0,
      });
      statuses.push(response.status());
    }
    expect(statuses[0]).toBe(400);
    expect(statuses[1]).toBe(statuses[0]);
  });
});

test.describe("coming back after signing in", () => {
  test("a signed-out visit to a filtered list returns there after signing in", async ({
    app,
    page,
    request,
  }) => {
    const user = await postSignup(request);

    await app.goto("/todos?filter=active");
    await expect(page).toHaveURL(appUrl("/login?redirectTo=%2Ftodos%3Ffilter%3Dactive"));
    await app.submitLogin(user.email, user.password);
    await expect(page).toHaveURL(appUrl("/todos?filter=active"));
    await expect(
      page.getByRole("navigation", { name: "Filter todos" }).getByRole("link", { name: "Active" }),
    ).toHaveAttribute("aria-current", "page");
  });

  for (const target of ["//evil.example", "/\\evil.example", "https://evil.example/todos"]) {
    test(`redirectTo=${target} stays on the site`, async ({ app, page, request }) => {
      const user = await postSignup(request);

      await app.goto(`/login?${new URLSearchParams({ redirectTo: target })}`);
      await app.submitLogin(user.email, user.password);
      await expect(page).toHaveURL(appUrl("/todos"));
      await expect(app.accountNav).toContainText(user.name);
    });
  }
});
