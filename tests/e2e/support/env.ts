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
