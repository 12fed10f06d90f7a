import { COOKIE_PREFIX } from "../auth/session-cookie";

/**
 * The reader's time zone, remembered by the browser (JavaScript sets it) so that the
 * server renders times in it; without it, times are in UTC and say so.
 */
export const TIME_ZONE_COOKIE = `${COOKIE_PREFIX}.time_zone`;

let knownZones: Set<string> | undefined;

/** An IANA zone name this runtime knows, or null: the cookie is anybody's to write. */
function knownTimeZone(name: string | null | undefined): string | null {
  if (!name || name.length > 64) return null;
  knownZones ??= new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);
  return knownZones.has(name) ? name : null;
}

/** The zone cookie's value in a `Cookie` header, if it names a known zone. */
export function timeZoneFromCookieHeader(header: string | null): string | null {
  if (!header?.includes(TIME_ZONE_COOKIE)) return null;
  for (const part of header.split(";")) {
    const [name, value] = part.trim().split("=", 2);
    if (name === TIME_ZONE_COOKIE && value) return knownTimeZone(decodedOrNull(value));
  }
  return null;
}

function decodedOrNull(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}
