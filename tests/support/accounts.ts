import { and, desc, eq } from "drizzle-orm";
import { expect } from "vitest";
import * as signup from "../../app/routes/signup";
import * as verifyEmail from "../../app/routes/verify-email";
import type { Services } from "../../app/services.server";
import { mailOutbox } from "../../db/schema";
import { STRONG_PASSWORD, TestClient, uniqueEmail } from "./client";
import { TEST_APP_URL } from "./databases";
import { linkIn } from "../../harness/smtp";

/** The newest mail of a kind written for an address (what the worker will send). */
export async function latestMail(services: Services, to: string, kind: string) {
  const [mail] = await services.database.db
    .select()
    .from(mailOutbox)
    .where(and(eq(mailOutbox.to, to.trim().toLowerCase()), eq(mailOutbox.kind, kind)))
    .orderBy(desc(mailOutbox.createdAt))
    .limit(1);
  if (!mail) throw new Error(`no ${kind} mail to ${to}`);
  return mail;
}

/** A path on the app from an absolute link in a mail. */
export const pathOf = (link: string) => {
  const url = new URL(link);
  expect(url.origin).toBe(TEST_APP_URL);
  return `${url.pathname}${url.search}`;
};

/**
 * A new account, signed up through the form and confirmed through the link in
 * its mail: the client ends up signed in, as a person would.
 */
export async function signUpVerified(
  services: Services,
  {
    email = uniqueEmail(),
    name = "Ada Lovelace",
    password = STRONG_PASSWORD,
    client = new TestClient(services),
  } = {},
) {
  const result = await client.post(signup.action, "/signup", {
    name,
    email,
    password,
    confirmPassword: password,
  });
  expect(result.status).toBe(302);
  expect(result.location).toBe("/verify-email");
  const mail = await latestMail(services, email, "verify-email");
  const verified = await confirmLink(client, pathOf(linkIn(mail, `${TEST_APP_URL}/verify-email?token=`)));
  expect(verified.status).toBe(302);
  expect(verified.location).toBe("/todos");
  return { client, email, password };
}

type Loader = Parameters<TestClient["get"]>[0];

/**
 * Opens a mail link as a browser does: the first request moves the token into
 * a cookie of the page and redirects to the bare path, which is then shown.
 */
export async function openLink<T = unknown>(client: TestClient, loader: Loader, link: string) {
  const moved = await client.get(loader, link);
  expect(moved.status, `opening ${link}`).toBe(302);
  const bare = moved.location ?? "";
  expect(bare).not.toContain("token=");
  return client.get<T>(loader, bare);
}

/** Opens a sign-up's confirmation link and presses its button. */
export async function confirmLink(client: TestClient, link: string) {
  await openLink(client, verifyEmail.loader, link);
  return client.post(verifyEmail.action, "/verify-email", { intent: "confirm" });
}

/** Opens a mail link and submits its page's form, as the person who received it would. */
export async function pressOnLinkPage<T = unknown>(
  client: TestClient,
  route: { loader: Loader; action: Parameters<TestClient["post"]>[0] },
  link: string,
  fields: Record<string, string>,
) {
  await openLink(client, route.loader, link);
  return client.post<T>(route.action, new URL(link, TEST_APP_URL).pathname, fields);
}

/**
 * Opens a sign-up's confirmation link in another browser than the one that signed up: the page
 * asks for the password chosen at sign-up, which confirms.
 */
export async function confirmLinkElsewhere(client: TestClient, link: string, password: string) {
  await openLink(client, verifyEmail.loader, link);
  const asked = await client.post<{ state: string }>(verifyEmail.action, "/verify-email", {
    intent: "confirm",
  });
  expect(asked.data.state).toBe("prove");
  return client.post(verifyEmail.action, "/verify-email", { intent: "confirm-with-password", password });
}
