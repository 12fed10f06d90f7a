import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { requireUser } from "../http/guards.server";

export const meta: MetaFunction = () => [{ title: "Settings · Todo" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  return null;
}

const PAGES = [
  { to: "/settings/profile", label: "Profile" },
  { to: "/settings/email", label: "Email" },
  { to: "/settings/password", label: "Password" },
  { to: "/settings/connections", label: "Connections" },
  { to: "/settings/two-factor", label: "Two-step sign-in" },
  { to: "/settings/passkeys", label: "Passkeys" },
  { to: "/settings/sessions", label: "Sessions" },
  { to: "/settings/security", label: "Security activity" },
  { to: "/settings/account", label: "Account" },
];

/** The settings area: a navigation between its pages, each a plain form. */
export default function Settings() {
  return (
    <div className="settings">
      <h1>Settings</h1>
      <nav aria-label="Settings" className="settings-nav">
        <ul>
          {PAGES.map((page) => (
            <li key={page.to}>
              <NavLink to={page.to}>{page.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </div>
  );
}
