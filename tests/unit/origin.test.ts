import { describe, expect, it } from "vitest";
import { crossSiteRefusal } from "../../app/security/origin.server";
import { SESSION_COOKIE } from "../../app/auth/session-cookie";

const APP = "https://todo.example.com";
const request = (method: string, headers: Record<string, string>) => ({
  method,
  header: (name: string) => headers[name.toLowerCase()],
});

describe("crossSiteRefusal", () => {
  it("lets safe methods through whatever their headers", () => {
    expect(crossSiteRefusal(request("GET", { origin: "https://evil.example" }), [APP])).toBeNull();
    expect(crossSiteRefusal(request("HEAD", { "sec-fetch-site": "cross-site" }), [APP])).toBeNull();
  });

  it("accepts a state change from the app's own origin", () => {
    expect(crossSiteRefusal(request("POST", { origin: APP }), [APP])).toBeNull();
    expect(crossSiteRefusal(request("DELETE", { referer: `${APP}/todos?x=1` }), [APP])).toBeNull();
    expect(
      crossSiteRefusal(request("POST", { origin: APP, "sec-fetch-site": "same-origin" }), [APP]),
    ).toBeNull();
  });

  it.each(["POST", "PUT", "PATCH", "DELETE"])("refuses %s from another origin", (method) => {
    expect(crossSiteRefusal(request(method, { origin: "https://evil.example" }), [APP])).toMatch(/Origin/);
  });

  it("accepts each of several origins the app answers to, and nothing beside them", () => {
    const local = ["http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000"];
    for (const origin of local)
      expect(crossSiteRefusal(request("POST", { origin }), local), origin).toBeNull();
    expect(crossSiteRefusal(request("POST", { origin: "http://localhost:3001" }), local)).not.toBeNull();
    expect(crossSiteRefusal(request("POST", { referer: "http://127.0.0.1:3000/todos" }), local)).toBeNull();
  });

  it("refuses look-alike origins, a null origin and a cross-site fetch", () => {
    for (const origin of [
      "https://todo.example.com.evil.example",
      "http://todo.example.com",
      "null",
      "garbage",
    ]) {
      expect(crossSiteRefusal(request("POST", { origin }), [APP]), origin).not.toBeNull();
    }
    expect(
      crossSiteRefusal(request("POST", { origin: APP, "sec-fetch-site": "cross-site" }), [APP]),
    ).not.toBeNull();
  });

  it("falls back to the Referer, and refuses a request that names neither", () => {
    expect(crossSiteRefusal(request("POST", { referer: "https://evil.example/page" }), [APP])).not.toBeNull();
    expect(crossSiteRefusal(request("POST", {}), [APP])).toMatch(/neither/);
  });

  it("exempts a bearer-token request without cookies, but not one that also sends cookies", () => {
    expect(crossSiteRefusal(request("POST", { authorization: "Bearer abc" }), [APP])).toBeNull();
    expect(
      crossSiteRefusal(request("POST", { authorization: "Bearer abc", cookie: `${SESSION_COOKIE}=x` }), [
        APP,
      ]),
    ).not.toBeNull();
  });
});
