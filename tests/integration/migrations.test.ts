import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client.server";
import { createPostgresDatabase, DATABASE_KINDS } from "../support/databases";

describe.each(DATABASE_KINDS)("migrations on %s", (kind) => {
  it("apply once, however many instances start together", async () => {
    const postgres = kind === "postgres" ? await createPostgresDatabase() : null;
    const target = postgres
      ? { kind: "postgres" as const, url: postgres.url }
      : { kind: "pglite" as const, dir: "memory://" };
    const instances = postgres
      ? await Promise.all([1, 2, 3].map(() => openDatabase(target)))
      : [await openDatabase(target)];
    try {
      if (postgres) {
        await Promise.all(instances.map((instance) => instance.migrate()));
      } else {
        // One process per PGlite folder: the same instance migrating again finds nothing to do.
        for (const instance of instances) {
          await instance.migrate();
          await instance.migrate();
        }
      }
      const [first] = instances;
      const [applied] =
        (await first?.db
          .select({ count: sql<number>`count(*)::int` })
          .from(sql`drizzle.__drizzle_migrations`)) ?? [];
      expect(applied?.count).toBeGreaterThan(0);
      const tables = await first?.db.execute(sql`select 1 from "todo" limit 1`);
      expect(tables).toBeDefined();
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
      await postgres?.drop();
    }
  });
});
