import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { isAPIError } from "better-auth/api";
import { forwardCookies } from "~/auth/cookies.server";
import { originOf } from "~/audit/audit.server";
import {
  COMMON_PASSWORD_MESSAGE,
  isCommonPassword,
  isCommonPasswordError,
} from "~/auth/common-passwords.server";
import { requireRecentAuth, WRONG_CURRENT_PASSWORD } from "~/auth/guards.server";
import { ChangePasswordSchema, SetPasswordSchema } from "~/auth/schemas";
import { redirectWithFlash } from "~/flash.server";
import { readFormData } from "~/http.server";
import { SubmitButton } from "~/ui/form-controls";
import { ErrorSummary, Field, NewPasswordFields } from "~/ui/forms";
import { refuseIfHashingBusy } from "~/auth/password-hashing.server";

export const meta: MetaFunction = () => [{ title: "Password · Settings · Todo" }];

const SECRET_FIELDS = ["currentPassword", "newPassword", "confirmPassword"];

/**
 * An account made through a sign-in provider has no password until its owner sets one here.
 * Every form here is sensitive, so the loader asks for the window too: before typing, not after.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireRecentAuth(request, context);
  const { hasPassword } = await context.services.connections.forOwner(user.id).signInMethods();
  return { hasPassword };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const current = await requireRecentAuth(request, context);
  const { user } = current;
  await context.rateLimit("password");
  const { hasPassword } = await context.services.connections.forOwner(user.id).signInMethods();
  if (!hasPassword) return setFirstPassword(request, context, current.session);
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
    refuseIfHashingBusy(error, context);
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

/**
 * The first password of an account that has none, through better-auth's
 * setPassword. It is server-only (no path, so the auth hooks cannot tell it
 * apart): the common-password rule and what follows a new credential (other
 * sessions end, links void, a notice) are applied here.
 */
async function setFirstPassword(
  request: Request,
  context: ActionFunctionArgs["context"],
  session: { id: string; userId: string },
) {
  const submission = parseWithZod(await readFormData(request), { schema: SetPasswordSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply({ hideFields: SECRET_FIELDS }) }, { status: 400 });
  }
  const { newPassword } = submission.value;
  if (isCommonPassword(newPassword)) {
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
  try {
    await context.services.auth.api.setPassword({ body: { newPassword }, headers: request.headers });
  } catch (error) {
    refuseIfHashingBusy(error, context);
    // Set meanwhile (another tab): this page now changes it instead.
    if (isAPIError(error) && error.body?.code === "PASSWORD_ALREADY_SET")
      return redirect("/settings/password");
    throw error;
  }
  const origin = originOf(request.headers);
  // As after a change: whoever else holds a session of the account does not keep it.
  await context.services.sessions.forOwner(session.userId).revokeOthers(session.id, origin);
  await context.services.credentialChanges.record(session.userId, { kind: "password-set" }, origin);
  return redirectWithFlash(context, "/settings/password", {
    kind: "success",
    message:
      "Your password is set: you can now also sign in with your email address and this password. Every other session has been signed out.",
  });
}

export default function PasswordSettings() {
  const { hasPassword } = useLoaderData<typeof loader>();
  return hasPassword ? <ChangePassword /> : <SetPassword />;
}

function SetPassword() {
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "set-password",
    lastResult: actionData?.result,
    constraint: getZodConstraint(SetPasswordSchema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SetPasswordSchema }),
  });
  return (
    <section className="card">
      <h2>Password</h2>
      <p className="muted">
        You sign in through a connected service and have no password yet. Set one to sign in with your email
        address too.
      </p>
      <Form method="post" {...getFormProps(form)}>
        <ErrorSummary
          form={form}
          fields={[
            { label: "New password", field: fields.newPassword },
            { label: "Confirm new password", field: fields.confirmPassword },
          ]}
        />
        <NewPasswordFields
          password={fields.newPassword}
          confirmPassword={fields.confirmPassword}
          labels={["New password", "Confirm new password"]}
        />
        <SubmitButton pendingText="Setting…">Set password</SubmitButton>
      </Form>
    </section>
  );
}

function ChangePassword() {
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
