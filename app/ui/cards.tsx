import { Link } from "@remix-run/react";
import type { ComponentProps, ReactNode } from "react";
import { FlashMessage, useSectionFlash } from "./flash";
import { ItemActionForm } from "./form-controls";

/** A page of its own, narrow (signing in, the pages of mail links): its heading, then its content. */
export function PageCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card narrow">
      <h1>{title}</h1>
      {children}
    </section>
  );
}

/** A mail link's page once the link no longer works: why, and the one way on. */
export function DeadLinkCard({ reason, to, label }: { reason: string; to: string; label: string }) {
  return (
    <PageCard title="This link no longer works">
      <p>{reason}</p>
      <p>
        <Link to={to} className="button primary">
          {label}
        </Link>
      </p>
    </PageCard>
  );
}

/**
 * A page of the settings area: its heading, a line on what it is for, the answer to what was just
 * submitted here (next to the form, not at the top of the page), then its forms.
 */
export function SettingsSection({
  title,
  intro,
  className = "card",
  showsFlash = true,
  children,
}: {
  title: string;
  intro: ReactNode;
  className?: string;
  /** False for a section of a page whose other section answers its forms. */
  showsFlash?: boolean;
  children: ReactNode;
}) {
  const flash = useSectionFlash();
  return (
    <section className={className}>
      <h2>{title}</h2>
      <p className="muted">{intro}</p>
      {showsFlash && flash ? <FlashMessage flash={flash} /> : null}
      {children}
    </section>
  );
}

/** One row of a settings list: what it is, a line about it, its forms, and its one-button action. */
export function ItemRow({
  title,
  details,
  action,
  children,
}: {
  title: string;
  details: ReactNode;
  action: Omit<ComponentProps<typeof ItemActionForm>, "itemName">;
  children?: ReactNode;
}) {
  return (
    <li className="item-row">
      <div>
        <p>
          <strong>{title}</strong>
        </p>
        <p className="muted">{details}</p>
      </div>
      {children}
      <ItemActionForm {...action} itemName={title} />
    </li>
  );
}

/** A settings list, or a line saying it is empty. */
export function ItemList<Item>({
  items,
  label,
  emptyText,
  children,
}: {
  items: Item[];
  label: string;
  emptyText: string;
  children: (item: Item) => ReactNode;
}) {
  if (items.length === 0) return <p className="empty-state">{emptyText}</p>;
  return (
    <ul className="item-list" aria-label={label}>
      {items.map(children)}
    </ul>
  );
}

/** A message at the top of a section: an error is announced at once, a success politely. */
export function Notice({ kind, children }: { kind: "error" | "success"; children: ReactNode }) {
  return (
    <p className={`flash ${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </p>
  );
}
