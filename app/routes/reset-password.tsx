import { parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { isAPIError } from "better-auth/api";
import { refusingCommonPassword } from "../auth/common-passwords.server";
import { isResetTokenUsable } from "../auth/reset.server";
import { ResetPasswordSchema } from "../auth/schemas";
import { redirectWithFlash } from "../http/flash.server";
import type { FormFailure } from "../http/failure";
import { refuseSubmission } from "../http/failure.server";
import { withPasswordHashing } from "../http/password-hashing.server";
import { readFormData } from "../http/form-data.server";
import { DeadLinkCard, PageCard } from "../ui/cards";
import { NewPasswordPairForm } from "../ui/forms";

export const meta: MetaFunction = () => [{ title: "Choose a new password · Todo" }];

const PAGE = "/reset-password";

/** Every rule at once, the common-password list's too: one answer names every problem. */
const ResetPasswordServerSchema = refusingCommonPassword(ResetPasswordSchema, "password");

/** A refused new password; `usable: false` when the link itself no longer works. */
type ResetFailure = FormFailure & { usable: boolean };

/**
 * The link's first request moves its token into this page's cookie; GET then shows the form
 * while the link works, and only the POST uses the token.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { linkTokens, auth } = context.services;
  await linkTokens.moveOutOfUrl(request, PAGE);
  const usable = await isResetTokenUsable(auth, (await linkTokens.read(request, PAGE)) ?? "");
  return data({ usable }, { status: usable ? 200 : 400 });
}

export async function action({ request, context }: ActionFunctionArgs) {
  await context.rateLimit("password");
  const submission = parseWithZod(await readFormData(request), { schema: ResetPasswordServerSchema });
  if (submission.status !== "success") return refuseSubmission(submission, {}, { usable: true });
  const { linkTokens } = context.services;
  const token = (await linkTokens.read(request, PAGE)) ?? "";
  try {
    await withPasswordHashing(context, () =>
      context.services.auth.api.resetPassword({
        body: { newPassword: submission.value.password, token },
        headers: request.headers,
      }),
    );
  } catch (error) {
    if (!isAPIError(error)) throw error;
    return refuseSubmission(submission, { resetForm: true }, { usable: false });
  }
  // Every session of the account has ended; signing in again is the proof of the new password.
  return redirectWithFlash(
    context,
    "/login",
    {
      kind: "success",
      message: "Your password has been changed and every session signed out. Sign in with your new password.",
    },
    new Headers({ "Set-Cookie": await linkTokens.clear(PAGE) }),
  );
}

export default function ResetPassword() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<ResetFailure>();
  if (!(actionData?.usable ?? loaderData.usable)) {
    return (
      <DeadLinkCard
        reason="Reset links work once, for an hour. This one has been used, has expired, or was copied only in part."
        to="/forgot-password"
        label="Ask for a new link"
      />
    );
  }
  return (
    <PageCard title="Choose a new password">
      <NewPasswordPairForm
        id="reset-password"
        lastResult={actionData?.result}
        submitLabel="Change password"
        autoFocus
      />
    </PageCard>
  );
}
