import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "../http/guards.server";
import { NAME_MAX, ProfileSchema } from "../auth/schemas";
import { redirectWithFlash } from "../http/flash.server";
import type { FormFailure } from "../http/failure";
import { refuseSubmission } from "../http/failure.server";
import { readFormData } from "../http/form-data.server";
import { SettingsSection } from "../ui/cards";
import { SubmitButton } from "../ui/form-controls";
import { Field, useValidatedForm, ValidatedForm } from "../ui/forms";

export const meta: MetaFunction = () => [{ title: "Profile · Settings · Todo" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireUser(request, context);
  return { name: user.name, email: user.email };
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireUser(request, context);
  const submission = parseWithZod(await readFormData(request), { schema: ProfileSchema });
  if (submission.status !== "success") return refuseSubmission(submission);
  // Only the name: whatever else the form carried is not passed on.
  await context.services.auth.api.updateUser({
    body: { name: submission.value.name },
    headers: request.headers,
  });
  return redirectWithFlash(context, "/settings/profile", {
    kind: "success",
    message: "Your name has been saved.",
  });
}

export default function Profile() {
  const { name, email } = useLoaderData<typeof loader>();
  const actionData = useActionData<FormFailure>();
  const [form, fields] = useValidatedForm("profile", ProfileSchema, actionData?.result, {
    defaultValue: { name },
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <SettingsSection
      title="Profile"
      intro={`The name shown at the top of every page. Your address is ${email}.`}
    >
      <ValidatedForm form={form} labels={{ name: "Name" }}>
        <Field label="Name" field={fields.name} type="text" autoComplete="name" maxLength={NAME_MAX} />
        <SubmitButton pendingText="Saving…">Save</SubmitButton>
      </ValidatedForm>
    </SettingsSection>
  );
}
