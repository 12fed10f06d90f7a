/**
 * Where the app under test listens. The browser must use exactly this origin:
 * the server refuses any POST whose `Origin` is not `APP_URL`.
 */
export const PORT = Number(process.env.E2E_PORT ?? 3111);
export const APP_URL = `http://127.0.0.1:${PORT}`;

/** The test mailbox: a real SMTP server the app sends to, and a small JSON API the tests read it through. */
export const SMTP_PORT = PORT + 1;
export const MAILBOX_PORT = PORT + 2;
export const MAILBOX_URL = `http://127.0.0.1:${MAILBOX_PORT}`;

/** The tests' OpenID Connect provider (support/oidc-server.ts), and what the app is told about it. */
export const OIDC_PORT = PORT + 3;
export const OIDC_URL = `http://127.0.0.1:${OIDC_PORT}`;
export const OIDC_NAME = "Test IdP";
export const OIDC_CLIENT = { clientId: "todo-e2e", clientSecret: "todo-e2e-secret-for-tests-only" };

/**
 * A second instance of the app with a re-authentication window of a few seconds
 * (REAUTH_MAX_AGE), for reauthentication.spec.ts: its database lives in the
 * server's memory, so a session leaves the window only by time passing.
 */
export const REAUTH_MAX_AGE_SECONDS = 5;
export const REAUTH_PORT = PORT + 4;
export const REAUTH_APP_URL = `http://127.0.0.1:${REAUTH_PORT}`;

/**
 * A third instance on `localhost`, for passkeys.*.spec.ts: WebAuthn refuses an IP address as the
 * relying party id, so passkeys are off on the instances above. It listens on 127.0.0.1 too
 * (Chromium falls back to it from ::1).
 */
export const PASSKEY_PORT = PORT + 5;
export const PASSKEY_APP_URL = `http://localhost:${PASSKEY_PORT}`;
