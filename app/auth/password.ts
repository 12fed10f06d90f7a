import { z } from "zod";

/**
 * Password rules (NIST 800-63B): 8 to 128 characters, any characters at all,
 * nothing trimmed or truncated, no composition rules. Length is counted in
 * characters (code points), so an emoji counts once.
 */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
/** The most UTF-16 code units a valid password can take (each code point is at most two). */
export const PASSWORD_MAX_UTF16 = PASSWORD_MAX * 2;

export const characterCount = (value: string) => [...value].length;

export const NewPasswordSchema = z
  .string({ error: "Enter a password" })
  .refine((value) => characterCount(value) >= PASSWORD_MIN, {
    error: `Use at least ${PASSWORD_MIN} characters`,
    abort: true,
  })
  .refine((value) => characterCount(value) <= PASSWORD_MAX, {
    error: `Use at most ${PASSWORD_MAX} characters`,
    abort: true,
  });

/** A password being checked rather than chosen: any length we could have stored. */
export const CurrentPasswordSchema = z
  .string({ error: "Enter your password" })
  .max(PASSWORD_MAX_UTF16, { error: "That password is too long" });

/** A new password typed twice, as sign-up, reset and change ask for it. */
export const NewPasswordPairSchema = z.object({
  password: NewPasswordSchema,
  confirmPassword: z.string({ error: "Enter the password again" }),
});

/** Refuses a form whose confirmation differs, with the message beside the confirmation field. */
export const confirmationMatches = <T extends { password: string; confirmPassword: string }>(form: T) =>
  form.password === form.confirmPassword;
export const CONFIRMATION_MISMATCH = { error: "The passwords do not match", path: ["confirmPassword"] };
