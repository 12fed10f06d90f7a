import { symmetricDecrypt, symmetricEncrypt } from "better-auth/crypto";
import { and, count, eq, isNotNull, isNull, lt } from "drizzle-orm";
import QRCode from "qrcode";
import type { AppDatabase } from "../../db/client.server";
import { recoveryCode, twoFactor } from "../../db/schema";
import {
  hashRecoveryCode,
  looksLikeRecoveryCode,
  newRecoveryCode,
  RECOVERY_CODE_COUNT,
} from "./recovery-codes.server";
import { groupedSecret, matchingStep, newTotpSecret, otpauthUri } from "./totp.server";

/** A code that passed: the factor, and for a recovery code how many are left. */
export type AcceptedCode = { factor: "authenticator" } | { factor: "recovery-code"; left: number };

/** What the settings page shows while two-step sign-in is being turned on. */
export interface Enrolment {
  /** The secret in groups of four, for typing into an app by hand. */
  secret: string;
  /** The `otpauth://` link (tapped on a phone, it opens the authenticator app). */
  uri: string;
  /** The same link as a QR code: an SVG document rendered here, no script, no external image. */
  qrSvg: string;
}

export type TwoFactorStatus =
  { enabled: false } | { enabled: true; enabledAt: Date; recoveryCodesLeft: number };

/**
 * Two-step sign-in with an authenticator app (RFC 6238) and one-time recovery codes. The secret
 * is stored encrypted with the app's secret; each step's code is accepted once (the last accepted
 * step is kept and only a later one passes, in one conditional UPDATE, so two instances cannot
 * both accept it); recovery codes are kept as hashes and each is spent by one conditional UPDATE.
 */
export function createTwoFactorService({ db, secret: appSecret }: { db: AppDatabase; secret: string }) {
  const encrypt = (data: string) => symmetricEncrypt({ key: appSecret, data });
  const decrypt = (data: string) => symmetricDecrypt({ key: appSecret, data });

  const rowOf = async (userId: string) =>
    (await db.select().from(twoFactor).where(eq(twoFactor.userId, userId)))[0] ?? null;

  async function unusedCodes(userId: string): Promise<number> {
    const [row] = await db
      .select({ left: count() })
      .from(recoveryCode)
      .where(and(eq(recoveryCode.userId, userId), isNull(recoveryCode.usedAt)));
    return row?.left ?? 0;
  }

  /** A new set of codes, replacing the old one (used or not) in one transaction. */
  async function replaceCodes(userId: string, tx: Pick<AppDatabase, "delete" | "insert"> = db) {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await tx.delete(recoveryCode).where(eq(recoveryCode.userId, userId));
    await tx.insert(recoveryCode).values(codes.map((code) => ({ userId, codeHash: hashRecoveryCode(code) })));
    return codes;
  }

  /** Spends the authenticator code for a step later than the last one accepted (enabled or not). */
  async function acceptTotp(userId: string, code: string, enabled: boolean): Promise<boolean> {
    const row = await rowOf(userId);
    if (!row || (enabled && !row.enabledAt)) return false;
    const step = matchingStep(await decrypt(row.secret), code.replace(/\s/g, ""));
    if (step === null) return false;
    const accepted = await db
      .update(twoFactor)
      .set({ lastStep: step })
      .where(and(eq(twoFactor.userId, userId), lt(twoFactor.lastStep, step)))
      .returning({ userId: twoFactor.userId });
    return accepted.length === 1;
  }

  async function spendRecoveryCode(userId: string, typed: string): Promise<number | null> {
    const spent = await db
      .update(recoveryCode)
      .set({ usedAt: new Date() })
      .where(
        and(
          eq(recoveryCode.userId, userId),
          eq(recoveryCode.codeHash, hashRecoveryCode(typed)),
          isNull(recoveryCode.usedAt),
        ),
      )
      .returning({ id: recoveryCode.id });
    return spent.length === 1 ? unusedCodes(userId) : null;
  }

  return {
    async isEnabled(userId: string): Promise<boolean> {
      const [row] = await db
        .select({ userId: twoFactor.userId })
        .from(twoFactor)
        .where(and(eq(twoFactor.userId, userId), isNotNull(twoFactor.enabledAt)));
      return row !== undefined;
    },

    async status(userId: string): Promise<TwoFactorStatus> {
      const row = await rowOf(userId);
      if (!row?.enabledAt) return { enabled: false };
      return { enabled: true, enabledAt: row.enabledAt, recoveryCodesLeft: await unusedCodes(userId) };
    },

    /**
     * The secret being set up for an account whose two-step sign-in is off: the same one until it
     * is turned on (a reload shows the QR code already scanned), a new one the first time.
     */
    async enrolment(userId: string, accountName: string): Promise<Enrolment | null> {
      let row = await rowOf(userId);
      if (row?.enabledAt) return null;
      if (!row) {
        await db
          .insert(twoFactor)
          .values({ userId, secret: await encrypt(newTotpSecret()) })
          .onConflictDoNothing();
        row = await rowOf(userId);
        if (!row || row.enabledAt) return null;
      }
      const secret = await decrypt(row.secret);
      const uri = otpauthUri(secret, accountName);
      const qrSvg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
      return { secret: groupedSecret(secret), uri, qrSvg };
    },

    /** Turns two-step sign-in on with a first code from the app; the new recovery codes, or null. */
    async enable(userId: string, code: string): Promise<string[] | null> {
      if (!(await acceptTotp(userId, code, false))) return null;
      return db.transaction(async (tx) => {
        const turnedOn = await tx
          .update(twoFactor)
          .set({ enabledAt: new Date() })
          .where(and(eq(twoFactor.userId, userId), isNull(twoFactor.enabledAt)))
          .returning({ userId: twoFactor.userId });
        if (turnedOn.length === 0) return null;
        return replaceCodes(userId, tx);
      });
    },

    /** A code from the app or an unused recovery code, spent; null if it is neither. */
    async verify(userId: string, typed: string): Promise<AcceptedCode | null> {
      if (looksLikeRecoveryCode(typed)) {
        const left = await spendRecoveryCode(userId, typed);
        return left === null ? null : { factor: "recovery-code", left };
      }
      return (await acceptTotp(userId, typed, true)) ? { factor: "authenticator" } : null;
    },

    /** A new set of recovery codes; the old ones stop working. */
    async regenerateCodes(userId: string): Promise<string[] | null> {
      if (!(await this.isEnabled(userId))) return null;
      return db.transaction((tx) => replaceCodes(userId, tx));
    },

    /** Turns two-step sign-in off: the secret and every recovery code are deleted. */
    async disable(userId: string): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.delete(recoveryCode).where(eq(recoveryCode.userId, userId));
        await tx.delete(twoFactor).where(eq(twoFactor.userId, userId));
      });
    },

    /** Unused recovery codes of an account (for tests of their count). */
    unusedCodes,
  };
}

export type TwoFactorService = ReturnType<typeof createTwoFactorService>;
