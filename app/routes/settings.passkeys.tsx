import { parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { originOf } from "../audit/audit.server";
import { describeUserAgent } from "../auth/sessions.server";
import { redirectWithFlash } from "../http/flash.server";
import type { FormFailure } from "../http/failure";
import { refuseSubmission } from "../http/failure.server";
import { readFormData } from "../http/form-data.server";
import { reauthenticatePath, requireRecentAuth } from "../http/guards.server";
import type { PasskeyView } from "../passkeys/owned-passkeys.server";
import { PasskeyNameSchema, PasskeySettingsSchema } from "../passkeys/schemas";
import { SettingsSection, ItemList, ItemRow, Notice } from "../ui/cards";
import { SubmitButton } from "../ui/form-controls";
import { Field, HiddenField, useValidatedForm, ValidatedForm } from "../ui/forms";
import { LocalTime } from "../ui/local-time";
import { AddPasskey } from "../ui/passkeys";

export const meta: MetaFunction = () => [{ title: "Passkeys · Settings · Todo" }];

const PAGE = "/settings/passkeys";

const RenameSchema = z.object({ intent: z.literal("rename"), id: z.string(), name: PasskeyNameSchema });

/** A refused rename (its passkey's form shows why), or a refused removal (the page's alert). */
type ActionData =
  (FormFailure & { id: string | null; error?: undefined }) | { id: null; error: string; result?: undefined };

/** The list and every change need the re-authentication window, as the other ways in do. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireRecentAuth(request, context);
  const { passkeys } = context.services;
  const { browser, os } = describeUserAgent(request.headers.get("user-agent"));
  return {
    available: passkeys.relyingParty.available,
    passkeys: await passkeys.forOwner(user.id).list(),
    defaultName: `${browser} on ${os}`.slice(0, 64),
    reauthenticateTo: reauthenticatePath(PAGE),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireRecentAuth(request, context);
  await context.rateLimit("password");
  const formData = await readFormData(request);
  const submission = parseWithZod(formData, { schema: PasskeySettingsSchema });
  const id = typeof formData.get("id") === "string" ? String(formData.get("id")) : null;
  if (submission.status !== "success") return refuseSubmission(submission, {}, { id });
  const owned = context.services.passkeys.forOwner(user.id);
  const origin = originOf(request.headers);
  const form = submission.value;
  switch (form.intent) {
    case "rename": {
      if (!(await owned.rename(form.id, form.name, origin))) {
        throw data("That passkey is not on your account.", { status: 404 });
      }
      return redirectWithFlash(context, PAGE, {
        kind: "success",
        message: `The passkey is now named “${form.name}”.`,
      });
    }
    case "delete": {
      const result = await owned.remove(form.id, origin);
      switch (result) {
        case "not-found":
          throw data("That passkey is not on your account.", { status: 404 });
        case "last-method":
          return data<ActionData>(
            {
              id: null,
              error:
                "This passkey is the only way you can sign in, so it stays. Set a password, connect a provider or add another passkey first.",
            },
            { status: 400 },
          );
        case "removed":
          return redirectWithFlash(context, PAGE, {
            kind: "success",
            message: "The passkey was removed. It can no longer sign in to your account.",
          });
      }
    }
  }
}

const KIND_LABELS: Record<PasskeyView["kind"], string> = {
  synced: "Synced passkey",
  "device-bound": "Only on this device or security key",
};

export default function PasskeySettings() {
  const { available, passkeys, defaultName, reauthenticateTo } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  return (
    <SettingsSection
      title="Passkeys"
      intro="A passkey signs you in with your fingerprint, face, screen lock or a security key, with no password to type or steal. It counts as both steps of a two-step sign-in."
    >
      {actionData?.error ? <Notice kind="error">{actionData.error}</Notice> : null}
      <ItemList items={passkeys} label="Your passkeys" emptyText="You have no passkey yet.">
        {(passkey) => (
          <PasskeyItem
            key={passkey.id}
            passkey={passkey}
            result={actionData?.id === passkey.id ? actionData.result : undefined}
          />
        )}
      </ItemList>
      <h3>Add a passkey</h3>
      {available ? (
        <AddPasskey defaultName={defaultName} reauthenticateTo={reauthenticateTo} />
      ) : (
        <p className="muted">
          Passkeys need the site on a domain name; this one is reached by an IP address.
        </p>
      )}
    </SettingsSection>
  );
}

function PasskeyItem({
  passkey,
  result,
}: {
  passkey: PasskeyView;
  result: FormFailure["result"] | undefined;
}) {
  const [form, fields] = useValidatedForm(`rename-${passkey.id}`, RenameSchema, result, {
    defaultValue: { intent: "rename", id: passkey.id, name: passkey.name },
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  return (
    <ItemRow
      title={passkey.name}
      details={
        <>
          {KIND_LABELS[passkey.kind]} · Added <LocalTime iso={passkey.createdAt} precision="day" /> · Last
          used {passkey.lastUsedAt ? <LocalTime iso={passkey.lastUsedAt} precision="day" /> : "never"}
        </>
      }
      action={{ hidden: { id: passkey.id }, intent: "delete", label: "Remove", pendingText: "Removing…" }}
    >
      <ValidatedForm form={form} labels={{ name: "Name" }}>
        <HiddenField field={fields.id} />
        <Field label={`New name for ${passkey.name}`} field={fields.name} type="text" autoComplete="off" />
        <SubmitButton name="intent" value="rename" className="button small" pendingText="Renaming…">
          Rename
        </SubmitButton>
      </ValidatedForm>
    </ItemRow>
  );
}
