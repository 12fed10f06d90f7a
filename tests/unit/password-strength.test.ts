import { describe, expect, it } from "vitest";
import { isCommonPassword } from "../../app/auth/common-passwords.server";
import { estimatePassword } from "../../app/ui/password-strength-estimator";
import { type ZxcvbnScore, ratePassword } from "../../app/ui/password-strength-rating";

const strongEstimate = { score: 4, isCommon: false } as const;

describe("password strength rating", () => {
  it("says nothing about an empty field", () => {
    expect(ratePassword("", strongEstimate)).toBeUndefined();
  });

  it("follows zxcvbn's score for a password the server would take, 0 and 1 both weak", () => {
    const labels = ([0, 1, 2, 3, 4] as const).map(
      (score: ZxcvbnScore) => ratePassword("long enough", { score, isCommon: false })?.label,
    );
    expect(labels).toEqual(["Too weak", "Weak", "Fair", "Good", "Strong"]);
    expect(ratePassword("long enough", { score: 3, isCommon: false })?.level).toBe(3);
  });

  it("never rates above the lowest level what the server refuses, whatever the score", () => {
    expect(ratePassword("1234567", strongEstimate)).toEqual({ level: 0, label: "Too short" });
    expect(ratePassword("a".repeat(129), strongEstimate)).toEqual({ level: 0, label: "Too long" });
    expect(ratePassword("long enough", { score: 4, isCommon: true })).toEqual({
      level: 0,
      label: "Too common",
    });
  });

  it("counts characters as the server does: an emoji is one", () => {
    expect(ratePassword("😀".repeat(7), strongEstimate)?.label).toBe("Too short");
    expect(ratePassword("😀".repeat(8), strongEstimate)?.label).toBe("Strong");
    expect(ratePassword("😀".repeat(128), strongEstimate)?.label).toBe("Strong");
    expect(ratePassword("😀".repeat(129), strongEstimate)?.label).toBe("Too long");
  });
});

describe("password strength estimator", () => {
  it("knows the server's list of common passwords, in any case", () => {
    for (const password of [
      "password",
      "PASSWORD",
      "Password1",
      "qwertyuiop",
      "iloveyou",
      "a long unusual phrase",
    ]) {
      expect(estimatePassword(password).isCommon, password).toBe(isCommonPassword(password));
    }
    expect(estimatePassword("PASSWORD").isCommon).toBe(true);
  });

  it("rates a common password low, with zxcvbn's English advice, and a long phrase high, without", () => {
    const weak = estimatePassword("sunshine1");
    expect(ratePassword("sunshine1", weak)?.level).toBe(0);
    expect(weak.warning).toMatch(/commonly used password/);
    expect(weak.suggestions.length).toBeGreaterThan(0);

    const strong = estimatePassword("violet kettle jumps 83 quietly");
    expect(ratePassword("violet kettle jumps 83 quietly", strong)).toEqual({ level: 4, label: "Strong" });
    expect(strong.warning).toBeUndefined();
    expect(strong.suggestions).toEqual([]);
  });
});
