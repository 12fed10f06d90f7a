import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useMatches,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import stylesheet from "./styles/app.css?url";
import { AccountMenu } from "./ui/account-menu";
import { FlashMessage, showsFlashItself } from "./ui/flash";
import { REQUEST_ID_META, useRequestInfo } from "./ui/request-info";
import { timeZoneFromCookieHeader } from "./ui/time-zone";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.ico", sizes: "32x32" },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Todo" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const [session, flash] = await Promise.all([context.getSession(), context.getFlash()]);
  return {
    user: session ? { name: session.user.name } : null,
    flash: flash ? { kind: flash.kind, message: flash.message } : null,
    // Times are rendered in it (ui/local-time.tsx); null until the browser has said.
    timeZone: timeZoneFromCookieHeader(request.headers.get("Cookie")),
  };
}

export function Layout({ children }: { children: ReactNode }) {
  const { nonce, requestId } = useRequestInfo();
  const data = useRouteLoaderData<typeof loader>("root");
  const user = data?.user ?? null;
  // A page that shows the message beside the form it answers (the settings) says so in its handle.
  const flash = showsFlashItself(useMatches()) ? null : (data?.flash ?? null);
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name={REQUEST_ID_META} content={requestId} />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <div className="container header-row">
            <Link to={user ? "/todos" : "/"} className="brand">
              <span className="brand-mark" aria-hidden="true">
                ✓
              </span>
              <span className="brand-name">Todo</span>
            </Link>
            <nav aria-label="Account" className="account-nav">
              {user ? (
                <AccountMenu name={user.name} />
              ) : (
                <>
                  <Link to="/login">Sign in</Link>
                  <Link to="/signup" className="button primary small">
                    Sign up
                  </Link>
                </>
              )}
            </nav>
          </div>
        </header>
        <main id="main" className="container" tabIndex={-1}>
          {flash ? <FlashMessage flash={flash} /> : null}
          {children}
        </main>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

/** Headings (and default words) for the error answers a person meets. */
const KNOWN_ERRORS: Partial<Record<number, { title: string; message: string }>> = {
  404: { title: "Page not found", message: "There is no page at this address." },
  429: { title: "Too many attempts", message: "Please wait a few minutes, then try again." },
  // Both a busy moment (password checks queued) and a database outage.
  503: { title: "Temporarily unavailable", message: "Please try again in a few seconds." },
};

export function ErrorBoundary() {
  const error = useRouteError();
  const { requestId } = useRequestInfo();
  if (isRouteErrorResponse(error)) {
    const known = KNOWN_ERRORS[error.status];
    const message =
      typeof error.data === "string" && error.data
        ? error.data
        : (known?.message ?? "That request could not be handled.");
    return (
      <section className="card narrow error-page">
        <h1>{known?.title ?? `Error ${error.status}`}</h1>
        <p>{message}</p>
        <p>
          <Link to="/">Go to the home page</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="card narrow error-page">
      <h1>Something went wrong</h1>
      <p>We could not finish that request. It has been logged; please try again in a moment.</p>
      {requestId ? (
        <p className="muted">
          Reference: <code>{requestId}</code>
        </p>
      ) : null}
      <p>
        <Link to="/">Go to the home page</Link>
      </p>
    </section>
  );
}
