import { dictionary } from "@zxcvbn-ts/language-common";
import { isAPIError } from "better-auth/api";
import type { z } from "zod";
import { NewPasswordSchema } from "./password";

/**
 * The most common passwords (zxcvbn's list, shipped with the app: no network
 * call), compared without regard to case: "PASSWORD" is no better than "password".
 */
let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  common ??= new Set(dictionary["passwords-common"].map((password) => password.toLowerCase()));
  return common;
}

export const COMMON_PASSWORD_COUNT = () => commonPasswords().size;

export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.toLowerCase());
}

export const COMMON_PASSWORD_CODE = "PASSWORD_TOO_COMMON";
export const COMMON_PASSWORD_MESSAGE =
  "This password is one of the most common, the first ones attackers try. Choose another.";

/** Whether better-auth refused a new password for being common (see the hook in auth.server.ts). */
export const isCommonPasswordError = (error: unknown) =>
  isAPIError(error) && error.body?.code === COMMON_PASSWORD_CODE;

/**
 * `schema` refusing a common password in `field` too, in the same pass as its
 * other checks, so that one answer names every problem. Server only: the list
 * stays out of the page's code.
 */
export function refusingCommonPassword<Schema extends z.ZodType<Record<string, unknown>>>(
  schema: Schema,
  field: string,
) {
  return schema.superRefine((form, ctx) => {
    // Runs even when other fields failed: then `form` is the input as parsed so far.
    const chosen: unknown = form[field];
    if (typeof chosen !== "string" || !NewPasswordSchema.safeParse(chosen).success) return;
    if (isCommonPassword(chosen))
      ctx.addIssue({ code: "custom", path: [field], message: COMMON_PASSWORD_MESSAGE });
  });
}
