import { SESSION_COOKIE, sessionCookieName } from "../app/auth/session-cookie";
import { escapeRegExp } from "./regexp";

/** The session cookie's name, with or without a `__Secure-` or `__Host-` prefix, as a regular expression's source. */
export const SESSION_COOKIE_PATTERN = `(?:__Secure-|__Host-)?${escapeRegExp(SESSION_COOKIE)}`;

/**
 * A browser's cookies for one site, by name: what Set-Cookie lines set, minus
 * what they expire. Paths and domains are not told apart (every test site is
 * one origin, or several instances of one behind a balancer).
 */
export class CookieJar extends Map<string, string> {
  /** Keeps what each `Set-Cookie` line sets; forgets what it deletes (empty value, Max-Age=0, Expires past). */
  store(setCookieLines: Iterable<string>): void {
    for (const line of setCookieLines) {
      const [pair = "", ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      if (at < 1) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === "" || attributes.some(expires)) this.delete(name);
      else this.set(name, value);
    }
  }

  /** The `Cookie` header this jar sends: `name=value; …`, empty when it holds none. */
  header(): string {
    return [...this].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** The session token in the session cookie (the part before its signature), with or without the `__Secure-` prefix. */
  sessionToken(): string | null {
    const signed = this.get(SESSION_COOKIE) ?? this.get(sessionCookieName(true));
    if (signed === undefined) return null;
    const value = decodeURIComponent(signed);
    const at = value.lastIndexOf(".");
    return at < 0 ? value : value.slice(0, at);
  }
}

/** Whether a Set-Cookie attribute ends the cookie at once. */
function expires(attribute: string): boolean {
  const [name = "", value = ""] = attribute.split("=", 2).map((part) => part.trim());
  if (/^max-age$/i.test(name)) return Number(value) <= 0;
  if (/^expires$/i.test(name)) return Date.parse(value) <= Date.now();
  return false;
}
