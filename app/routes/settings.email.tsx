import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { originOf } from "../audit/audit.server";
import { hasPassword, requireRecentAuth, requireUser } from "../http/guards.server";
import { ChangeEmailSchema } from "../auth/schemas";
import { redirectWithFlash } from "../http/flash.server";
import { checkCurrentPassword } from "../http/current-password.server";
import type { FormFailure } from "../http/failure";
import { refuseSubmission } from "../http/failure.server";
import { intentSchemaDefaulting } from "../http/intents";
import { readFormData } from "../http/form-data.server";
import { SettingsSection } from "../ui/cards";
import { SubmitButton } from "../ui/form-controls";
import { CurrentPasswordField, Field, useValidatedForm, ValidatedForm } from "../ui/forms";
import { PasswordFirst } from "../ui/password-first";

export const meta: MetaFunction = () => [{ title: "Email address · Settings · Todo" }];

// A plain HTML client may post just the form's two fields (newEmail, currentPassword), without an intent.
const EmailIntentSchema = intentSchemaDefaulting("change-email", [
  ChangeEmailSchema,
  z.object({ intent: z.literal("cancel") }),
]);

/** The page is for changing the address: the window is asked for before typing (cancelling alone needs none). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireRecentAuth(request, context);
  const pending = await context.services.emailChanges.pending(user.id);
  return {
    email: user.email,
    hasPassword: await hasPassword(context, user.id),
    pending: pending ? { newEmail: pending.newEmail, expiresAt: pending.expiresAt.toISOString() } : null,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readFormData(request);
  // Only a new address is sensitive: cancelling a pending change (which the password already guarded) needs no window.
  const { user } =
    formData.get("intent") === "cancel"
      ? await requireUser(request, context)
      : await requireRecentAuth(request, context);
  const submission = parseWithZod(formData, { schema: EmailIntentSchema });
  if (submission.status !== "success") return refuseSubmission(submission);
  const { emailChanges } = context.services;
  const origin = originOf(request.headers);
  const form = submission.value;
  switch (form.intent) {
    case "change-email": {
      await context.rateLimit("email-change");
      if (form.newEmail === user.email) {
        return refuseSubmission(submission, { fieldErrors: { newEmail: ["That is already your address"] } });
      }
      const password = form.currentPassword;
      const refusal = await checkCurrentPassword(request, context, { userId: user.id, password });
      if (refusal) return refuseSubmission(submission, refusal);
      await emailChanges.request(user, form.newEmail, origin);
      return redirectWithFlash(context, "/settings/email", {
        kind: "info",
        message: `We sent a link to ${form.newEmail}. Your address changes once you open it.`,
      });
    }
    case "cancel":
      await emailChanges.cancel(user.id);
      return redirectWithFlash(context, "/settings/email", {
        kind: "info",
        message: "The change has been cancelled.",
      });
  }
}

export default function EmailSettings() {
  const { email, hasPassword, pending } = useLoaderData<typeof loader>();
  const actionData = useActionData<FormFailure>();
  const [form, fields] = useValidatedForm("change-email", ChangeEmailSchema, actionData?.result);
  return (
    <SettingsSection
      title="Email address"
      intro={
        <>
          Your address is <strong>{email}</strong>. A new one takes effect once you open the link we send to
          it.
        </>
      }
    >
      {pending ? (
        <div className="pending">
          <p>
            Waiting for <strong>{pending.newEmail}</strong> to be confirmed.
          </p>
          <Form method="post">
            <SubmitButton name="intent" value="cancel" className="button small" pendingText="Cancelling…">
              Cancel the change
            </SubmitButton>
          </Form>
        </div>
      ) : null}
      {hasPassword ? (
        <ValidatedForm
          form={form}
          labels={{ newEmail: "New email address", currentPassword: "Current password" }}
        >
          <input type="hidden" name="intent" value="change-email" />
          <Field label="New email address" field={fields.newEmail} type="email" autoComplete="email" />
          <CurrentPasswordField field={fields.currentPassword} />
          <SubmitButton pendingText="Sending…">Send confirmation link</SubmitButton>
        </ValidatedForm>
      ) : (
        <PasswordFirst toDo="change your address" />
      )}
    </SettingsSection>
  );
}
