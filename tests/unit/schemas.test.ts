import { describe, expect, it } from "vitest";
import { NewPasswordSchema } from "../../app/auth/password";
import { LoginSchema, SignupSchema } from "../../app/auth/schemas";
import { TodoIntentSchema } from "../../app/todos/schemas";
import { checkTitle } from "../../app/todos/title";

describe("form schemas", () => {
  it("normalises the email address: trimmed and lower-case", () => {
    const parsed = LoginSchema.parse({ email: "  Ada@Example.COM ", password: "x" });
    expect(parsed.email).toBe("ada@example.com");
  });

  it("counts password length in characters, from 8 to 128, any characters", () => {
    expect(NewPasswordSchema.safeParse("1234567").success).toBe(false);
    expect(NewPasswordSchema.safeParse("12345678").success).toBe(true);
    expect(NewPasswordSchema.safeParse("😀".repeat(8)).success).toBe(true);
    expect(NewPasswordSchema.safeParse("😀".repeat(4)).success).toBe(false);
    expect(NewPasswordSchema.safeParse("😀".repeat(128)).success).toBe(true);
    expect(NewPasswordSchema.safeParse("a".repeat(129)).success).toBe(false);
    // Not trimmed: surrounding spaces are part of the password.
    expect(NewPasswordSchema.parse("  spaced out  ")).toBe("  spaced out  ");
  });

  it("requires the confirmation to match", () => {
    const result = SignupSchema.safeParse({
      name: "A",
      email: "a@example.com",
      password: "long enough",
      confirmPassword: "long enougH",
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["confirmPassword"]);
  });

  it("parses each todo intent and nothing more", () => {
    const id = "0b7f4a5c-3c8e-4d3a-9a77-8b5b1f0f2a11";
    expect(TodoIntentSchema.parse({ intent: "create", title: " Milk ", completed: "true" })).toEqual({
      intent: "create",
      title: "Milk",
    });
    expect(TodoIntentSchema.parse({ intent: "toggle", id })).toEqual({ intent: "toggle", id });
    expect(TodoIntentSchema.safeParse({ intent: "toggle", id: "1" }).success).toBe(false);
    expect(TodoIntentSchema.safeParse({ intent: "drop-table" }).success).toBe(false);
    expect(TodoIntentSchema.safeParse({ intent: "create", title: "a\u0000" }).success).toBe(false);
  });

  it("checks a typed title in the browser as the server does: the stored title, or the message", () => {
    expect(checkTitle("  Buy milk ")).toEqual({ title: "Buy milk", message: null });
    expect(checkTitle("   ")).toEqual({ title: null, message: "Enter a title" });
    expect(checkTitle("a".repeat(501))).toEqual({ title: null, message: "Use at most 500 characters" });
    expect(checkTitle("a\u0000").message).toBe("Remove the invisible control characters");
    // The server's schema says the same.
    for (const typed of ["   ", "a".repeat(501), "a\u0000"]) {
      const refused = TodoIntentSchema.safeParse({ intent: "create", title: typed });
      expect(refused.success ? null : refused.error.issues[0]?.message).toBe(checkTitle(typed).message);
    }
    expect(TodoIntentSchema.safeParse({ intent: "create" }).error?.issues[0]?.message).toBe("Enter a title");
  });
});
