import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData } from "@remix-run/react";
import { isAPIError } from "better-auth/api";
import { RESET_LINK_SECONDS } from "../auth/auth.server";
import { EmailFormSchema } from "../auth/schemas";
import { redirectWithFlash } from "../http/flash.server";
import type { FormFailure } from "../http/failure";
import { refuseSubmission } from "../http/failure.server";
import { readFormData } from "../http/form-data.server";
import { ENUMERATION_FLOOR_MS, withResponseFloor } from "../security/response-floor.server";
import { PageCard } from "../ui/cards";
import { SubmitButton } from "../ui/form-controls";
import { Field, useValidatedForm, ValidatedForm } from "../ui/forms";

export const meta: MetaFunction = () => [{ title: "Forgot your password? · Todo" }];

export function loader(_args: LoaderFunctionArgs) {
  return null;
}

/** One answer for every address; only a real account gets a mail. Nothing changes until the link is used. */
export async function action({ request, context }: ActionFunctionArgs) {
  await context.rateLimit("forgot-password");
  const submission = parseWithZod(await readFormData(request), { schema: EmailFormSchema });
  if (submission.status !== "success") return refuseSubmission(submission);
  const { email } = submission.value;
  // A known address costs more work than an unknown one: both answer after the same floor.
  await withResponseFloor(ENUMERATION_FLOOR_MS, async () => {
    try {
      await context.services.auth.api.requestPasswordReset({ body: { email }, headers: request.headers });
    } catch (error) {
      if (!isAPIError(error)) throw error;
      context.logger.warn({ code: error.body?.code }, "password reset not started");
    }
  });
  return redirectWithFlash(context, "/forgot-password", {
    kind: "info",
    message: `If an account uses ${email}, we sent it a link to choose a new password. The link works for ${RESET_LINK_SECONDS / 60} minutes.`,
  });
}

export default function ForgotPassword() {
  const actionData = useActionData<FormFailure>();
  const [form, fields] = useValidatedForm("forgot-password", EmailFormSchema, actionData?.result);
  return (
    <PageCard title="Forgot your password?">
      <p>Enter the address you signed up with and we will mail you a link to choose a new password.</p>
      <ValidatedForm form={form} labels={{ email: "Email" }}>
        <Field label="Email" field={fields.email} type="email" autoComplete="email" autoFocus />
        <SubmitButton pendingText="Sending…">Send me a link</SubmitButton>
      </ValidatedForm>
      <p className="card-footer">
        Remembered it? <Link to="/login">Sign in</Link>
      </p>
    </PageCard>
  );
}
