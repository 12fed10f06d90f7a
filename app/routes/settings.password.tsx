import { parseWithZod } from "@conform-to/zod/v4";
import { redirect } from "@remix-run/node";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { isAPIError } from "better-auth/api";
import { originOf } from "../audit/audit.server";
import { forwardCookies } from "../http/cookies.server";
import {
  COMMON_PASSWORD_MESSAGE,
  isCommonPassword,
  isCommonPasswordError,
} from "../auth/common-passwords.server";
import { hasPassword, requireRecentAuth, WRONG_CURRENT_PASSWORD } from "../http/guards.server";
import { ChangePasswordSchema, SetPasswordSchema } from "../auth/schemas";
import { redirectWithFlash } from "../http/flash.server";
import type { FormFailure } from "../http/failure";
import { refuseSubmission } from "../http/failure.server";
import { withPasswordHashing } from "../http/password-hashing.server";
import { readFormData } from "../http/form-data.server";
import { SettingsSection } from "../ui/cards";
import { SubmitButton } from "../ui/form-controls";
import { CurrentPasswordField, NewPasswordFields, useValidatedForm, ValidatedForm } from "../ui/forms";

export const meta: MetaFunction = () => [{ title: "Password · Settings · Todo" }];

/** The new password's messages stand beside its field, `newPassword` here. */
const COMMON_NEW_PASSWORD = { fieldErrors: { newPassword: [COMMON_PASSWORD_MESSAGE] } };

/**
 * An account made through a sign-in provider has no password until its owner sets one here.
 * Every form here is sensitive, so the loader asks for the window too: before typing, not after.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireRecentAuth(request, context);
  return { hasPassword: await hasPassword(context, user.id) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const current = await requireRecentAuth(request, context);
  await context.rateLimit("password");
  if (!(await hasPassword(context, current.user.id))) {
    return setFirstPassword(request, context, current.session);
  }
  const submission = parseWithZod(await readFormData(request), { schema: ChangePasswordSchema });
  if (submission.status !== "success") return refuseSubmission(submission);
  const { currentPassword, newPassword } = submission.value;
  let headers: Headers;
  try {
    // Ends every session of the account and opens a new one for this browser; the
    // auth hooks record the event and mail the notice.
    ({ headers } = await withPasswordHashing(context, () =>
      context.services.auth.api.changePassword({
        body: { currentPassword, newPassword, revokeOtherSessions: true },
        headers: request.headers,
        returnHeaders: true,
      }),
    ));
  } catch (error) {
    if (isCommonPasswordError(error)) return refuseSubmission(submission, COMMON_NEW_PASSWORD);
    if (isAPIError(error) && error.body?.code === "INVALID_PASSWORD") {
      return refuseSubmission(submission, { fieldErrors: { currentPassword: [WRONG_CURRENT_PASSWORD] } });
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
  if (submission.status !== "success") return refuseSubmission(submission);
  const { newPassword } = submission.value;
  if (isCommonPassword(newPassword)) return refuseSubmission(submission, COMMON_NEW_PASSWORD);
  try {
    await withPasswordHashing(context, () =>
      context.services.auth.api.setPassword({ body: { newPassword }, headers: request.headers }),
    );
  } catch (error) {
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
  return (
    <SettingsSection
      title="Password"
      intro={
        hasPassword
          ? "Change your password. Every other browser signed in to your account will be signed out."
          : "You sign in through a connected service and have no password yet. Set one to sign in with your email address too."
      }
    >
      {/* A new form (and conform's state) once a first password is set. */}
      <PasswordForm key={String(hasPassword)} hasPassword={hasPassword} />
    </SettingsSection>
  );
}

/** Changing the password asks for the current one; setting a first one cannot. */
function PasswordForm({ hasPassword }: { hasPassword: boolean }) {
  const actionData = useActionData<FormFailure>();
  const [form, fields] = useValidatedForm<typeof ChangePasswordSchema | typeof SetPasswordSchema>(
    hasPassword ? "change-password" : "set-password",
    hasPassword ? ChangePasswordSchema : SetPasswordSchema,
    actionData?.result,
    { shouldValidate: "onBlur", shouldRevalidate: "onInput" },
  );
  const labels = {
    currentPassword: "Current password",
    newPassword: "New password",
    confirmPassword: "Confirm new password",
  };
  return (
    <ValidatedForm form={form} labels={labels}>
      {hasPassword ? <CurrentPasswordField field={fields.currentPassword} /> : null}
      <NewPasswordFields password={fields.newPassword} confirmPassword={fields.confirmPassword} />
      {hasPassword ? (
        <SubmitButton pendingText="Changing…">Change password</SubmitButton>
      ) : (
        <SubmitButton pendingText="Setting…">Set password</SubmitButton>
      )}
    </ValidatedForm>
  );
}
