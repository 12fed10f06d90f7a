import { PASSWORD_MAX, PASSWORD_MIN, characterCount } from "../auth/password";

/** zxcvbn's score: 0 (guessable in under 10^3 tries) to 4 (over 10^10). */
export type ZxcvbnScore = 0 | 1 | 2 | 3 | 4;

/** What the estimator found out about a password (see password-strength-estimator.ts). */
export interface PasswordEstimate {
  score: ZxcvbnScore;
  /** On the list the server refuses (the same list, compared the same way). */
  isCommon: boolean;
  warning: string | undefined;
  suggestions: string[];
}

/** The meter's steps, weakest first; `level` indexes them. */
export const STRENGTH_LEVELS = ["Too weak", "Weak", "Fair", "Good", "Strong"] as const;
type StrengthLevel = 0 | 1 | 2 | 3 | 4;

export interface StrengthRating {
  /** How many of the meter's steps are filled, less one. */
  level: StrengthLevel;
  label: string;
}

/**
 * The rating shown for a password, or undefined for an empty field. The
 * server's rules come first, so the hint never calls good what the server
 * would refuse: too short, too long or too common are the lowest level
 * whatever zxcvbn thinks. Everything else follows zxcvbn's score, whose 0 and
 * 1 (under a million guesses) both read as weak.
 */
export function ratePassword(
  password: string,
  estimate: Pick<PasswordEstimate, "score" | "isCommon">,
): StrengthRating | undefined {
  const length = characterCount(password);
  if (length === 0) return undefined;
  if (length < PASSWORD_MIN) return lowest("Too short");
  if (length > PASSWORD_MAX) return lowest("Too long");
  if (estimate.isCommon) return lowest("Too common");
  return { level: estimate.score, label: STRENGTH_LEVELS[estimate.score] };
}

const lowest = (label: string): StrengthRating => ({ level: 0, label });
