import type { CDPSession, Page } from "@playwright/test";
import { newCredentials, openAccountMenu, postSignup, type Credentials } from "./support/app";
import { PASSKEY_APP_URL } from "./support/env";
import { waitForMail } from "./support/mailbox";
import { expect, test } from "./support/test";

/**
 * Passkeys in Chromium with a virtual authenticator (the DevTools protocol's WebAuthn domain), on
 * the instance at `localhost`: WebAuthn refuses an IP address as the relying party id.
 */
test.use({ baseURL: PASSKEY_APP_URL });

const at = (path: string) => `${PASSKEY_APP_URL}${path}`;

type AuthenticatorOptions = {
  automaticPresenceSimulation?: boolean;
  defaultBackupEligibility?: boolean;
  defaultBackupState?: boolean;
};

/** A platform authenticator with user verification, in this tab (it survives navigation). */
async function addAuthenticator(page: Page, options: AuthenticatorOptions = {}) {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      ctap2Version: "ctap2_1",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
      ...options,
    },
  });
  return {
    cdp,
    authenticatorId,
    credentials: async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials,
    presence: (enabled: boolean) =>
      cdp.send("WebAuthn.setAutomaticPresenceSimulation", { authenticatorId, enabled }),
  };
}

/** Loads a page and waits for React to own it. */
async function open(page: Page, path: string) {
  await page.goto(path);
  await page.waitForFunction(() => Object.keys(document.body).some((key) => key.startsWith("__reactFiber$")));
}

/** A confirmed account on the passkey instance, signed in in this tab. */
const signedUp = (page: Page, firstName: string) =>
  postSignup(page.request, newCredentials(firstName), PASSKEY_APP_URL);

async function addPasskey(page: Page, name: string) {
  await open(page, "/settings/passkeys");
  await page.getByLabel("Name of the new passkey").fill(name);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("status").filter({ hasText: `The passkey “${name}” was added` })).toBeVisible();
  await expect(page.getByRole("list", { name: "Your passkeys" })).toContainText(name);
}

async function signOut(page: Page) {
  await (await openAccountMenu(page)).getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(at("/"));
}

/** Whether this tab is signed in, as the todo page sees it. */
async function isSignedIn(page: Page) {
  const answer = await page.request.get(at("/todos"), { maxRedirects: 0 });
  return answer.status() === 200;
}

test("a passkey is added, then signs in with the button and with autofill, with no second step", async ({
  page,
}) => {
  const user = await signedUp(page, "Passkey");
  const authenticator = await addAuthenticator(page);
  await addPasskey(page, "My laptop");
  const list = page.getByRole("list", { name: "Your passkeys" });
  await expect(list).toContainText("Only on this device or security key");
  await expect(list).toContainText("Last used never");
  expect(await authenticator.credentials()).toHaveLength(1);
  await waitForMail(page.request, user.email, "A passkey was added to your account");
  await open(page, "/settings/security");
  await expect(page.getByRole("main")).toContainText("Passkey added");

  // The same authenticator again: the browser and the server refuse it.
  await open(page, "/settings/passkeys");
  await page.getByLabel("Name of the new passkey").fill("Again");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "already on your account" })).toBeVisible();

  // The button: autofill waits (no presence yet), the button's own request takes over.
  await signOut(page);
  await authenticator.presence(false);
  const autofillOptions = page.waitForResponse("**/api/auth/passkey/sign-in-options");
  await open(page, "/login?redirectTo=%2Fsettings%2Fsecurity");
  await autofillOptions;
  // The autofill request starts right after its options: presence must come after it, or it signs in by itself.
  await page.waitForTimeout(500);
  await expect(page.getByLabel("Email", { exact: true })).toHaveAttribute(
    "autocomplete",
    "username webauthn",
  );
  await authenticator.presence(true);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(at("/settings/security"));
  await expect(page.getByRole("main")).toContainText("Signed in with a passkey");
  await open(page, "/settings/sessions");
  await expect(page.getByRole("main")).toContainText("Passkey");

  // Autofill: the browser offers the passkey in the email field; nothing typed.
  await signOut(page);
  await open(page, "/login");
  await expect(page).toHaveURL(at("/todos"));
  await expect(page.getByRole("navigation", { name: "Account" })).toContainText(user.name);
  await open(page, "/settings/passkeys");
  await expect(page.getByRole("list", { name: "Your passkeys" })).not.toContainText("Last used never");
});

test("with two-step sign-in on, a passkey sign-in asks for no code", async ({ page }) => {
  const user = await signedUp(page, "PasskeyTotp");
  await addAuthenticator(page);
  await addPasskey(page, "Phone");
  await open(page, "/settings/two-factor");
  const secret = ((await page.locator("code.secret").textContent()) ?? "").replace(/\s/g, "");
  const { currentTotp } = await import("../../app/two-factor/totp.server");
  await page.getByLabel("Code", { exact: true }).fill(currentTotp(secret));
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  await expect(page.getByRole("heading", { name: "Save your recovery codes" })).toBeVisible();
  await open(page, "/todos");
  await signOut(page);
  await open(page, "/login");
  await expect(page).toHaveURL(at("/todos"));
  await expect(page.getByRole("navigation", { name: "Account" })).toContainText(user.name);
});

test("a passkey is renamed and removed, with a notice, and a removed one signs nobody in", async ({
  page,
}) => {
  const user = await signedUp(page, "PasskeyEdit");
  await addAuthenticator(page);
  await addPasskey(page, "Old name");
  await page.getByLabel("New name for Old name").fill("New name");
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "The passkey is now named “New name”" }),
  ).toBeVisible();
  const list = page.getByRole("list", { name: "Your passkeys" });
  await expect(list).toContainText("New name");

  // A name of control characters or nothing is refused beside the field.
  await page.getByLabel("New name for New name").fill("   ");
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Name the passkey" })).toBeVisible();

  await open(page, "/settings/passkeys");
  await page.getByRole("button", { name: "Remove New name" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The passkey was removed" })).toBeVisible();
  await expect(page.getByText("You have no passkey yet.")).toBeVisible();
  await waitForMail(page.request, user.email, "A passkey was removed from your account");
  await open(page, "/settings/security");
  await expect(page.getByRole("main")).toContainText("Passkey removed");
  // The authenticator still holds it, but the site no longer knows it.
  await signOut(page);
  // The autofill offer uses it at once (presence is on): its answer is refused, silently.
  const refused = page.waitForResponse("**/api/auth/passkey/sign-in");
  await open(page, "/login");
  expect((await refused).status()).toBe(401);
  await expect(page).toHaveURL(at("/login"));
  expect(await isSignedIn(page)).toBe(false);
});

test("another account's key, claiming this account's user handle, signs nobody in", async ({
  page,
  browser,
}) => {
  // The victim's passkey is in a tab of their own.
  const victimContext = await browser.newContext({ baseURL: PASSKEY_APP_URL });
  const victimPage = await victimContext.newPage();
  await signedUp(victimPage, "Victim");
  const victimKey = await addAuthenticator(victimPage);
  await addPasskey(victimPage, "Victim's key");
  const [victimCredential] = await victimKey.credentials();
  await victimContext.close();

  // The attacker registers a passkey of their own, then relabels it with the victim's user handle.
  await signedUp(page, "Attacker");
  const authenticator = await addAuthenticator(page);
  await addPasskey(page, "Attacker's key");
  const [own] = await authenticator.credentials();
  if (!own || !victimCredential?.userHandle) throw new Error("no credentials");
  await authenticator.cdp.send("WebAuthn.clearCredentials", {
    authenticatorId: authenticator.authenticatorId,
  });
  await authenticator.cdp.send("WebAuthn.addCredential", {
    authenticatorId: authenticator.authenticatorId,
    credential: { ...own, userHandle: victimCredential.userHandle },
  });
  await signOut(page);
  await open(page, "/login");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "did not sign you in" })).toBeVisible();
  expect(await isSignedIn(page)).toBe(false);

  // Positive control: the attacker's own key, as it was, signs the attacker in.
  await authenticator.cdp.send("WebAuthn.clearCredentials", {
    authenticatorId: authenticator.authenticatorId,
  });
  await authenticator.cdp.send("WebAuthn.addCredential", {
    authenticatorId: authenticator.authenticatorId,
    credential: own,
  });
  await open(page, "/login");
  await expect(page).toHaveURL(at("/todos"));
});

test("an answer is accepted once, only from the browser that asked, and never with a lowered counter", async ({
  page,
  browser,
}) => {
  await signedUp(page, "PasskeyReplay");
  const authenticator = await addAuthenticator(page, { automaticPresenceSimulation: false });
  await authenticator.presence(true);
  await addPasskey(page, "Key");
  await signOut(page);

  // Record the answer the browser posts, and let it through once.
  let recorded: unknown;
  await page.route("**/api/auth/passkey/sign-in", async (route) => {
    recorded = route.request().postDataJSON();
    await route.continue();
  });
  await open(page, "/login");
  await expect(page).toHaveURL(at("/todos"));
  await page.unroute("**/api/auth/passkey/sign-in");
  expect(recorded).toBeDefined();
  await signOut(page);
  const headers = { Origin: PASSKEY_APP_URL };

  // Replayed: its challenge is spent, whether or not the browser asks for a new one first.
  const again = await page.request.post(at("/api/auth/passkey/sign-in"), { data: recorded, headers });
  expect(again.status()).toBe(400);
  expect((await again.json()).code).toBe("PASSKEY_CHALLENGE_EXPIRED");
  await page.request.post(at("/api/auth/passkey/sign-in-options"), { data: {}, headers });
  const replayed = await page.request.post(at("/api/auth/passkey/sign-in"), { data: recorded, headers });
  expect(replayed.status()).toBe(401);
  expect(await isSignedIn(page)).toBe(false);

  // Options asked for in this browser, answered from another: the other has no challenge.
  const other = await browser.newContext({ baseURL: PASSKEY_APP_URL });
  const optionsHere = await page.request.post(at("/api/auth/passkey/sign-in-options"), { data: {}, headers });
  expect(optionsHere.status()).toBe(200);
  const elsewhere = await other.request.post(at("/api/auth/passkey/sign-in"), { data: recorded, headers });
  expect(elsewhere.status()).toBe(400);
  expect(elsewhere.headers()["set-cookie"] ?? "").not.toContain("session_token=");
  await other.close();

  // A clone whose counter went back (as a copied key's would) is refused.
  const [credential] = await authenticator.credentials();
  if (!credential) throw new Error("no credential");
  await authenticator.cdp.send("WebAuthn.clearCredentials", {
    authenticatorId: authenticator.authenticatorId,
  });
  await authenticator.cdp.send("WebAuthn.addCredential", {
    authenticatorId: authenticator.authenticatorId,
    credential: { ...credential, signCount: 0 },
  });
  // The autofill offer uses it at once (presence is on): one use only, since each use raises the clone's count.
  const refused = page.waitForResponse("**/api/auth/passkey/sign-in");
  await open(page, "/login");
  expect((await refused).status()).toBe(401);
  await expect(page).toHaveURL(at("/login"));
  expect(await isSignedIn(page)).toBe(false);
});

test("without JavaScript the pages say passkeys need it, and renaming and removing still work", async ({
  page,
  browser,
}) => {
  const user: Credentials = await signedUp(page, "PasskeyNoJs");
  await addAuthenticator(page);
  await addPasskey(page, "Seeded");

  const plain = await browser.newContext({ baseURL: PASSKEY_APP_URL, javaScriptEnabled: false });
  const noJs = await plain.newPage();
  await noJs.goto("/login");
  await expect(noJs.getByText("Signing in with a passkey needs JavaScript.")).toBeVisible();
  await expect(noJs.getByRole("button", { name: "Sign in with a passkey" })).toBeDisabled();
  await noJs.getByLabel("Email", { exact: true }).fill(user.email);
  await noJs.getByLabel("Password", { exact: true }).fill(user.password);
  await noJs.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(noJs).toHaveURL(at("/todos"));
  await noJs.goto("/settings/passkeys");
  await expect(noJs.getByText("Adding a passkey needs JavaScript.")).toBeVisible();
  await noJs.getByLabel("New name for Seeded").fill("Renamed");
  await noJs.getByRole("button", { name: "Rename" }).click();
  await expect(noJs.getByRole("list", { name: "Your passkeys" })).toContainText("Renamed");
  await noJs.getByRole("button", { name: "Remove Renamed" }).click();
  await expect(noJs.getByText("You have no passkey yet.")).toBeVisible();
  await plain.close();
});

test("a passkey sign-in ends the session the browser had", async ({ page, browser }) => {
  await signedUp(page, "PasskeyPrevious");
  const authenticator = await addAuthenticator(page);
  await addPasskey(page, "Key");
  const previous = (await page.context().cookies()).find((cookie) => cookie.name.endsWith("session_token"));
  if (!previous) throw new Error("no session cookie");

  // The sign-in page, then the old session's cookie back in the browser as the passkey signs in.
  await page.context().clearCookies();
  await authenticator.presence(false);
  const autofillOptions = page.waitForResponse("**/api/auth/passkey/sign-in-options");
  await open(page, "/login");
  await autofillOptions;
  await page.waitForTimeout(500);
  await page.context().addCookies([previous]);
  await authenticator.presence(true);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(at("/todos"));
  const current = (await page.context().cookies()).find((cookie) => cookie.name.endsWith("session_token"));
  expect(current?.value).not.toBe(previous.value);

  // The old cookie opens nothing now; the new one does.
  const stale = await browser.newContext({ baseURL: PASSKEY_APP_URL });
  await stale.addCookies([previous]);
  const answer = await stale.request.get(at("/todos"), { maxRedirects: 0 });
  expect(answer.status()).toBe(302);
  await stale.close();
  expect(await isSignedIn(page)).toBe(true);
});

test("a passkey confirms it is you at /reauthenticate, and only the account's own", async ({
  page,
  browser,
}) => {
  await signedUp(page, "PasskeySudo");
  const authenticator = await addAuthenticator(page);
  await addPasskey(page, "Own key");
  await open(page, "/reauthenticate?redirectTo=%2Fsettings%2Fpasskeys");
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expect(page).toHaveURL(at("/settings/passkeys"));
  await open(page, "/settings/security");
  await expect(page.getByRole("main")).toContainText("Passkey confirmed for a sensitive change");

  // Another account's key in this authenticator, instead of the account's own: nothing confirmed.
  const otherContext = await browser.newContext({ baseURL: PASSKEY_APP_URL });
  const otherPage = await otherContext.newPage();
  await signedUp(otherPage, "PasskeySudoOther");
  const otherKey = await addAuthenticator(otherPage);
  await addPasskey(otherPage, "Other key");
  const [foreign] = await otherKey.credentials();
  await otherContext.close();
  if (!foreign) throw new Error("no credential");
  await authenticator.cdp.send("WebAuthn.clearCredentials", {
    authenticatorId: authenticator.authenticatorId,
  });
  await authenticator.cdp.send("WebAuthn.addCredential", {
    authenticatorId: authenticator.authenticatorId,
    credential: foreign,
  });
  await open(page, "/reauthenticate?redirectTo=%2Fsettings%2Fpasskeys");
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "No passkey was used" })).toBeVisible();
  await expect(page).toHaveURL(/\/reauthenticate/);
});

test("backup flags: a synced passkey says so, its backup state is refreshed, and a changed eligibility is refused", async ({
  page,
}) => {
  await signedUp(page, "PasskeySynced");
  const authenticator = await addAuthenticator(page, {
    defaultBackupEligibility: true,
    defaultBackupState: true,
  });
  await addPasskey(page, "Synced key");
  const list = page.getByRole("list", { name: "Your passkeys" });
  await expect(list).toContainText("Synced passkey");
  const [credential] = await authenticator.credentials();
  if (!credential) throw new Error("no credential");
  const { authenticatorId } = authenticator;

  // No longer backed up: the next sign-in records it.
  await authenticator.cdp.send("WebAuthn.setCredentialProperties", {
    authenticatorId,
    credentialId: credential.credentialId,
    backupState: false,
  });
  await signOut(page);
  await open(page, "/login");
  await expect(page).toHaveURL(at("/todos"));
  await open(page, "/settings/passkeys");
  await expect(list).toContainText("Only on this device or security key");

  // Eligibility never changes for one credential: an answer that says it did is refused.
  await authenticator.cdp.send("WebAuthn.setCredentialProperties", {
    authenticatorId,
    credentialId: credential.credentialId,
    backupEligibility: false,
  });
  await signOut(page);
  const refused = page.waitForResponse("**/api/auth/passkey/sign-in");
  await open(page, "/login");
  expect((await refused).status()).toBe(401);
  expect(await isSignedIn(page)).toBe(false);
});
