import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, sql } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import { signInChallenge } from "../../db/schema";

/** A pending sign-in lasts at most five minutes. */
export const CHALLENGE_SECONDS = 5 * 60;
/** Five wrong codes end it: the person starts again from the first step. */
const CHALLENGE_ATTEMPTS = 5;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export interface PendingSignIn {
  userId: string;
  method: string;
  redirectTo: string | null;
}

/**
 * Sign-ins whose first step passed and whose second has not: a row keyed by the hash of a random
 * token that only the browser holds (in a signed, HttpOnly cookie). No session exists meanwhile.
 */
export function createSignInChallenges(db: AppDatabase) {
  return {
    /** A new pending sign-in; the token for the browser's cookie. */
    async create(pending: PendingSignIn): Promise<string> {
      const token = randomBytes(32).toString("base64url");
      await db.insert(signInChallenge).values({
        ...pending,
        tokenHash: hashToken(token),
        expiresAt: new Date(Date.now() + CHALLENGE_SECONDS * 1000),
      });
      return token;
    },

    async find(token: string): Promise<PendingSignIn | null> {
      const [row] = await db
        .select()
        .from(signInChallenge)
        .where(
          and(eq(signInChallenge.tokenHash, hashToken(token)), gt(signInChallenge.expiresAt, new Date())),
        );
      return row ? { userId: row.userId, method: row.method, redirectTo: row.redirectTo } : null;
    },

    /** Counts a wrong code; the tries left (0: the pending sign-in is over and gone). */
    async recordFailure(token: string): Promise<number> {
      const [row] = await db
        .update(signInChallenge)
        .set({ failures: sql`${signInChallenge.failures} + 1` })
        .where(eq(signInChallenge.tokenHash, hashToken(token)))
        .returning({ failures: signInChallenge.failures });
      const left = row ? CHALLENGE_ATTEMPTS - row.failures : 0;
      if (left <= 0) await this.end(token);
      return Math.max(left, 0);
    },

    /** Ends a pending sign-in; true only for the one call that ended it (so it is finished once). */
    async end(token: string): Promise<boolean> {
      const ended = await db
        .delete(signInChallenge)
        .where(eq(signInChallenge.tokenHash, hashToken(token)))
        .returning({ userId: signInChallenge.userId });
      return ended.length === 1;
    },
  };
}

export type SignInChallenges = ReturnType<typeof createSignInChallenges>;
