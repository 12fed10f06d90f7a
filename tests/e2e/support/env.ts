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
