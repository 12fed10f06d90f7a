import { randomBytes } from "node:crypto";
import { expect, type APIRequestContext, type Page, type Response } from "@playwright/test";
import { APP_URL } from "./env";
import { countMail, linkIn, waitForMail } from "./mailbox";

export interface Credentials {
  name: string;
  email: string;
  password: string;
}

/** A user nobody has signed up yet: a unique address, a long password no list contains. */
export function newCredentials(firstName = "Ada"): Credentials {
  const id = randomBytes(6).toString("hex");
  return {
    name: `${firstName} ${id}`,
    email: `${firstName.toLowerCase()}-${id}@example.com`,
    password: `correct horse ${id} staple`,
  };
}

/**
 * Posts the sign-up form's fields straight to /signup, as a browser without
 * JavaScript would, through `request`, then follows the confirmation link from
 * the mail (so its cookies then hold the session). The form itself is tested
 * in auth.spec.ts; elsewhere this is a quicker start.
 */
export async function postSignup(
  request: APIRequestContext,
  credentials: Credentials = newCredentials(),
  /** The instance of the app to sign up at (see env.ts). */
  origin = APP_URL,
): Promise<Credentials> {
  const response = await request.post(`${origin}/signup`, {
    form: { ...credentials, confirmPassword: credentials.password },
    headers: { Origin: origin },
    maxRedirects: 0,
  });
  expect(response.status(), "sign-up answers with a redirect").toBeGreaterThanOrEqual(300);
  expect(response.status()).toBeLessThan(400);
  expect(response.headers()["location"]).toBe("/verify-email");
  const mail = await waitForMail(request, credentials.email, "Confirm your email address");
  // The link moves its token into the page's cookie; the page's button confirms.
  const opened = await request.get(linkIn(mail, `${origin}/verify-email?token=`), { maxRedirects: 0 });
  expect(opened.headers()["location"]).toBe("/verify-email");
  const verified = await request.post(`${origin}/verify-email`, {
    form: { intent: "confirm" },
    headers: { Origin: origin },
    maxRedirects: 0,
  });
  expect(verified.headers()["location"]).toBe("/todos");
  return credentials;
}

/**
 * Opens the signed-in user's menu in the header (a <details> disclosure), if it is not open yet,
 * and answers it: "Settings" and "Sign out" are inside.
 */
export async function openAccountMenu(page: Page) {
  const menu = page.getByRole("navigation", { name: "Account" }).locator("details");
  if ((await menu.getAttribute("open")) === null) await menu.locator("summary").click();
  await expect(menu).toHaveAttribute("open", "");
  return menu;
}

/** An absolute address on the app, for comparing with `page.url()`-based assertions. */
export const appUrl = (path: string) => new URL(path, APP_URL).href;

/**
 * One browser tab on the app, with JavaScript on or off. With JavaScript on,
 * every page load waits for React to hydrate, so that the enhanced behaviour
 * (fetchers, client validation) is what the test exercises.
 */
export class App {
  constructor(
    readonly page: Page,
    readonly javaScriptEnabled: boolean,
  ) {}

  async goto(path: string): Promise<Response | null> {
    const response = await this.page.goto(path);
    await this.hydrated();
    return response;
  }

  /**
   * Loads the current address afresh (a GET: unlike the browser's reload, it
   * never re-sends a form whose answer is on screen).
   */
  async reload(): Promise<void> {
    await this.goto(this.page.url());
  }

  /** Resolves once React owns the whole document (no-op without JavaScript). */
  async hydrated(): Promise<void> {
    if (!this.javaScriptEnabled) return;
    // React tags each element it hydrates; <body> is finished only after everything inside it.
    await this.page.waitForFunction(() =>
      Object.keys(document.body).some((key) => key.startsWith("__reactFiber$")),
    );
  }

  get accountNav() {
    return this.page.getByRole("navigation", { name: "Account" });
  }

  /** The header's account menu, opened: its "Settings" link and "Sign out" button are visible. */
  openAccountMenu() {
    return openAccountMenu(this.page);
  }

  get alert() {
    return this.page.getByRole("alert");
  }

  field(label: "Name" | "Email" | "Password" | "Confirm password") {
    return this.page.getByLabel(label, { exact: true });
  }

  /** Fills in the sign-up form on the current page and submits it. */
  async submitSignup(credentials: Credentials & { confirmPassword?: string }): Promise<void> {
    await this.field("Name").fill(credentials.name);
    await this.field("Email").fill(credentials.email);
    await this.field("Password").fill(credentials.password);
    await this.field("Confirm password").fill(credentials.confirmPassword ?? credentials.password);
    await this.page.getByRole("button", { name: "Create account" }).click();
  }

  /**
   * Signs up a new user through the form, opens the link from the mail that
   * arrives, as its owner would, and waits for their todo list.
   */
  async signUp(credentials: Credentials = newCredentials()): Promise<Credentials> {
    const subject = "Confirm your email address";
    const seen = await countMail(this.page.request, credentials.email, subject);
    await this.goto("/signup");
    await this.submitSignup(credentials);
    await expect(this.page).toHaveURL(appUrl("/verify-email"));
    await expect(this.page.getByRole("heading", { name: "Check your inbox" })).toBeVisible();
    const mail = await waitForMail(this.page.request, credentials.email, subject, seen);
    await this.confirmSignUp(linkIn(mail, appUrl("/verify-email?token=")));
    await expect(this.page).toHaveURL(appUrl("/todos"));
    await expect(this.page.getByRole("status")).toContainText("Your email address is confirmed");
    await expect(this.accountNav).toContainText(credentials.name);
    await this.hydrated();
    return credentials;
  }

  /**
   * Opens a sign-up's confirmation link: the address bar shows the bare page
   * (the token went into its cookie), whose button confirms and signs in.
   */
  async confirmSignUp(link: string) {
    await this.goto(link);
    await expect(this.page).toHaveURL(appUrl("/verify-email"));
    await expect(this.page.getByRole("heading", { name: "Confirm your email address" })).toBeVisible();
    await this.page.getByRole("button", { name: "Confirm and sign in" }).click();
  }

  /** Signs a new user up in this tab without rendering the form (see `postSignup`), and opens their list. */
  async signUpByPost(credentials: Credentials = newCredentials()): Promise<Credentials> {
    await postSignup(this.page.request, credentials);
    await this.goto("/todos");
    await expect(this.accountNav).toContainText(credentials.name);
    return credentials;
  }

  /** Fills in the sign-in form on the current page and submits it. */
  async submitLogin(email: string, password: string): Promise<void> {
    await this.field("Email").fill(email);
    await this.field("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  async signOut(): Promise<void> {
    await (await this.openAccountMenu()).getByRole("button", { name: "Sign out" }).click();
    await expect(this.page).toHaveURL(appUrl("/"));
    await expect(this.accountNav.getByRole("link", { name: "Sign in" })).toBeVisible();
    await this.hydrated();
  }
}
