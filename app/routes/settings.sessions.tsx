import { parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { originOf } from "../audit/audit.server";
import { requireUser } from "../http/guards.server";
import { redirectWithFlash } from "../http/flash.server";
import { intentSchema } from "../http/intents";
import { readFormData } from "../http/form-data.server";
import { ItemActionForm, SubmitButton } from "../ui/form-controls";
import { SettingsSection } from "../ui/cards";
import { LocalTime } from "../ui/local-time";

export const meta: MetaFunction = () => [{ title: "Sessions · Settings · Todo" }];

const SessionIntentSchema = intentSchema([
  z.object({ intent: z.literal("revoke"), sessionId: z.string().min(1).max(100) }),
  z.object({ intent: z.literal("revoke-others") }),
]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, session } = await requireUser(request, context);
  // Ids and descriptions only: no session's token ever reaches the page or its data.
  return { sessions: await context.services.sessions.forOwner(user.id).list(session.id) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, session } = await requireUser(request, context);
  const submission = parseWithZod(await readFormData(request), { schema: SessionIntentSchema });
  if (submission.status !== "success") throw data("That request was not understood.", { status: 400 });
  const sessions = context.services.sessions.forOwner(user.id);
  const form = submission.value;
  switch (form.intent) {
    case "revoke": {
      if (!(await sessions.revoke(form.sessionId, originOf(request.headers))))
        throw data("There is no such session.", { status: 404 });
      if (form.sessionId === session.id) {
        return redirectWithFlash(context, "/login", {
          kind: "info",
          message: "This session has been signed out.",
        });
      }
      return redirectWithFlash(context, "/settings/sessions", {
        kind: "success",
        message: "That session has been signed out.",
      });
    }
    case "revoke-others": {
      const ended = await sessions.revokeOthers(session.id, originOf(request.headers));
      return redirectWithFlash(context, "/settings/sessions", {
        kind: "success",
        message: `Signed out ${ended} other ${ended === 1 ? "session" : "sessions"}.`,
      });
    }
  }
}

export default function Sessions() {
  const { sessions } = useLoaderData<typeof loader>();
  const others = sessions.filter((item) => !item.current).length;
  return (
    <SettingsSection
      title="Sessions"
      intro="Every browser signed in to your account. Sign out any you do not recognise."
    >
      <ul className="item-list" aria-label="Signed-in browsers">
        {sessions.map((item) => (
          <li key={item.id} className="item-row">
            <div>
              <p>
                <strong>
                  {item.browser} on {item.os}
                </strong>
                {item.current ? <span className="badge">This device</span> : null}
              </p>
              <p className="muted">
                {item.ipAddress} · signed in <LocalTime iso={item.createdAt} /> · last active{" "}
                <LocalTime iso={item.lastActiveAt} />
              </p>
              <p className="muted">Signed in with: {item.signedInWith}</p>
            </div>
            {item.current ? null : (
              <ItemActionForm
                hidden={{ sessionId: item.id }}
                intent="revoke"
                label="Sign out"
                itemName={`${item.browser} on ${item.os} (${item.ipAddress})`}
              />
            )}
          </li>
        ))}
      </ul>
      {others > 0 ? (
        <Form method="post">
          <SubmitButton name="intent" value="revoke-others" className="button" pendingText="Signing out…">
            Sign out every other session
          </SubmitButton>
        </Form>
      ) : null}
    </SettingsSection>
  );
}
