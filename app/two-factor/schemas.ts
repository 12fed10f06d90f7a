import { z } from "zod";

/** Longer than any recovery code with its dashes and spaces, short enough to refuse junk. */
export const CODE_MAX = 64;

/** A code from the authenticator app, or a recovery code (the second step takes either). */
export const TwoFactorCodeSchema = z
  .string({ error: "Enter the code from your authenticator app, or a recovery code" })
  .trim()
  .min(1, "Enter the code from your authenticator app, or a recovery code")
  .max(CODE_MAX, `A code has at most ${CODE_MAX} characters`);

export const SecondStepSchema = z.object({ code: TwoFactorCodeSchema });

export const EnableSchema = z.object({
  intent: z.literal("enable"),
  code: z
    .string({ error: "Enter the 6-digit code your app shows" })
    .trim()
    .regex(/^\d{6}$/, "Enter the 6-digit code your app shows"),
});

export const DisableSchema = z.object({ intent: z.literal("disable"), code: TwoFactorCodeSchema });

export const TwoFactorSettingsSchema = z.discriminatedUnion(
  "intent",
  [EnableSchema, DisableSchema, z.object({ intent: z.literal("regenerate-codes") })],
  { error: "Unknown action" },
);
