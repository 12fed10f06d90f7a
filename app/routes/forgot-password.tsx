import { parseWithZod } from "@conform-to/zod/v4";
import { redirect } from "@remix-run/node";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { isAPIError } from "better-auth/api";
import { RESET_LINK_SECONDS } from "../auth/auth.server";
import { EmailFormSchema } from "../auth/schemas";
import { emailInQuery, withEmail } from "../http/email-query";
import type { FormFailure } from "../http/failure";
import { refuseSubmission } from "../http/failure.server";
import { readFormData } from "../http/form-data.server";
import { ENUMERATION_FLOOR_MS, withResponseFloor } from "../security/response-floor.server";
import { PageCard } from "../ui/cards";
import { SubmitButton } from "../ui/form-controls";
import { Field, useValidatedForm, ValidatedForm } from "../ui/forms";

export const meta: MetaFunction = () => [{ title: "Forgot your password? · Todo" }];

/** `?sent` once a link was asked for: the page then says what happens next, instead of the form. */
const SENT = "sent";

export function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  return {
    email: emailInQuery(url),
    sent: url.searchParams.has(SENT),
    linkMinutes: RESET_LINK_SECONDS / 60,
  };
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
  return redirect(`/forgot-password?${new URLSearchParams({ [SENT]: "", email })}`);
}

export default function ForgotPassword() {
  const { email, sent, linkMinutes } = useLoaderData<typeof loader>();
  if (sent) return <LinkSent email={email} linkMinutes={linkMinutes} />;
  return <ForgotPasswordForm email={email} />;
}

function ForgotPasswordForm({ email }: { email: string | null }) {
  const actionData = useActionData<FormFailure>();
  const [form, fields] = useValidatedForm("forgot-password", EmailFormSchema, actionData?.result, {
    defaultValue: { email: email ?? undefined },
    shouldRevalidate: "onInput",
  });
  return (
    <PageCard title="Forgot your password?">
      <p>Enter the address you signed up with and we will mail you a link to choose a new password.</p>
      <ValidatedForm form={form} labels={{ email: "Email" }}>
        <Field label="Email" field={fields.email} type="email" autoComplete="email" autoFocus />
        <SubmitButton pendingText="Sending…">Send me a link</SubmitButton>
      </ValidatedForm>
      <p className="card-footer">
        Remembered it? <Link to={withEmail("/login", fields.email.value)}>Back to sign in</Link>
      </p>
    </PageCard>
  );
}

/** After a link was asked for: what to do next, and nothing to fill in again by mistake. */
function LinkSent({ email, linkMinutes }: { email: string | null; linkMinutes: number }) {
  return (
    <PageCard title="Check your inbox">
      <p role="status">
        {email
          ? `If an account uses ${email}, we sent it a link to choose a new password.`
          : "If an account uses that address, we sent it a link to choose a new password."}
      </p>
      <p>
        Open the mail “Reset your password” and follow its link. If it is not in your inbox after a few
        minutes, look in your spam or junk folder.
      </p>
      <p>The link works once, for {linkMinutes} minutes.</p>
      <p>
        No mail? Check the address and <Link to={withEmail("/forgot-password", email)}>try again</Link>.
      </p>
      <p className="card-footer">
        <Link to={withEmail("/login", email)}>Back to sign in</Link>
      </p>
    </PageCard>
  );
}
