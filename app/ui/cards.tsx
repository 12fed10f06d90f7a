import { Link } from "@remix-run/react";
import type { ReactNode } from "react";

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

/** A page of the settings area: its heading, a line on what it is for, then its forms. */
export function SettingsSection({
  title,
  intro,
  className = "card",
  children,
}: {
  title: string;
  intro: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  return (
    <section className={className}>
      <h2>{title}</h2>
      <p className="muted">{intro}</p>
      {children}
    </section>
  );
}
