import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Fragment } from "react";
import { devMailboxAvailable } from "../http/dev-mailbox.server";

export const meta: MetaFunction = () => [{ title: "Dev mailbox · Todo" }];

/** Development only: every mail the app has written, newest first. A 404 elsewhere. */
export async function loader({ context }: LoaderFunctionArgs) {
  if (!devMailboxAvailable(context)) throw data("There is no page at this address.", { status: 404 });
  const mails = await context.services.mail.recent(50);
  return {
    mails: mails.map((mail) => ({
      id: mail.id,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      createdAt: mail.createdAt.toISOString(),
      status: mail.sentAt ? "delivered" : mail.failedAt ? "failed" : "queued",
    })),
  };
}

/** The text part with its links made clickable. */
function LinkedText({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"]+)/g);
  return (
    <pre className="mail-text">
      {parts.map((part, index) =>
        /^https?:\/\//.test(part) ? (
          <a key={index} href={part}>
            {part}
          </a>
        ) : (
          <Fragment key={index}>{part}</Fragment>
        ),
      )}
    </pre>
  );
}

export default function DevMailbox() {
  const { mails } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Dev mailbox</h1>
      <p className="muted">
        Outside production, without <code>SMTP_URL</code>, mail stays here instead of being sent. Newest
        first.
      </p>
      {mails.length === 0 ? <p className="empty-state">No mail yet.</p> : null}
      <ol className="mailbox">
        {mails.map((mail) => (
          <li key={mail.id} className="card mail">
            <h2>{mail.subject}</h2>
            <p className="muted">
              To <strong>{mail.to}</strong> · <time dateTime={mail.createdAt}>{mail.createdAt}</time> ·{" "}
              {mail.status} · <a href={`/dev/mail/${mail.id}`}>HTML version</a>
            </p>
            <LinkedText text={mail.text} />
          </li>
        ))}
      </ol>
    </section>
  );
}
