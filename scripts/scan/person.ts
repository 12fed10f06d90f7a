/**
 * A person with a browser (no JavaScript, harness/client.ts): the scan's test
 * users sign up, sign in and keep their todo lists through the app's own forms.
 */
import { SESSION_COOKIE } from "../../app/auth/session-cookie";
import { expectStatus, HttpClient } from "../../harness/client";
import { mailedConfirmationLink, signUpAndConfirm } from "../../harness/sign-up";
import type { SmtpCatcher } from "../../harness/smtp";
import { APP_URL, HELPER_HEADER } from "./config";

/** A browser of the script's own at `address` (each user its own rate-limit buckets), past the proxy's counts. */
const browserAt = (address: string) =>
  new HttpClient({ origin: APP_URL, address, userAgent: "todo-scan", headers: { [HELPER_HEADER]: "1" } });

export class Person {
  private readonly browser: HttpClient;

  constructor(
    readonly name: string,
    readonly email: string,
    readonly password: string,
    address: string,
  ) {
    this.browser = browserAt(address);
  }

  /** The session cookie's value, as sqlmap and wapiti are given it. */
  get sessionToken(): string {
    const token = this.browser.cookies.get(SESSION_COOKIE);
    if (token === undefined) throw new Error(`${this.email} has no session cookie`);
    return token;
  }

  signUp(catcher: SmtpCatcher) {
    const { name, email, password } = this;
    return signUpAndConfirm(
      this.browser,
      { name, email, password },
      mailedConfirmationLink(catcher, APP_URL),
    );
  }

  /** A sign-in from another address, in a browser of its own: the account then knows that address. */
  async signInFrom(address: string): Promise<void> {
    const form = { email: this.email, password: this.password, redirectTo: "/todos" };
    await expectStatus(
      await browserAt(address).post("/login", form),
      [302, 303],
      `signing ${this.email} in from ${address}`,
    );
  }

  async isSignedIn(): Promise<boolean> {
    return (await this.browser.get("/todos")).status === 200;
  }

  async createTodo(title: string) {
    // Success is a redirect back to the list; a lost session would redirect to /login.
    const answer = await this.browser.post("/todos", { intent: "create", title });
    if (answer.headers.get("location")?.startsWith("/login"))
      throw new Error(`${this.email} is not signed in`);
    await expectStatus(answer, [302, 303], "creating a todo");
  }

  async deleteTodo(id: string) {
    await this.browser.post("/todos", { intent: "delete", id });
  }

  async todoIds(): Promise<string[]> {
    const page = await (await this.browser.get("/todos")).text();
    const ids = page.matchAll(/value="([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/g);
    return [...new Set([...ids].map((match) => match[1] ?? ""))].filter(Boolean);
  }
}
