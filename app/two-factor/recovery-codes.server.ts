import { createHash, randomInt } from "node:crypto";

/** How many codes a set has. */
export const RECOVERY_CODE_COUNT = 10;

/** Lower-case letters and digits without the ones people confuse (0/o, 1/l/i): 31 symbols. */
const ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";
/** 16 symbols: 79 bits, far past the 50 asked for, so that even a fast hash cannot be searched. */
const SYMBOLS = 16;

/** A new random code, in groups of four for reading aloud and typing. */
export function newRecoveryCode(): string {
  const symbols = Array.from({ length: SYMBOLS }, () => ALPHABET[randomInt(ALPHABET.length)] ?? "");
  return symbols.join("").replace(/(.{4})(?=.)/g, "$1-");
}

/** A code as typed (any case, spaces or dashes) in the one form it is hashed in. */
const normalizeRecoveryCode = (typed: string) => typed.toLowerCase().replace(/[\s-]/g, "");

/** Whether what was typed has the shape of a recovery code (not an authenticator's six digits). */
export const looksLikeRecoveryCode = (typed: string) =>
  new RegExp(`^[${ALPHABET}]{${SYMBOLS}}$`).test(normalizeRecoveryCode(typed));

/** What is stored: SHA-256 of the normalized code (79 random bits need no slow hash). */
export const hashRecoveryCode = (typed: string) =>
  createHash("sha256").update(normalizeRecoveryCode(typed)).digest("hex");
