import { Secret, TOTP } from "otpauth";

/** RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30-second steps. */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** One step of clock skew either way. */
const WINDOW = 1;
/** 160 bits, the size RFC 4226 recommends for an HMAC-SHA-1 key. */
const SECRET_BYTES = 20;

const totpFor = (secretBase32: string, label = "") =>
  new TOTP({
    issuer: "Todo",
    label,
    algorithm: "SHA1",
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });

/** A new random secret, in base32 (what authenticator apps take). */
export const newTotpSecret = () => new Secret({ size: SECRET_BYTES }).base32;

/** The `otpauth://` URI an authenticator app reads from a QR code or a tapped link. */
export const otpauthUri = (secretBase32: string, accountName: string) =>
  totpFor(secretBase32, accountName).toString();

/** The time step (30-second count since the epoch) a code belongs to, or null if it matches none near now. */
export function matchingStep(secretBase32: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secretBase32).validate({ token: code, timestamp: now, window: WINDOW });
  return delta === null ? null : Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
}

/** The current code, as an authenticator app shows it (for tests and the bench). */
export const currentTotp = (secretBase32: string, now = Date.now()) =>
  totpFor(secretBase32).generate({ timestamp: now });

/** The secret as a person types it: groups of four. */
export const groupedSecret = (secretBase32: string) => secretBase32.replace(/(.{4})(?=.)/g, "$1 ");
