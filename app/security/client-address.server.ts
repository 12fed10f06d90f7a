import { isIPv4, isIPv6 } from "node:net";

/**
 * The client address as one canonical string: Express reports IPv4 clients of a
 * dual-stack socket as `::ffff:1.2.3.4`, which is the same client as `1.2.3.4`.
 */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return "unknown";
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped?.[1] ?? address;
}

/**
 * The eight groups of an IPv6 address, each without leading zeros, or null for
 * anything else. A zone (`%eth0`) is dropped and a dotted IPv4 tail becomes two groups.
 */
function ipv6Groups(address: string): string[] | null {
  const bare = address.split("%")[0] ?? "";
  if (!isIPv6(bare)) return null;
  let text = bare.toLowerCase();
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail === undefined ? [] : tail ? tail.split(":") : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  return [...headGroups, ...Array<string>(Math.max(missing, 0)).fill("0"), ...tailGroups].map((group) =>
    group.replace(/^0+(?=.)/, ""),
  );
}

/** The first `bits` (a multiple of 16) of an IPv6 address as a prefix, e.g. `2001:db8:1::/48`; null if not IPv6. */
export function ipv6Prefix(address: string, bits: 48 | 64): string | null {
  const groups = ipv6Groups(address);
  return groups ? `${groups.slice(0, bits / 16).join(":")}::/${bits}` : null;
}

/**
 * The network a client address belongs to, for sharing something fairly: an
 * IPv4 /24 or an IPv6 /48 (one site: a home, an office, one customer of a
 * host), since anyone holding one address there can usually use them all.
 * Anything else (`unknown`, a script without an address) is its own network.
 */
export function networkOf(address: string): string {
  const normalized = normalizeAddress(address);
  if (isIPv4(normalized)) return `${normalized.split(".").slice(0, 3).join(".")}.0/24`;
  return ipv6Prefix(normalized, 48) ?? normalized;
}
