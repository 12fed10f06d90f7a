import type { IncomingMessage, ServerResponse } from "node:http";
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

/**
 * The security headers of every response, pages, errors and API alike: a CSP
 * whose scripts must carry this response's nonce, no plugins, no `<base>`, no
 * framing; no MIME sniffing; no referrer beyond this site; HSTS over https.
 */
export function securityHeaders({ https, development, nonceOf, formTargets = [] }: HeaderOptions) {
  const nonce = (_request: IncomingMessage, response: ServerResponse) => `'nonce-${nonceOf(response)}'`;
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'", nonce],
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
  });
}
