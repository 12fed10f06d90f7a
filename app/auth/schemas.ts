import { z } from "zod";
import { EmailSchema, requiredText } from "../validation";
import {
  CONFIRMATION_MISMATCH,
  confirmationMatches,
  CurrentPasswordSchema,
  NewPasswordPairSchema,
  NewPasswordSchema,
} from "./password";

/** The sign-in form. `redirectTo` is checked separately by `safeRedirect`. */
export const LoginSchema = z.object({
  email: EmailSchema,
  password: CurrentPasswordSchema,
  redirectTo: z.string().max(2048).optional(),
});

export const NAME_MAX = 100;
export const NameSchema = requiredText("your name", NAME_MAX);

/**
 * A name that NameSchema accepts, made from what a sign-in provider sent: its
 * control characters removed, cut to the limit, or the address's local part
 * when nothing is left.
 */
export function usableName(candidate: string | null | undefined, email: string): string {
  const cleaned = [...(candidate ?? "").replace(/\p{Cc}/gu, " ").trim()].slice(0, NAME_MAX).join("").trim();
  if (cleaned) return cleaned;
  return [...(email.split("@")[0] ?? "")].slice(0, NAME_MAX).join("") || "Todo user";
}

export const SignupSchema = NewPasswordPairSchema.extend({
  name: NameSchema,
  email: EmailSchema,
}).refine(confirmationMatches, CONFIRMATION_MISMATCH);

export const ResetPasswordSchema = NewPasswordPairSchema.refine(confirmationMatches, CONFIRMATION_MISMATCH);

export const ProfileSchema = z.object({ name: NameSchema });

/** A first password, for an account made through a sign-in provider: there is no current one to give. */
export const SetPasswordSchema = z
  .object({
    newPassword: NewPasswordSchema,
    confirmPassword: z.string({ error: "Enter the new password again" }),
  })
  .refine((form) => form.newPassword === form.confirmPassword, CONFIRMATION_MISMATCH);

/** The settings form names its fields `currentPassword`, `newPassword` and `confirmPassword`. */
export const ChangePasswordSchema = z
  .object({
    currentPassword: CurrentPasswordSchema,
    newPassword: NewPasswordSchema,
    confirmPassword: z.string({ error: "Enter the new password again" }),
  })
  .refine((form) => form.newPassword === form.confirmPassword, CONFIRMATION_MISMATCH);
