import { z } from "zod";

/**
 * Building blocks shared by every form schema, on the server and in the browser.
 * PostgreSQL cannot store a NUL character in text, and nobody types one: such
 * input is refused with a message rather than failing in the database.
 */
const withoutNul = (value: string) => !value.includes("\u0000");

export const requiredText = (label: string, max: number) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, { error: `Enter ${label}` })
    .max(max, { error: `Use at most ${max} characters` })
    .refine(withoutNul, { error: "Remove the invisible control characters" });

export const EmailSchema = z
  .string({ error: "Enter your email address" })
  .trim()
  .min(1, { error: "Enter your email address" })
  .max(254, { error: "That email address is too long" })
  .pipe(z.email({ error: "Enter an email address like name@example.com" }))
  .transform((email) => email.toLowerCase());
