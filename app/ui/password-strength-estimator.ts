/**
 * zxcvbn and its dictionaries are heavy (docs/performance.md, "Page weight"), so this module is
 * only ever loaded with `import()` (see password-strength.tsx), never imported statically.
 */
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";
// Only the English feedback texts: its dictionaries are heavy and moved few scores (docs/performance.md, "Page weight").
import { translations } from "@zxcvbn-ts/language-en";
import type { PasswordEstimate } from "./password-strength-rating";

const zxcvbn = new ZxcvbnFactory({
  dictionary,
  graphs: adjacencyGraphs,
  translations,
});

/**
 * The list the server refuses (common-passwords.server.ts reads the same
 * package), compared the same way, without regard to case.
 */
const commonPasswords = new Set(dictionary["passwords-common"].map((password) => password.toLowerCase()));

export function estimatePassword(password: string): PasswordEstimate {
  const result = zxcvbn.check(password);
  return {
    score: result.score,
    isCommon: commonPasswords.has(password.toLowerCase()),
    warning: result.feedback.warning ?? undefined,
    suggestions: result.feedback.suggestions,
  };
}
