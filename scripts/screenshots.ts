/**
 * `npm run screenshots`: full-page pictures of every page, on a phone (390×844) and a desktop
 * (1280×800), in the light and the dark scheme, written to screenshots/ (git-ignored) to look at
 * the app as people see it. It runs the production build (`npm run build` first; it builds once
 * itself if build/ is missing) on a port of its own, with a throw-away in-memory database and a
 * mailbox of its own for the sign-up's confirmation mail.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { chromium, type Browser, type Page } from "@playwright/test";
import { HttpClient } from "../harness/client";
import { freePort, startServerProcess, waitForOk } from "../harness/process";
import { mailedConfirmationLink, signUpAndConfirm } from "../harness/sign-up";
import { startSmtpCatcher } from "../harness/smtp";
import { SETTINGS_PAGES } from "../app/ui/settings-pages";

const OUT = "screenshots";

const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;
const SCHEMES = ["light", "dark"] as const;

/** Each picture: its file name, the path, and what to do on the page before taking it. */
interface Shot {
  name: string;
  path: string;
  prepare?: (page: Page) => Promise<void>;
}

const SIGNED_OUT: Shot[] = [
  { name: "front", path: "/" },
  { name: "login", path: "/login" },
  { name: "signup", path: "/signup" },
  { name: "forgot-password", path: "/forgot-password" },
  { name: "verify-email", path: "/verify-email" },
  { name: "reset-password-bad-token", path: "/reset-password?token=not-a-real-token" },
  { name: "not-found", path: "/no/such/page" },
];

const SIGNED_IN: Shot[] = [
  { name: "todos", path: "/todos" },
  {
    name: "todos-account-menu",
    path: "/todos",
    prepare: async (page) => {
      await page.getByRole("navigation", { name: "Account" }).locator("summary").click();
    },
  },
  { name: "todos-active", path: "/todos?filter=active" },
  ...SETTINGS_PAGES.map(({ to }) => ({ name: to.slice(1).replace("/", "-"), path: to })),
  { name: "reauthenticate", path: "/reauthenticate?redirectTo=/settings/account" },
  { name: "not-found-signed-in", path: "/todos/no-such-todo" },
];

const TODOS = ["Buy milk and bread", "Call Grandma on Sunday", "Book the dentist", "Send the birthday card"];
const DONE = ["Book the dentist"];

if (!existsSync("build/server.js")) {
  console.log("No build/ yet: running `npm run build` once (run it again yourself after changing the app).");
  const build = spawnSync("npm", ["run", "build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const smtp = await startSmtpCatcher();
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const server = startServerProcess({
  NODE_ENV: "production",
  APP_URL: origin,
  PORT: String(port),
  HOST: "127.0.0.1",
  BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
  PGLITE_DIR: "memory://",
  DATABASE_URL: "",
  SMTP_URL: smtp.url,
  LOG_LEVEL: "warn",
});
let browser: Browser | undefined;

try {
  await waitForOk(`${origin}/healthz`);
  const client = new HttpClient({ origin });
  const account = {
    name: "Ada Lovelace",
    email: `ada-${randomBytes(4).toString("hex")}@example.com`,
    password: `correct horse ${randomBytes(6).toString("hex")} staple`,
  };
  await signUpAndConfirm(client, account, mailedConfirmationLink(smtp, origin));
  for (const title of TODOS) await client.post("/todos", { intent: "create", title });
  const sessionCookies = [...client.cookies].map(([name, value]) => ({ name, value, url: origin }));

  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });
  const written: string[] = [];
  let todosDone = false;
  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    for (const colorScheme of SCHEMES) {
      for (const signedIn of [false, true]) {
        const context = await browser.newContext({ viewport, colorScheme, baseURL: origin });
        if (signedIn) await context.addCookies(sessionCookies);
        const page = await context.newPage();
        if (signedIn && !todosDone) {
          await page.goto("/todos");
          for (const title of DONE)
            await page.getByRole("button", { name: `Mark as complete: ${title}` }).click();
          await page.waitForLoadState("networkidle");
          todosDone = true;
        }
        for (const shot of signedIn ? SIGNED_IN : SIGNED_OUT) {
          await page.goto(shot.path);
          await page.waitForLoadState("networkidle");
          await shot.prepare?.(page);
          const file = `${OUT}/${shot.name}-${device}-${colorScheme}.png`;
          await page.screenshot({ path: file, fullPage: true });
          written.push(file);
        }
        await context.close();
      }
    }
  }
  console.log(written.join("\n"));
  console.log(`${written.length} screenshots in ${OUT}/`);
} finally {
  await browser?.close();
  server.child.kill("SIGTERM");
  await server.exited();
  await smtp.stop();
}
