import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../app/config.server";

const SECRET = "s".repeat(32);

describe("loadConfig", () => {
  const cwd = process.cwd();
  afterEach(() => process.chdir(cwd));

  it("needs APP_URL and BETTER_AUTH_SECRET in production, naming the missing one", () => {
    expect(() => loadConfig({ NODE_ENV: "production", BETTER_AUTH_SECRET: SECRET })).toThrow(/^APP_URL/);
    expect(() => loadConfig({ NODE_ENV: "production", APP_URL: "https://todo.example.com" })).toThrow(
      /^BETTER_AUTH_SECRET/,
    );
    const config = loadConfig({
      NODE_ENV: "production",
      APP_URL: "https://todo.example.com",
      BETTER_AUTH_SECRET: SECRET,
    });
    expect(config.appUrl.origin).toBe("https://todo.example.com");
    expect(config.isProduction).toBe(true);
  });

  it("takes the loopback names of a loopback APP_URL as one site in development, and only there", () => {
    const secret = { BETTER_AUTH_SECRET: SECRET };
    const origins = (env: Record<string, string>) => loadConfig({ ...secret, ...env }).appOrigins;
    expect(origins({ NODE_ENV: "development", APP_URL: "http://localhost:3000" })).toEqual([
      "http://localhost:3000",
      "http://127.0.0.1:3000",
      "http://[::1]:3000",
    ]);
    expect(origins({ NODE_ENV: "development", APP_URL: "http://127.0.0.1:4000" })).toEqual([
      "http://127.0.0.1:4000",
      "http://localhost:4000",
      "http://[::1]:4000",
    ]);
    expect(origins({ NODE_ENV: "development", APP_URL: "https://todo.example.com" })).toEqual([
      "https://todo.example.com",
    ]);
    expect(origins({ NODE_ENV: "production", APP_URL: "http://localhost:3000" })).toEqual([
      "http://localhost:3000",
    ]);
    expect(origins({ NODE_ENV: "test", APP_URL: "http://localhost:3000" })).toEqual([
      "http://localhost:3000",
    ]);
  });

  it("refuses invalid values with the variable's name", () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ APP_URL: "todo.example.com" }, /^APP_URL/],
      [{ APP_URL: "https://todo.example.com/app" }, /^APP_URL .*origin/],
      [{ BETTER_AUTH_SECRET: "short" }, /^BETTER_AUTH_SECRET .*32/],
      [{ PORT: "http" }, /^PORT/],
      [{ DATABASE_URL: "mysql://x" }, /^DATABASE_URL/],
      [{ LOG_LEVEL: "loud" }, /^LOG_LEVEL/],
      [{ REAUTH_MAX_AGE: "ten minutes" }, /^REAUTH_MAX_AGE .*seconds/],
      [{ REAUTH_MAX_AGE: "0" }, /^REAUTH_MAX_AGE .*greater than 0/],
      [{ REAUTH_MAX_AGE: "-600" }, /^REAUTH_MAX_AGE/],
      [{ REAUTH_MAX_AGE: "1.5" }, /^REAUTH_MAX_AGE/],
    ];
    for (const [env, message] of cases) {
      expect(() => loadConfig({ BETTER_AUTH_SECRET: SECRET, ...env })).toThrow(ConfigError);
      expect(() => loadConfig({ BETTER_AUTH_SECRET: SECRET, ...env })).toThrow(message);
    }
  });

  it("defaults to the embedded database, port 3000 and an APP_URL on localhost", () => {
    const config = loadConfig({ BETTER_AUTH_SECRET: SECRET });
    expect(config.port).toBe(3000);
    expect(config.host).toBe("0.0.0.0");
    expect(config.appUrl.origin).toBe("http://localhost:3000");
    expect(config.database).toEqual({ kind: "pglite", dir: path.resolve(".data/pglite") });
    expect(config.trustProxy).toBe(false);
    expect(config.reauthMaxAgeSeconds).toBe(600);
    expect(loadConfig({ BETTER_AUTH_SECRET: SECRET, REAUTH_MAX_AGE: "90" }).reauthMaxAgeSeconds).toBe(90);
    expect(loadConfig({ BETTER_AUTH_SECRET: SECRET, PORT: "4000" }).appUrl.origin).toBe(
      "http://localhost:4000",
    );
    expect(loadConfig({ BETTER_AUTH_SECRET: SECRET, DATABASE_URL: "postgres://u@h/db" }).database.kind).toBe(
      "postgres",
    );
  });

  it("reads TRUST_PROXY as Express does", () => {
    const trust = (value: string) =>
      loadConfig({ BETTER_AUTH_SECRET: SECRET, TRUST_PROXY: value }).trustProxy;
    expect(trust("true")).toBe(true);
    expect(trust("false")).toBe(false);
    expect(trust("2")).toBe(2);
    expect(trust("loopback, 10.0.0.0/8")).toEqual(["loopback", "10.0.0.0/8"]);
  });

  it("outside production, generates a secret once and keeps it in the data folder", () => {
    process.chdir(mkdtempSync(path.join(tmpdir(), "todo-config-")));
    const first = loadConfig({}).authSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({}).authSecret).toBe(first);
    expect(readFileSync(".data/auth-secret", "utf8").trim()).toBe(first);
  });
});
