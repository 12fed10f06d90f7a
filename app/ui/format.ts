/*
 * Times and dates as pages show them: the same on the server and in the first
 * client render (so hydration never disagrees), in the reader's zone when the
 * browser has told us it, else in UTC, and always with the zone named.
 */

const LOCALE = "en-GB";

export const formatTime = (iso: string, timeZone = "UTC") =>
  new Date(iso).toLocaleString(LOCALE, {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
    timeZoneName: "short",
  });

export const formatDate = (iso: string, timeZone = "UTC") =>
  new Date(iso).toLocaleDateString(LOCALE, { dateStyle: "medium", timeZone });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "just now", "5 minutes ago", "yesterday", "in 2 days": how long ago `iso` was at `now`. */
export function formatRelative(iso: string, now: number): string {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.trunc(seconds / size), unit);
  }
  return "just now";
}
