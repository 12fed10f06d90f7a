import { z } from "zod";
import { EmailSchema, requiredText } from "../validation";
import { CurrentPasswordSchema, NewPasswordSchema } from "./password";

/** The sign-in form. `redirectTo` is checked separately by `safeRedirect`. */
export const LoginSchema = z.object({
  email: EmailSchema,
  password: CurrentPasswordSchema,
  redirectTo: z.string().max(2048).optional(),
});

export const NAME_MAX = 100;

export const SignupSchema = z
  .object({
    name: requiredText("your name", NAME_MAX),
    email: EmailSchema,
    password: NewPasswordSchema,
    confirmPassword: z.string({ error: "Enter the password again" }),
  })
  .refine((form) => form.password === form.confirmPassword, {
    error: "The passwords do not match",
    path: ["confirmPassword"],
  });
