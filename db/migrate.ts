/**
 * `npm run db:migrate`: applies the committed SQL migrations to the configured
 * database (the server does the same at start).
 */
import { ConfigError, loadConfig } from "../app/config.server";
import { openDatabase } from "./client.server";

try {
  const config = loadConfig();
  const database = await openDatabase(config.database);
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
  console.log(`Migrations applied (${config.database.kind}).`);
} catch (error) {
  console.error(error instanceof ConfigError ? `Invalid configuration: ${error.message}` : error);
  process.exitCode = 1;
}
