import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import helmet from "helmet";

export interface HeaderOptions {
  https: boolean;
  /** Vite's dev server needs inline styles and a websocket; production needs neither. */
  development: boolean;
  nonceOf(response: ServerResponse): string;
  /**
   * Origins besides ours that a form post may lead to: the sign-in providers,
   * whose buttons post to us and are answered with a redirect to them (which
   * `form-action` governs too).
   */
  formTargets?: string[];
}

/** Stands for the nonce while the policy is written once; never a nonce's character (base64). */
const NONCE_MARK = "\u0000nonce\u0000";

/** The headers a helmet middleware sets, run once against a recorder instead of per response. */
function headersSetBy(middleware: ReturnType<typeof helmet>): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers.push([name, String(value)]);
      return recorder;
    },
    removeHeader: () => {},
  };
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, () => {});
  return headers;
}

/**
 * The security headers of every response, pages, errors and API alike: a CSP
 * whose scripts must carry this response's nonce, no plugins, no `<base>`, no
 * framing; no MIME sniffing; no referrer beyond this site; HSTS over https.
 *
 * helmet writes them, once at start: per response only the nonce changes, so
 * each response costs a few `setHeader` calls and one string concatenation
 * (helmet itself rebuilt the policy for every response; docs/performance.md).
 */
export function securityHeaders({
  https,
  development,
  nonceOf,
  formTargets = [],
}: HeaderOptions): RequestHandler {
  const written = headersSetBy(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          "default-src": ["'self'"],
          "script-src": ["'self'", `'nonce-${NONCE_MARK}'`],
          "style-src": development ? ["'self'", "'unsafe-inline'"] : ["'self'"],
          "img-src": ["'self'", "data:"],
          "font-src": ["'self'"],
          "connect-src": development ? ["'self'", "ws:", "wss:"] : ["'self'"],
          "form-action": ["'self'", ...formTargets],
          "object-src": ["'none'"],
          "base-uri": ["'none'"],
          "frame-ancestors": ["'none'"],
          ...(https ? { "upgrade-insecure-requests": [] } : {}),
        },
      },
      // Not `no-referrer`: under it browsers post a page's own forms with `Origin: null`.
      referrerPolicy: { policy: "same-origin" },
      crossOriginOpenerPolicy: { policy: "same-origin" },
      crossOriginResourcePolicy: { policy: "same-origin" },
      strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      xFrameOptions: { action: "deny" },
    }),
  );
  const policy = written.find(([name]) => name.toLowerCase() === "content-security-policy")?.[1];
  const [before, after, ...rest] = policy?.split(NONCE_MARK) ?? [];
  if (before === undefined || after === undefined || rest.length > 0) {
    throw new Error("the content security policy has no place for the nonce");
  }
  const fixed = written.filter(([name]) => name.toLowerCase() !== "content-security-policy");
  return (_req, res, next) => {
    for (const [name, value] of fixed) res.setHeader(name, value);
    res.setHeader("Content-Security-Policy", before + nonceOf(res) + after);
    next();
  };
}
