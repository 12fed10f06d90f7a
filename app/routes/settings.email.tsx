import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { originOf } from "~/audit/audit.server";
import {
  hasPassword,
  isCurrentPassword,
  PASSWORD_FIRST,
  requireRecentAuth,
  requireUser,
  WRONG_CURRENT_PASSWORD,
} from "~/auth/guards.server";
import { CurrentPasswordSchema } from "~/auth/password";
import { redirectWithFlash } from "~/flash.server";
import { readFormData } from "~/http.server";
import { SubmitButton } from "~/ui/form-controls";
import { ErrorSummary, Field } from "~/ui/forms";
import { PasswordFirst } from "~/ui/password-first";
import { EmailSchema } from "~/validation";

export const meta: MetaFunction = () => [{ title: "Email address · Settings · Todo" }];

const ChangeEmailSchema = z.object({
  intent: z.literal("change-email"),
  newEmail: EmailSchema,
  currentPassword: CurrentPasswordSchema,
});

const EmailIntentSchema = z.preprocess(
  // A plain client may post just the two fields the contract names.
  (value) =>
    typeof value === "object" && value !== null && !("intent" in value)
      ? { ...value, intent: "change-email" }
      : value,
  z.discriminatedUnion("intent", [ChangeEmailSchema, z.object({ intent: z.literal("cancel") })], {
    error: "Unknown action",
  }),
);

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
  if (submission.status !== "success") {
    return data(
      { result: submission.reply({ hideFields: ["currentPassword"] }), linkFailed: false },
      { status: 400 },
    );
  }
  const { emailChanges } = context.services;
  const origin = originOf(request.headers);
  const form = submission.value;
  switch (form.intent) {
    case "change-email": {
      await context.rateLimit("email-change");
      const fieldError = (field: string, message: string) =>
        data(
          {
            result: submission.reply({
              fieldErrors: { [field]: [message] },
              hideFields: ["currentPassword"],
            }),
            linkFailed: false,
          },
          { status: 400 },
        );
      if (!(await hasPassword(context, user.id))) {
        return data(
          {
            result: submission.reply({ formErrors: [PASSWORD_FIRST], hideFields: ["currentPassword"] }),
            linkFailed: false,
          },
          { status: 400 },
        );
      }
      if (form.newEmail === user.email) return fieldError("newEmail", "That is already your address");
      if (!(await isCurrentPassword(request, context, form.currentPassword))) {
        return fieldError("currentPassword", WRONG_CURRENT_PASSWORD);
      }
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
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "change-email",
    lastResult: actionData?.result,
    constraint: getZodConstraint(ChangeEmailSchema),
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ChangeEmailSchema }),
  });

  return (
    <section className="card">
      <h2>Email address</h2>
      <p className="muted">
        Your address is <strong>{email}</strong>. A new one takes effect once you open the link we send to it.
      </p>
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
        <Form method="post" {...getFormProps(form)}>
          <input type="hidden" name="intent" value="change-email" />
          <ErrorSummary
            form={form}
            fields={[
              { label: "New email address", field: fields.newEmail },
              { label: "Current password", field: fields.currentPassword },
            ]}
          />
          <Field label="New email address" field={fields.newEmail} type="email" autoComplete="email" />
          <Field
            label="Current password"
            field={fields.currentPassword}
            type="password"
            autoComplete="current-password"
          />
          <SubmitButton pendingText="Sending…">Send confirmation link</SubmitButton>
        </Form>
      ) : (
        <PasswordFirst toDo="change your address" />
      )}
    </section>
  );
}
