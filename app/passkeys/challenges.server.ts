import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import { passkeyChallenge } from "../../db/schema";

/** A passkey ceremony must finish within five minutes of its options. */
export const PASSKEY_CHALLENGE_SECONDS = 5 * 60;

export type ChallengePurpose = "registration" | "sign-in" | "reauthentication";

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

interface ConsumedChallenge {
  challenge: string;
  userId: string | null;
  userHandle: string | null;
}

/**
 * WebAuthn challenges: random, kept only under the hash of a token the browser holds, used once
 * (a conditional DELETE, so two instances cannot both accept one) and dead after five minutes.
 */
export function createPasskeyChallenges(db: AppDatabase) {
  return {
    /**
     * Keeps `challenge` (base64url, as the library made it) and returns the token for the browser's
     * signed, HttpOnly cookie, which binds it to that browser; `previousToken` (the browser's last
     * one of this purpose) is discarded.
     */
    async issue(
      purpose: ChallengePurpose,
      challenge: string,
      owner: { userId?: string; userHandle?: string; previousToken?: string | null } = {},
    ): Promise<string> {
      if (owner.previousToken) {
        await db
          .delete(passkeyChallenge)
          .where(eq(passkeyChallenge.tokenHash, hashToken(owner.previousToken)));
      }
      const token = randomBytes(32).toString("base64url");
      await db.insert(passkeyChallenge).values({
        tokenHash: hashToken(token),
        purpose,
        userId: owner.userId ?? null,
        userHandle: owner.userHandle ?? null,
        challenge,
        expiresAt: new Date(Date.now() + PASSKEY_CHALLENGE_SECONDS * 1000),
      });
      return token;
    },

    /**
     * Spends the challenge of `token` for `purpose` (and, at registration, `userId`): null if there
     * is none, it expired, or it was already spent. Spent before the response is checked, so a
     * failed ceremony cannot be retried with the same challenge.
     */
    async consume(
      token: string,
      purpose: ChallengePurpose,
      userId?: string,
    ): Promise<ConsumedChallenge | null> {
      const [row] = await db
        .delete(passkeyChallenge)
        .where(
          and(
            eq(passkeyChallenge.tokenHash, hashToken(token)),
            eq(passkeyChallenge.purpose, purpose),
            gt(passkeyChallenge.expiresAt, new Date()),
            userId === undefined ? isNull(passkeyChallenge.userId) : eq(passkeyChallenge.userId, userId),
          ),
        )
        .returning({
          challenge: passkeyChallenge.challenge,
          userId: passkeyChallenge.userId,
          userHandle: passkeyChallenge.userHandle,
        });
      return row ?? null;
    },
  };
}

export type PasskeyChallenges = ReturnType<typeof createPasskeyChallenges>;
