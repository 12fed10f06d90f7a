import { describe, expect, it } from "vitest";
import { ipv6Prefix, networkOf, normalizeAddress } from "../../app/security/client-address.server";
import { addressSubject, siteSubject } from "../../app/security/rate-limit.server";

describe("client networks", () => {
  it("groups IPv4 per /24 and IPv6 per /48, however the address is written", () => {
    expect(networkOf("198.51.100.7")).toBe("198.51.100.0/24");
    expect(networkOf("::ffff:198.51.100.200")).toBe("198.51.100.0/24");
    expect(networkOf("2001:DB8:0012:3::1")).toBe("2001:db8:12::/48");
    expect(networkOf("2001:db8:12:ffff:1:2:3:4")).toBe("2001:db8:12::/48");
    expect(networkOf("2001:db8::1")).toBe("2001:db8:0::/48");
    expect(networkOf("fe80::1%eth0")).toBe("fe80:0:0::/48");
    expect(networkOf("64:ff9b::198.51.100.7")).toBe("64:ff9b:0::/48");
    // Positive control beside the groupings: other networks stay apart.
    expect(networkOf("198.51.101.7")).not.toBe(networkOf("198.51.100.7"));
    expect(networkOf("2001:db8:13::1")).not.toBe(networkOf("2001:db8:12::1"));
    expect(networkOf(normalizeAddress(undefined))).toBe("unknown");
  });

  it("counts IPv6 per /64 and also per /48, IPv4 per address only", () => {
    expect(addressSubject("2001:db8:12:3:a:b:c:d")).toBe("2001:db8:12:3::/64");
    expect(siteSubject("2001:db8:12:3:a:b:c:d")).toBe("2001:db8:12::/48");
    expect(addressSubject("198.51.100.7")).toBe("198.51.100.7");
    expect(siteSubject("198.51.100.7")).toBeNull();
    expect(ipv6Prefix("::1", 64)).toBe("0:0:0:0::/64");
  });
});
