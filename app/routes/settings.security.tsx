import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AUDIT_EVENT_TYPES, type AuditEventType } from "../audit/audit.server";
import { requireUser } from "../http/guards.server";
import { providerDisplayName } from "../auth/providers.server";
import type { Config } from "../config.server";
import { describeUserAgent } from "../auth/sessions.server";
import { SettingsSection } from "../ui/cards";
import { LocalTime } from "../ui/local-time";

export const meta: MetaFunction = () => [{ title: "Security activity · Settings · Todo" }];

const isEventType = (type: string): type is AuditEventType => type in AUDIT_EVENT_TYPES;

/** What happened, in words; events that concern a sign-in provider name it. */
function labelOf(config: Config, type: string, provider: string | null): string {
  if (provider === "passkey" && type === "sign-in") return "Signed in with a passkey";
  if (provider === "passkey" && type === "reauthenticated") return "Passkey confirmed for a sensitive change";
  if (provider !== null) {
    const name = providerDisplayName(config, provider);
    switch (type) {
      case "sign-in":
        return `Signed in with ${name}`;
      case "provider-linked":
        return `${name} connected`;
      case "provider-unlinked":
        return `${name} disconnected`;
    }
  }
  return isEventType(type) ? AUDIT_EVENT_TYPES[type] : type;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireUser(request, context);
  const events = await context.services.audit.forOwner(user.id).recent(50);
  return {
    events: events.map((event) => {
      const { browser, os } = describeUserAgent(event.userAgent);
      return {
        id: event.id,
        label: labelOf(context.services.config, event.type, event.provider),
        type: event.type,
        at: event.createdAt.toISOString(),
        ipAddress: event.ipAddress ?? "unknown",
        device: `${browser} on ${os}`,
      };
    }),
  };
}

export default function SecurityActivity() {
  const { events } = useLoaderData<typeof loader>();
  return (
    <SettingsSection
      title="Security activity"
      intro="The last 50 events of your account: its creation, sign-ins, failed and refused attempts, and changes. Something you do not recognise? Change your password and sign out other sessions."
    >
      {events.length === 0 ? (
        <p className="empty-state">Nothing yet.</p>
      ) : (
        <table className="events">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Address</th>
              <th scope="col">Device</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.id} data-type={event.type}>
                <td>
                  <LocalTime iso={event.at} />
                </td>
                <td>{event.label}</td>
                <td>{event.ipAddress}</td>
                <td>{event.device}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </SettingsSection>
  );
}
