import { Form, Link, useLocation } from "@remix-run/react";
import { useEffect, useRef } from "react";

/**
 * The signed-in user's menu in the header: a <details> disclosure, so it opens and works without
 * JavaScript. With JavaScript it also closes on Escape (focus back on its button), on a click or
 * focus outside it, and after a navigation (the header stays on screen between pages).
 */
export function AccountMenu({ name }: { name: string }) {
  const menu = useRef<HTMLDetailsElement>(null);
  const location = useLocation();

  // Only on a change of page: a menu opened before the page hydrated stays open.
  const shownAt = useRef(location.key);
  useEffect(() => {
    if (shownAt.current === location.key) return;
    shownAt.current = location.key;
    if (menu.current) menu.current.open = false;
  }, [location.key]);

  useEffect(() => {
    const details = menu.current;
    if (!details) return;
    const close = (returnFocus: boolean) => {
      if (!details.open) return;
      details.open = false;
      if (returnFocus) details.querySelector("summary")?.focus();
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === "Escape" && details.open) {
        event.preventDefault();
        close(details.contains(document.activeElement));
      }
    };
    const onOutside = (event: Event) => {
      if (event.target instanceof Node && !details.contains(event.target)) close(false);
    };
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("pointerdown", onOutside);
    document.addEventListener("focusin", onOutside);
    return () => {
      document.removeEventListener("keydown", onKeyDown);
      document.removeEventListener("pointerdown", onOutside);
      document.removeEventListener("focusin", onOutside);
    };
  }, []);

  return (
    <details className="account-menu" ref={menu}>
      <summary>
        <span className="avatar" aria-hidden="true">
          {initialOf(name)}
        </span>
        <span className="user-name" data-testid="user-name">
          {name}
        </span>
        <span className="visually-hidden">: account menu</span>
      </summary>
      <div className="account-menu-panel">
        <ul>
          <li>
            <Link to="/todos" aria-current={location.pathname === "/todos" ? "page" : undefined}>
              Your todos
            </Link>
          </li>
          <li>
            <Link
              to="/settings/profile"
              aria-current={location.pathname.startsWith("/settings/") ? "page" : undefined}
            >
              Settings
            </Link>
          </li>
        </ul>
        <Form method="post" action="/logout">
          <button type="submit" className="button subtle">
            Sign out
          </button>
        </Form>
      </div>
    </details>
  );
}

/** The first letter of a name (a whole character, even outside the BMP), upper-cased. */
function initialOf(name: string): string {
  const [first = "?"] = Array.from(name.trim());
  return first.toLocaleUpperCase();
}
