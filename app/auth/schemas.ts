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

export const SignupSchema = NewPasswordPairSchema.extend({
  name: NameSchema,
  email: EmailSchema,
}).refine(confirmationMatches, CONFIRMATION_MISMATCH);

export const ResetPasswordSchema = NewPasswordPairSchema.refine(confirmationMatches, CONFIRMATION_MISMATCH);

export const ProfileSchema = z.object({ name: NameSchema });

/** The settings form names its fields `currentPassword`, `newPassword` and `confirmPassword`. */
export const ChangePasswordSchema = z
  .object({
    currentPassword: CurrentPasswordSchema,
    newPassword: NewPasswordSchema,
    confirmPassword: z.string({ error: "Enter the new password again" }),
  })
  .refine((form) => form.newPassword === form.confirmPassword, CONFIRMATION_MISMATCH);
