/**
 * The client address as one canonical string: Express reports IPv4 clients of a
 * dual-stack socket as `::ffff:1.2.3.4`, which is the same client as `1.2.3.4`.
 */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return "unknown";
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped?.[1] ?? address;
}
