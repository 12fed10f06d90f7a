import { dictionary } from "@zxcvbn-ts/language-common";
import { isAPIError } from "better-auth/api";

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
