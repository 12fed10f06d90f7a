import { describe, expect, it } from "vitest";
import { carriesPendingSignIn } from "../../app/auth/session-cookie";

describe("carriesPendingSignIn", () => {
  it("finds the pending second step's cookie over HTTP and HTTPS, and nothing that merely contains its name", () => {
    expect(carriesPendingSignIn("todo.two_factor=abc")).toBe(true);
    expect(carriesPendingSignIn("a=1; __Secure-todo.two_factor=abc")).toBe(true);
    expect(carriesPendingSignIn("xtodo.two_factor=abc; b=todo.two_factor=")).toBe(false);
    expect(carriesPendingSignIn("todo.session_token=abc")).toBe(false);
    expect(carriesPendingSignIn(null)).toBe(false);
  });
});
