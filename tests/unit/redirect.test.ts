import { describe, expect, it } from "vitest";
import { isSameSiteUrl, safeRedirect } from "../../app/security/redirect";

describe("safeRedirect", () => {
  it.each([
    ["/todos", "/todos"],
    ["/todos?filter=active", "/todos?filter=active"],
    ["/settings/profile#name", "/settings/profile#name"],
    ["/a/../todos", "/todos"],
  ])("keeps the same-site path %s", (target, expected) => {
    expect(safeRedirect(target)).toBe(expected);
  });

  it.each([
    "//evil.example",
    "//evil.example/todos",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    "evil.example",
    "",
    "/" + "a".repeat(3000),
    "/..//evil.example",
    "/.//evil.example",
    "/%2e%2e//evil.example",
    "/todos/..//evil.example",
  ])("refuses %j", (target) => {
    expect(safeRedirect(target)).toBe("/todos");
  });

  it("refuses anything that is not a string and honours the fallback", () => {
    expect(safeRedirect(null)).toBe("/todos");
    expect(safeRedirect(["/todos"])).toBe("/todos");
    expect(safeRedirect(undefined, "/")).toBe("/");
  });
});

describe("isSameSiteUrl", () => {
  const origin = "https://todo.example";
  it.each(["/todos", "/login?redirectTo=%2Ftodos", "https://todo.example/settings/profile"])(
    "accepts %s",
    (value) => {
      expect(isSameSiteUrl(value, origin)).toBe(true);
    },
  );
  it.each([
    "/..//evil.example",
    "//evil.example",
    "https://evil.example/",
    "https://todo.example.evil.example/",
    "https://todo.example//evil.example",
    "javascript:alert(1)",
    "todos",
    42,
  ])("refuses %j", (value) => {
    expect(isSameSiteUrl(value, origin)).toBe(false);
  });
});
