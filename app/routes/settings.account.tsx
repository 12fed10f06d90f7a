import { getInputProps } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { redirect } from "@remix-run/node";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { forwardCookies } from "../http/cookies.server";
import { hasPassword, requireRecentAuth } from "../http/guards.server";
import { DeleteAccountSchema } from "../auth/schemas";
import { redirectWithFlash } from "../http/flash.server";
import { checkCurrentPassword } from "../http/current-password.server";
import type { FormFailure } from "../http/failure";
import { refuseSubmission } from "../http/failure.server";
import { intentSchema } from "../http/intents";
import { readFormData } from "../http/form-data.server";
import { SettingsSection } from "../ui/cards";
import { FieldErrors, SubmitButton } from "../ui/form-controls";
import { CurrentPasswordField, useValidatedForm, ValidatedForm } from "../ui/forms";
import { PasswordFirst } from "../ui/password-first";

export const meta: MetaFunction = () => [{ title: "Account · Settings · Todo" }];

const AccountIntentSchema = intentSchema([z.object({ intent: z.literal("export") }), DeleteAccountSchema]);

/** Exporting and deleting are both sensitive: the window is asked for on arrival, before typing. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireRecentAuth(request, context);
  return { hasPassword: await hasPassword(context, user.id) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireRecentAuth(request, context);
  const submission = parseWithZod(await readFormData(request), { schema: AccountIntentSchema });
  if (submission.status !== "success") return refuseSubmission(submission);
  const { accounts, auth } = context.services;
  switch (submission.value.intent) {
    case "export":
      return redirect("/settings/account/export", 303);
    case "delete-account": {
      await context.rateLimit("password");
      const password = submission.value.currentPassword;
      const refusal = await checkCurrentPassword(request, context, { userId: user.id, password });
      if (refusal) return refuseSubmission(submission, refusal);
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
  return (
    <>
      <ExportSection />
      <SettingsSection
        title="Delete your account"
        intro="This deletes your account, your todos, your sessions and your history at once. It cannot be undone."
        className="card danger-zone"
        // Deleting ends on the front page; a message for this page belongs to the section above.
        showsFlash={false}
      >
        {hasPassword ? <DeleteAccountForm /> : <PasswordFirst toDo="delete your account" />}
      </SettingsSection>
    </>
  );
}

function ExportSection() {
  return (
    <SettingsSection
      title="Export your data"
      intro="Download your profile, todos, sessions and security activity as a JSON file."
    >
      {/* A plain post even with JavaScript: it ends in a file download, not a page. */}
      <Form method="post" reloadDocument>
        <button type="submit" name="intent" value="export" className="button">
          Download my data
        </button>
      </Form>
    </SettingsSection>
  );
}

function DeleteAccountForm() {
  const actionData = useActionData<FormFailure>();
  const [form, fields] = useValidatedForm("delete-account", DeleteAccountSchema, actionData?.result);
  const { key: _key, ...confirmProps } = getInputProps(fields.confirm, { type: "checkbox", value: "on" });
  return (
    <ValidatedForm form={form} labels={{ currentPassword: "Current password", confirm: "Confirmation" }}>
      <CurrentPasswordField field={fields.currentPassword} />
      <div className="field checkbox">
        <input {...confirmProps} />
        <label htmlFor={fields.confirm.id}>I understand that everything will be deleted for good</label>
        <FieldErrors id={fields.confirm.errorId} errors={fields.confirm.errors} />
      </div>
      <SubmitButton name="intent" value="delete-account" className="button danger" pendingText="Deleting…">
        Delete my account
      </SubmitButton>
    </ValidatedForm>
  );
}
