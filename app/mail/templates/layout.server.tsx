import type { CSSProperties, ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";

/*
 * What every mail shares: the layout (inline styles, the only kind mail
 * clients honour), its building blocks, and the plain-text part's ending.
 */

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

export const APP_NAME = "Todo";

export const style = {
  body: {
    margin: 0,
    padding: "24px 12px",
    background: "#f5f6f8",
    fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    color: "#1b2130",
  },
  card: {
    maxWidth: 520,
    margin: "0 auto",
    background: "#ffffff",
    border: "1px solid #d5dae3",
    borderRadius: 12,
    padding: 28,
  },
  brand: { fontSize: 18, fontWeight: 700, margin: "0 0 20px", color: "#1f55c4" },
  heading: { fontSize: 22, lineHeight: 1.3, margin: "0 0 16px" },
  text: { fontSize: 16, lineHeight: 1.5, margin: "0 0 16px" },
  button: {
    display: "inline-block",
    background: "#1f55c4",
    color: "#ffffff",
    textDecoration: "none",
    fontWeight: 600,
    padding: "12px 20px",
    borderRadius: 10,
  },
  small: { fontSize: 13, lineHeight: 1.5, color: "#566072", margin: "16px 0 0", wordBreak: "break-all" },
} satisfies Record<string, CSSProperties>;

function MailLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
      </head>
      <body style={style.body}>
        <div style={style.card}>
          <p style={style.brand}>✓ {APP_NAME}</p>
          <h1 style={style.heading}>{title}</h1>
          {children}
        </div>
      </body>
    </html>
  );
}

export const P = ({ children }: { children: ReactNode }) => <p style={style.text}>{children}</p>;

export function ActionLink({ href, label }: { href: string; label: string }) {
  return (
    <>
      <p style={style.text}>
        <a href={href} style={style.button}>
          {label}
        </a>
      </p>
      <p style={style.small}>
        If the button does not work, copy this address into your browser:
        <br />
        <a href={href}>{href}</a>
      </p>
    </>
  );
}

export function render(subject: string, body: ReactNode, text: string[]): RenderedMail {
  return {
    subject,
    html: `<!doctype html>${renderToStaticMarkup(<MailLayout title={subject}>{body}</MailLayout>)}`,
    text: [...text, "", `— ${APP_NAME}`].join("\n"),
  };
}
