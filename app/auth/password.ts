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

/** The two password fields a new password is chosen with: the first one's name, and the confirmation's. */
type NewPasswordShape<Name extends string> = Record<Name, typeof NewPasswordSchema> & {
  confirmPassword: z.ZodString;
};

/**
 * A form that chooses a new password, typed twice (sign-up, reset, a first
 * password, a change), refused with a message beside the confirmation when
 * the two differ. `name` is the first field's: `password`, or `newPassword`
 * where a current password stands beside it; `fields` are the form's others.
 */
export function newPasswordForm<Name extends string, Fields extends z.ZodRawShape = Record<never, never>>(
  name: Name,
  fields: Fields = {} as Fields,
) {
  const again = name === "newPassword" ? "the new password" : "the password";
  const shape = {
    ...fields,
    [name]: NewPasswordSchema,
    confirmPassword: z.string({ error: `Enter ${again} again` }),
  } as Fields & NewPasswordShape<Name>;
  return z.object(shape).refine((form: Record<string, unknown>) => form[name] === form.confirmPassword, {
    error: "The passwords do not match",
    path: ["confirmPassword"],
  });
}
