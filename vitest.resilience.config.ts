import { defineConfig } from "vitest/config";

/**
 * `npm run test:resilience`: real server processes on a real PostgreSQL,
 * faults included (a database stopped, processes killed, SMTP down, sustained
 * load). One file at a time: each scenario measures what the machine does
 * under it, and two at once would measure each other.
 */
export default defineConfig({
  test: {
    include: ["tests/resilience/**/*.test.ts"],
    environment: "node",
    globalSetup: ["tests/support/global-setup.ts"],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // The counts each scenario prints are its report.
    silent: false,
  },
});
