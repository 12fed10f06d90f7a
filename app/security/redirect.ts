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
  return `${url.pathname}${url.search}${url.hash}`;
}
