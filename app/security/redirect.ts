/**
 * Where to send a user after signing in: only a path on this site. Anything
 * that a browser could read as another host (`//evil`, `/\evil`, `https://…`,
 * control characters that browsers strip) falls back to the default.
 */
export function safeRedirect(target: unknown, fallback = "/todos"): string {
  if (typeof target !== "string" || target.length === 0 || target.length > 2048) return fallback;
  if (!target.startsWith("/") || target.startsWith("//") || target.startsWith("/\\")) return fallback;
  // Browsers drop tabs and newlines from URLs and read a backslash as a slash.
  if (/[\u0000-\u001f\u007f\\]/.test(target)) return fallback;
  const base = "http://placeholder.invalid";
  let url: URL;
  try {
    url = new URL(target, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  // Dot segments can leave `//host` behind: `/..//evil` is `//evil` once resolved.
  if (url.pathname.startsWith("//")) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * Whether a URL given to the auth API as a place to send the browser stays on
 * this site: a path that `safeRedirect` keeps as it is, or an absolute URL of
 * `appOrigin`.
 */
export function isSameSiteUrl(value: unknown, appOrigin: string): boolean {
  if (typeof value !== "string") return false;
  if (value.startsWith("/")) return safeRedirect(value, "") === value;
  try {
    const url = new URL(value);
    return url.origin === appOrigin && safeRedirect(`${url.pathname}${url.search}${url.hash}`, "") !== "";
  } catch {
    return false;
  }
}
