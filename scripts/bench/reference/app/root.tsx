import {
  Form,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteLoaderData,
} from "@remix-run/react";
import type { LoaderFunctionArgs } from "@remix-run/node";
import type { ReactNode } from "react";
import stylesheet from "../../../../app/styles/app.css?url";

export const links = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

/** No session: /todos is "signed in" as the bench's first user, every other page anonymous. */
export function loader({ request }: LoaderFunctionArgs) {
  const signedIn = new URL(request.url).pathname === "/todos";
  return { user: signedIn ? { name: "Bench User 0" } : null, flash: null };
}

/** Our root layout's markup, without the request id and nonce (a fixed id of the same length). */
export function Layout({ children }: { children: ReactNode }) {
  const user = useRouteLoaderData<typeof loader>("root")?.user ?? null;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="request-id" content="00000000-0000-4000-8000-000000000000" />
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
              <span aria-hidden="true">✓</span> Todo
            </Link>
            <nav aria-label="Account" className="account-nav">
              {user ? (
                <>
                  <span className="user-name" data-testid="user-name">
                    {user.name}
                  </span>
                  <Link to="/settings/profile">Settings</Link>
                  <Form method="post" action="/logout">
                    <button type="submit" className="button subtle">
                      Sign out
                    </button>
                  </Form>
                </>
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
          {children}
        </main>
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}
