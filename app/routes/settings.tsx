import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet, useLocation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { requireUser } from "../http/guards.server";
import stylesheet from "../styles/settings.css?url";
import { FLASH_IN_SECTION } from "../ui/flash";
import { SETTINGS_PAGES } from "../ui/settings-pages";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: stylesheet }];

export const meta: MetaFunction = () => [{ title: "Settings · Todo" }];

/** Each settings page shows what its form did beside that form (SettingsSection), not atop the page. */
export const handle = FLASH_IN_SECTION;

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  return null;
}

/**
 * The settings area: a list of its pages (a sidebar on a wide screen, one scrollable row on a
 * phone), then the page, each a plain form.
 */
export default function Settings() {
  return (
    <div className="settings">
      <h1>Settings</h1>
      <div className="settings-layout">
        <SettingsNav />
        <div className="settings-page">
          <Outlet />
        </div>
      </div>
    </div>
  );
}

function SettingsNav() {
  const list = useRef<HTMLUListElement>(null);
  const { pathname } = useLocation();
  // On a phone the row scrolls sideways: bring the current page's link into view.
  useEffect(() => {
    const row = list.current;
    const current = row?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!row || !current || row.scrollWidth <= row.clientWidth) return;
    row.scrollLeft = current.offsetLeft - (row.clientWidth - current.offsetWidth) / 2;
  }, [pathname]);
  return (
    <nav aria-label="Settings" className="settings-nav">
      <ul ref={list}>
        {SETTINGS_PAGES.map((page) => (
          <li key={page.to}>
            <NavLink to={page.to}>{page.label}</NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
