import { z } from "zod";
import { EmailSchema, requiredText } from "../validation";
import { CurrentPasswordSchema, newPasswordForm } from "./password";
import { TwoFactorCodeSchema } from "../two-factor/schemas";

/** Where to go after a form's flow, as posted; `safeRedirect` decides whether it is followed. */
export const RedirectToSchema = z.string().max(2048).optional();

/** The sign-in form. */
export const LoginSchema = z.object({
  email: EmailSchema,
  password: CurrentPasswordSchema,
  redirectTo: RedirectToSchema,
});

/** /reauthenticate: the password again, before a sensitive change (the page's other intent is a provider). */
export const ReauthenticatePasswordSchema = z.object({
  intent: z.literal("password"),
  password: CurrentPasswordSchema,
  /** Asked for (and then required) when the account has two-step sign-in on. */
  code: TwoFactorCodeSchema.optional(),
  redirectTo: RedirectToSchema,
});

/** /settings/email: the new address, with the current password as proof. */
export const ChangeEmailSchema = z.object({
  intent: z.literal("change-email"),
  newEmail: EmailSchema,
  currentPassword: CurrentPasswordSchema,
});

/** /settings/account: deleting everything takes the current password and a ticked box. */
export const DeleteAccountSchema = z.object({
  intent: z.literal("delete-account"),
  currentPassword: CurrentPasswordSchema,
  confirm: z.literal("on", { error: "Tick the box to confirm that everything will be deleted" }),
});

/** A form that asks for an address only (a reset link, a new confirmation link). */
export const EmailFormSchema = z.object({ email: EmailSchema });

/** The password chosen at a sign-up still waiting for confirmation, typed again at its link. */
export const PendingPasswordSchema = z.object({
  password: z.string({ error: "Enter the password chosen when the account was made" }).max(1024),
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

export const SignupSchema = newPasswordForm("password", { name: NameSchema, email: EmailSchema });

export const ResetPasswordSchema = newPasswordForm("password");

export const ProfileSchema = z.object({ name: NameSchema });

/** A first password, for an account made through a sign-in provider: there is no current one to give. */
export const SetPasswordSchema = newPasswordForm("newPassword");

/** The settings form names its fields `currentPassword`, `newPassword` and `confirmPassword`. */
export const ChangePasswordSchema = newPasswordForm("newPassword", {
  currentPassword: CurrentPasswordSchema,
});
