import { useRouteLoaderData } from "@remix-run/react";
import { useEffect, useSyncExternalStore } from "react";
import { formatDate, formatRelative, formatTime } from "./format";
import { TIME_ZONE_COOKIE } from "./time-zone";

/** The zone the server rendered in (the root loader's): the first client render must match it. */
function useRenderedTimeZone(): string {
  const data = useRouteLoaderData<{ timeZone?: string | null }>("root");
  return data?.timeZone ?? "UTC";
}

const subscribeToNothing = () => () => {};

/** The browser's own zone once JavaScript runs; until then, the one the server rendered in. */
function useReaderTimeZone(rendered: string): string {
  const zone = useSyncExternalStore(
    subscribeToNothing,
    () => Intl.DateTimeFormat().resolvedOptions().timeZone || rendered,
    () => rendered,
  );
  // Remembered so that the next page comes from the server in this zone already.
  useEffect(() => {
    if (zone === rendered) return;
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = `${TIME_ZONE_COOKIE}=${encodeURIComponent(zone)}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
  }, [zone, rendered]);
  return zone;
}

const minuteListeners = new Set<() => void>();
let minuteTimer: ReturnType<typeof setInterval> | undefined;

/** One timer for every time on the page, running while any is shown. */
function subscribeToMinutes(listener: () => void) {
  minuteListeners.add(listener);
  minuteTimer ??= setInterval(() => minuteListeners.forEach((notify) => notify()), 60_000);
  return () => {
    minuteListeners.delete(listener);
    if (minuteListeners.size === 0) {
      clearInterval(minuteTimer);
      minuteTimer = undefined;
    }
  };
}

/** Now, to the minute, once JavaScript runs; null in the server's HTML (it has no "now" the client agrees with). */
function useNow(): number | null {
  return useSyncExternalStore(
    subscribeToMinutes,
    () => Math.floor(Date.now() / 60_000) * 60_000,
    () => null,
  );
}

/**
 * A moment as `<time>`: without JavaScript the date and time in the reader's zone (UTC until the
 * browser has said otherwise), the zone named; with it, how long ago, the full time on hover.
 */
export function LocalTime({ iso, precision = "minute" }: { iso: string; precision?: "minute" | "day" }) {
  const rendered = useRenderedTimeZone();
  const zone = useReaderTimeZone(rendered);
  const now = useNow();
  const absolute = precision === "day" ? formatDate(iso, zone) : formatTime(iso, zone);
  const full = formatTime(iso, zone);
  return (
    <time dateTime={iso} title={full}>
      {now === null ? absolute : formatRelative(iso, now)}
    </time>
  );
}
