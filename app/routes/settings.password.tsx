import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { isAPIError } from "better-auth/api";
import { forwardCookies } from "~/auth/cookies.server";
import { COMMON_PASSWORD_MESSAGE, isCommonPasswordError } from "~/auth/common-passwords.server";
import { requireUser, WRONG_CURRENT_PASSWORD } from "~/auth/guards.server";
import { ChangePasswordSchema } from "~/auth/schemas";
import { redirectWithFlash } from "~/flash.server";
import { readFormData } from "~/http.server";
import { ErrorSummary, Field, NewPasswordFields, SubmitButton } from "~/ui/forms";

export const meta: MetaFunction = () => [{ title: "Password · Settings · Todo" }];

const SECRET_FIELDS = ["currentPassword", "newPassword", "confirmPassword"];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireUser(request, context);
  await context.rateLimit("password");
  const submission = parseWithZod(await readFormData(request), { schema: ChangePasswordSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply({ hideFields: SECRET_FIELDS }) }, { status: 400 });
  }
  const { currentPassword, newPassword } = submission.value;
  let headers: Headers;
  try {
    // Ends every session of the account and opens a new one for this browser; the
    // auth hooks record the event and mail the notice.
    ({ headers } = await context.services.auth.api.changePassword({
      body: { currentPassword, newPassword, revokeOtherSessions: true },
      headers: request.headers,
      returnHeaders: true,
    }));
  } catch (error) {
    if (isCommonPasswordError(error)) {
      return data(
        {
          result: submission.reply({
            fieldErrors: { newPassword: [COMMON_PASSWORD_MESSAGE] },
            hideFields: SECRET_FIELDS,
          }),
        },
        { status: 400 },
      );
    }
    if (isAPIError(error) && error.body?.code === "INVALID_PASSWORD") {
      return data(
        {
          result: submission.reply({
            fieldErrors: { currentPassword: [WRONG_CURRENT_PASSWORD] },
            hideFields: SECRET_FIELDS,
          }),
        },
        { status: 400 },
      );
    }
    throw error;
  }
  return redirectWithFlash(
    context,
    "/settings/password",
    { kind: "success", message: "Your password has been changed. Every other session has been signed out." },
    forwardCookies(headers),
  );
}

export default function ChangePassword() {
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "change-password",
    lastResult: actionData?.result,
    constraint: getZodConstraint(ChangePasswordSchema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ChangePasswordSchema }),
  });
  return (
    <section className="card">
      <h2>Password</h2>
      <p className="muted">
        Change your password. Every other browser signed in to your account will be signed out.
      </p>
      <Form method="post" {...getFormProps(form)}>
        <ErrorSummary
          form={form}
          fields={[
            { label: "Current password", field: fields.currentPassword },
            { label: "New password", field: fields.newPassword },
            { label: "Confirm new password", field: fields.confirmPassword },
          ]}
        />
        <Field
          label="Current password"
          field={fields.currentPassword}
          type="password"
          autoComplete="current-password"
        />
        <NewPasswordFields
          password={fields.newPassword}
          confirmPassword={fields.confirmPassword}
          labels={["New password", "Confirm new password"]}
        />
        <SubmitButton pendingText="Changing…">Change password</SubmitButton>
      </Form>
    </section>
  );
}
