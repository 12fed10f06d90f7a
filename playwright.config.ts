import { randomBytes } from "node:crypto";
import { defineConfig } from "@playwright/test";
import { startScript } from "./harness/process";
import {
  APP_URL,
  MAILBOX_URL,
  OIDC_CLIENT,
  OIDC_NAME,
  OIDC_URL,
  PASSKEY_APP_URL,
  PASSKEY_PORT,
  PORT,
  REAUTH_APP_URL,
  REAUTH_MAX_AGE_SECONDS,
  REAUTH_PORT,
  SMTP_PORT,
} from "./tests/e2e/support/env";

/** The app as `npm start` runs it, on a fresh in-memory database, sending mail to the test mailbox. */
const appServer = (appUrl: string, port: number, env: Record<string, string> = {}) => ({
  command: ["node", ...startScript().nodeOptions, "build/server.js"].join(" "),
  // Where it listens (127.0.0.1), whatever host APP_URL names.
  url: `http://127.0.0.1:${port}/healthz`,
  reuseExistingServer: false,
  timeout: 60_000,
  stdout: "ignore" as const,
  stderr: "pipe" as const,
  env: {
    ...startScript().env,
    NODE_ENV: "production",
    APP_URL: appUrl,
    PORT: String(port),
    HOST: "127.0.0.1",
    BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
    // A fresh, throw-away database for every run, whatever the shell has set.
    PGLITE_DIR: "memory://",
    DATABASE_URL: "",
    SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`,
    // Each test sends an X-Forwarded-For of its own (see support/test.ts).
    TRUST_PROXY: "loopback",
    LOG_LEVEL: "warn",
    ...env,
  },
});

/**
 * Browser tests against the production build (`npm run build` must have run:
 * `npm test` does it first). Every spec runs with JavaScript on and off, except
 * `*.js-only.spec.ts`, which checks what only the enhanced page does.
 */
export default defineConfig({
  testDir: "./tests/e2e",
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  workers: 2,
  reporter: "list",
  timeout: 30_000,
  expect: { timeout: 5_000 },
  use: {
    baseURL: APP_URL,
    browserName: "chromium",
    launchOptions: {
      // Debian's Chromium: never `npx playwright install`.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
    trace: "off",
  },
  projects: [
    { name: "js-on", use: { javaScriptEnabled: true } },
    { name: "js-off", use: { javaScriptEnabled: false }, testIgnore: /\.js-only\.spec\.ts$/ },
  ],
  webServer: [
    {
      command: "node --import tsx tests/e2e/support/mail-catcher.ts",
      url: `${MAILBOX_URL}/healthz`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      // A real OpenID Connect provider on loopback (see tests/support/oidc-provider.ts).
      command: "node --import tsx tests/e2e/support/oidc-server.ts",
      url: `${OIDC_URL}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    // As `npm start` runs it.
    appServer(APP_URL, PORT, {
      OIDC_ISSUER: OIDC_URL,
      OIDC_CLIENT_ID: OIDC_CLIENT.clientId,
      OIDC_CLIENT_SECRET: OIDC_CLIENT.clientSecret,
      OIDC_NAME,
    }),
    // The same with a window of a few seconds, for reauthentication.spec.ts (see env.ts).
    appServer(REAUTH_APP_URL, REAUTH_PORT, { REAUTH_MAX_AGE: String(REAUTH_MAX_AGE_SECONDS) }),
    // The same on localhost, where WebAuthn works, for passkeys.*.spec.ts (see env.ts).
    appServer(PASSKEY_APP_URL, PASSKEY_PORT),
  ],
});
