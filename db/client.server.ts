import type { Database, DatabaseTarget } from "./database.server";
import { compileWebAssemblyWithBaselineOnly, openPglite } from "./embedded.server";
import { openPostgres } from "./postgres.server";

export type { AppDatabase, Database, DatabaseTarget } from "./database.server";
export { MIGRATIONS_DIR } from "./database.server";
export { EmbeddedDatabaseError } from "./embedded.server";

/** PostgreSQL when `DATABASE_URL` names one, else PGlite (docs/decisions/005-embedded-database-by-default.md). */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === "postgres") return openPostgres(target.url);
  // Process-wide, so set here in every process that opens PGlite, not at start in server.ts (decision 005).
  compileWebAssemblyWithBaselineOnly();
  return openPglite(target.dir);
}
