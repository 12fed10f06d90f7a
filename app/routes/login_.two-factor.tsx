import { parseWithZod } from "@conform-to/zod/v4";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData } from "@remix-run/react";
import { isAPIError } from "better-auth/api";
import { carriesPendingSignIn } from "../auth/session-cookie";
import { forwardCookies } from "../http/cookies.server";
import { HOME_PATH, requireAnonymous } from "../http/guards.server";
import { redirectWithFlash } from "../http/flash.server";
import type { FormFailure } from "../http/failure";
import { refuseSubmission } from "../http/failure.server";
import { readFormData } from "../http/form-data.server";
import { safeRedirect } from "../security/redirect";
import { INVALID_CODE, NO_PENDING_SIGN_IN } from "../two-factor/second-step.server";
import { SecondStepSchema } from "../two-factor/schemas";
import { PageCard } from "../ui/cards";
import { SubmitButton } from "../ui/form-controls";
import { useValidatedForm, ValidatedForm } from "../ui/forms";
import { OneTimeCodeField } from "../ui/one-time-code-field";

export const meta: MetaFunction = () => [{ title: "Two-step sign-in · Todo" }];

/** Only a browser in the middle of a sign-in has anything to do here. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAnonymous(context);
  if (!carriesPendingSignIn(request.headers.get("cookie"))) {
    throw redirect("/login");
  }
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireAnonymous(context);
  await context.rateLimit("sign-in");
  const submission = parseWithZod(await readFormData(request), { schema: SecondStepSchema });
  if (submission.status !== "success") return refuseSubmission(submission);
  try {
    const { headers, response } = await context.services.auth.api.verifyTwoFactor({
      body: { code: submission.value.code },
      headers: request.headers,
      returnHeaders: true,
    });
    return redirect(safeRedirect(response.redirectTo, HOME_PATH), { headers: forwardCookies(headers) });
  } catch (error) {
    if (!isAPIError(error)) throw error;
    const message = error.body?.message ?? "That did not work. Please sign in again.";
    if (error.body?.code === INVALID_CODE)
      return refuseSubmission(submission, { fieldErrors: { code: [message] } });
    if (error.body?.code === NO_PENDING_SIGN_IN) {
      // Back to the first step, the pending sign-in's cookie cleared.
      const cleared = forwardCookies(new Headers(error.headers));
      return redirectWithFlash(context, "/login", { kind: "error", message }, cleared);
    }
    if (error.statusCode === 429) {
      const retryAfter = Number(new Headers(error.headers).get("retry-after"));
      context.tooManyRequests(Number.isFinite(retryAfter) ? retryAfter : 60, message);
    }
    throw error;
  }
}

export default function SecondStep() {
  const actionData = useActionData<FormFailure>();
  const [form, fields] = useValidatedForm("two-factor", SecondStepSchema, actionData?.result, {
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  return (
    <PageCard title="Two-step sign-in">
      <p>One more step: enter the 6-digit code your authenticator app shows for Todo.</p>
      <ValidatedForm form={form} labels={{ code: "Code" }}>
        <OneTimeCodeField
          field={fields.code}
          hint="No phone at hand? Enter one of your recovery codes instead; each works once."
          autoFocus
        />
        <SubmitButton pendingText="Checking…">Sign in</SubmitButton>
      </ValidatedForm>
      <p className="card-footer muted">
        Lost both your phone and your recovery codes? Then this account cannot be opened: not even a password
        reset turns two-step sign-in off, which is what keeps a stolen password out.{" "}
        <Link to="/login">Back to sign in</Link>
      </p>
    </PageCard>
  );
}
