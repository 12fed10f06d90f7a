import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { isAPIError } from "better-auth/api";
import { z } from "zod";
import { RESET_LINK_SECONDS } from "~/auth/auth.server";
import { redirectWithFlash } from "~/flash.server";
import { readFormData } from "~/http.server";
import { ENUMERATION_FLOOR_MS, withResponseFloor } from "~/security/response-floor.server";
import { SubmitButton } from "~/ui/form-controls";
import { ErrorSummary, Field } from "~/ui/forms";
import { EmailSchema } from "~/validation";

export const meta: MetaFunction = () => [{ title: "Forgot your password? · Todo" }];

const ForgotSchema = z.object({ email: EmailSchema });

export function loader(_args: LoaderFunctionArgs) {
  return null;
}

/** One answer for every address; only a real account gets a mail. Nothing changes until the link is used. */
export async function action({ request, context }: ActionFunctionArgs) {
  await context.rateLimit("forgot-password");
  const submission = parseWithZod(await readFormData(request), { schema: ForgotSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
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
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "forgot-password",
    lastResult: actionData?.result,
    constraint: getZodConstraint(ForgotSchema),
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ForgotSchema }),
  });
  return (
    <section className="card narrow">
      <h1>Forgot your password?</h1>
      <p>Enter the address you signed up with and we will mail you a link to choose a new password.</p>
      <Form method="post" {...getFormProps(form)}>
        <ErrorSummary form={form} fields={[{ label: "Email", field: fields.email }]} />
        <Field label="Email" field={fields.email} type="email" autoComplete="email" autoFocus />
        <SubmitButton pendingText="Sending…">Send me a link</SubmitButton>
      </Form>
      <p className="card-footer">
        Remembered it? <Link to="/login">Sign in</Link>
      </p>
    </section>
  );
}
