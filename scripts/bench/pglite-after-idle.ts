/**
 * What one PGlite statement costs on the event loop, back to back and as the
 * first work after the loop has been idle for as long as a password hash
 * (docs/performance.md, "Sign-in on PGlite: the floor"). A sign-in on PGlite
 * wakes twice, when its request arrives and when its hash is done, and each
 * statement after a wake finds the database's pages cold.
 *
 *   tsx scripts/bench/pglite-after-idle.ts
 */
import { scrypt } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { openDatabase } from "../../db/client.server";
import { user } from "../../db/schema";

const ROUNDS = 60;
/** About one scrypt hash with better-auth's parameters on this kind of machine. */
const IDLE_MS = 62;
const SCRYPT = { N: 16384, r: 16, p: 1, maxmem: 64 * 1024 * 1024 } as const;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const hash = () =>
  new Promise<void>((resolve, reject) =>
    scrypt("correct horse battery staple", "salt", 64, SCRYPT, (error) =>
      error ? reject(error) : resolve(),
    ),
  );

const dir = await mkdtemp(path.join(tmpdir(), "pglite-after-idle-"));
const database = await openDatabase({ kind: "pglite", dir });
try {
  await database.migrate();
  // The user lookup of every sign-in, through drizzle as the app sends it.
  const statement = (i: number) =>
    database.db
      .select()
      .from(user)
      .where(eq(user.email, `nobody-${i}@example.com`));

  const timed = async (before: () => Promise<void>) => {
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      await before();
      const start = performance.now();
      await statement(i);
      times.push(performance.now() - start);
    }
    return median(times);
  };
  for (let i = 0; i < 200; i++) await statement(i);

  const backToBack = await timed(async () => {});
  const afterIdle = await timed(() => new Promise((resolve) => setTimeout(resolve, IDLE_MS)));
  const afterHash = await timed(hash);
  const us = (ms: number) => `${(ms * 1000).toFixed(0).padStart(5)} µs`;
  console.log(
    `median of ${ROUNDS}                    back to back   first after ${IDLE_MS} ms idle   after a hash`,
  );
  console.log(
    `one SELECT by email on PGlite       ${us(backToBack)}        ${us(afterIdle)}         ${us(afterHash)}`,
  );
} finally {
  await database.close();
  await rm(dir, { recursive: true, force: true });
}
