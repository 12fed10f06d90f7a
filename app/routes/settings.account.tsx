import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { forwardCookies } from "~/auth/cookies.server";
import {
  hasPassword,
  isCurrentPassword,
  PASSWORD_FIRST,
  requireRecentAuth,
  WRONG_CURRENT_PASSWORD,
} from "~/auth/guards.server";
import { CurrentPasswordSchema } from "~/auth/password";
import { redirectWithFlash } from "~/flash.server";
import { readFormData } from "~/http.server";
import { FieldErrors, SubmitButton } from "~/ui/form-controls";
import { ErrorSummary, Field } from "~/ui/forms";
import { PasswordFirst } from "~/ui/password-first";

export const meta: MetaFunction = () => [{ title: "Account · Settings · Todo" }];

const DeleteAccountSchema = z.object({
  intent: z.literal("delete-account"),
  currentPassword: CurrentPasswordSchema,
  confirm: z.literal("on", { error: "Tick the box to confirm that everything will be deleted" }),
});

const AccountIntentSchema = z.discriminatedUnion(
  "intent",
  [z.object({ intent: z.literal("export") }), DeleteAccountSchema],
  {
    error: "Unknown action",
  },
);

/** Exporting and deleting are both sensitive: the window is asked for on arrival, before typing. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireRecentAuth(request, context);
  return { hasPassword: await hasPassword(context, user.id) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireRecentAuth(request, context);
  const submission = parseWithZod(await readFormData(request), { schema: AccountIntentSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply({ hideFields: ["currentPassword"] }) }, { status: 400 });
  }
  const { accounts, auth } = context.services;
  switch (submission.value.intent) {
    case "export":
      return redirect("/settings/account/export", 303);
    case "delete-account": {
      await context.rateLimit("password");
      if (!(await hasPassword(context, user.id))) {
        return data(
          { result: submission.reply({ formErrors: [PASSWORD_FIRST], hideFields: ["currentPassword"] }) },
          { status: 400 },
        );
      }
      if (!(await isCurrentPassword(request, context, submission.value.currentPassword))) {
        return data(
          {
            result: submission.reply({
              fieldErrors: { currentPassword: [WRONG_CURRENT_PASSWORD] },
              hideFields: ["currentPassword"],
            }),
          },
          { status: 400 },
        );
      }
      await accounts.delete(user.id);
      // The sessions went with the account; this clears the cookies in this browser too.
      const { headers } = await auth.api.signOut({ headers: request.headers, returnHeaders: true });
      return redirectWithFlash(
        context,
        "/",
        { kind: "success", message: "Your account and everything in it have been deleted. Goodbye!" },
        forwardCookies(headers),
      );
    }
  }
}

export default function Account() {
  const { hasPassword } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "delete-account",
    lastResult: actionData?.result,
    constraint: getZodConstraint(DeleteAccountSchema),
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: DeleteAccountSchema }),
  });
  const { key: _key, ...confirmProps } = getInputProps(fields.confirm, { type: "checkbox", value: "on" });
  return (
    <>
      <section className="card">
        <h2>Export your data</h2>
        <p className="muted">Download your profile, todos, sessions and security activity as a JSON file.</p>
        {/* A plain post even with JavaScript: it ends in a file download, not a page. */}
        <Form method="post" reloadDocument>
          <button type="submit" name="intent" value="export" className="button">
            Download my data
          </button>
        </Form>
      </section>

      <section className="card danger-zone">
        <h2>Delete your account</h2>
        <p className="muted">
          This deletes your account, your todos, your sessions and your history at once. It cannot be undone.
        </p>
        {hasPassword ? (
          <Form method="post" {...getFormProps(form)}>
            <ErrorSummary
              form={form}
              fields={[
                { label: "Current password", field: fields.currentPassword },
                { label: "Confirmation", field: fields.confirm },
              ]}
            />
            <Field
              label="Current password"
              field={fields.currentPassword}
              type="password"
              autoComplete="current-password"
            />
            <div className="field checkbox">
              <input {...confirmProps} />
              <label htmlFor={fields.confirm.id}>I understand that everything will be deleted for good</label>
              <FieldErrors id={fields.confirm.errorId} errors={fields.confirm.errors} />
            </div>
            <SubmitButton
              name="intent"
              value="delete-account"
              className="button danger"
              pendingText="Deleting…"
            >
              Delete my account
            </SubmitButton>
          </Form>
        ) : (
          <PasswordFirst toDo="delete your account" />
        )}
      </section>
    </>
  );
}
