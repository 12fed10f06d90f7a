import { describe, expect, it } from "vitest";
import { formatDate, formatRelative, formatTime } from "../../app/ui/format";
import { TIME_ZONE_COOKIE, timeZoneFromCookieHeader } from "../../app/ui/time-zone";

const moment = "2026-12-07T08:49:33Z";

describe("times as pages show them", () => {
  it("name their zone: UTC by default, the reader's when known", () => {
    expect(formatTime(moment)).toBe("7 Dec 2026, 08:49 UTC");
    expect(formatTime(moment, "Europe/Paris")).toBe("7 Dec 2026, 09:49 CET");
    expect(formatTime(moment, "Asia/Kolkata")).toBe("7 Dec 2026, 14:19 GMT+5:30");
  });

  it("give the date in the reader's zone, which may be another day", () => {
    expect(formatDate("2026-12-07T20:00:00Z")).toBe("7 Dec 2026");
    expect(formatDate("2026-12-07T20:00:00Z", "Pacific/Auckland")).toBe("8 Dec 2026");
  });

  it("say how long ago in words", () => {
    const now = Date.parse(moment);
    const ago = (seconds: number) => formatRelative(new Date(now - seconds * 1000).toISOString(), now);
    expect(ago(10)).toBe("just now");
    expect(ago(5 * 60)).toBe("5 minutes ago");
    expect(ago(3 * 3600)).toBe("3 hours ago");
    expect(ago(30 * 3600)).toBe("yesterday");
    expect(ago(3 * 24 * 3600)).toBe("3 days ago");
  });
});

describe("the zone cookie", () => {
  it("is believed only when it names a zone the runtime knows", () => {
    expect(timeZoneFromCookieHeader(`a=b; ${TIME_ZONE_COOKIE}=Europe%2FParis`)).toBe("Europe/Paris");
    expect(timeZoneFromCookieHeader(`${TIME_ZONE_COOKIE}=UTC`)).toBe("UTC");
    expect(timeZoneFromCookieHeader(`${TIME_ZONE_COOKIE}=Mars%2FOlympus`)).toBeNull();
    expect(timeZoneFromCookieHeader(`${TIME_ZONE_COOKIE}=%3Cscript%3E`)).toBeNull();
    expect(timeZoneFromCookieHeader(`${TIME_ZONE_COOKIE}=%E0%A4%A`)).toBeNull();
    expect(timeZoneFromCookieHeader("other=1")).toBeNull();
    expect(timeZoneFromCookieHeader(null)).toBeNull();
  });
});
