import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { NAME_MAX, ProfileSchema } from "~/auth/schemas";
import { redirectWithFlash } from "~/flash.server";
import { readFormData } from "~/http.server";
import { SubmitButton } from "~/ui/form-controls";
import { ErrorSummary, Field } from "~/ui/forms";

export const meta: MetaFunction = () => [{ title: "Profile · Settings · Todo" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireUser(request, context);
  return { name: user.name, email: user.email };
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireUser(request, context);
  const submission = parseWithZod(await readFormData(request), { schema: ProfileSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
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
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "profile",
    lastResult: actionData?.result,
    constraint: getZodConstraint(ProfileSchema),
    defaultValue: { name },
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ProfileSchema }),
  });
  return (
    <section className="card">
      <h2>Profile</h2>
      <p className="muted">The name shown at the top of every page. Your address is {email}.</p>
      <Form method="post" {...getFormProps(form)}>
        <ErrorSummary form={form} fields={[{ label: "Name", field: fields.name }]} />
        <Field label="Name" field={fields.name} type="text" autoComplete="name" maxLength={NAME_MAX} />
        <SubmitButton pendingText="Saving…">Save</SubmitButton>
      </Form>
    </section>
  );
}
