import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { refusingCommonPassword } from "../auth/common-passwords.server";
import { authPageLoader } from "../http/guards.server";
import { NAME_MAX, SignupSchema } from "../auth/schemas";
import { redirectWithFlash } from "../http/flash.server";
import type { FormFailure } from "../http/failure";
import { refuseSubmission } from "../http/failure.server";
import { withPasswordHashing } from "../http/password-hashing.server";
import { readFormData } from "../http/form-data.server";
import { PageCard } from "../ui/cards";
import { SubmitButton } from "../ui/form-controls";
import { Field, NewPasswordFields, useValidatedForm, ValidatedForm } from "../ui/forms";
import { ProviderButtons } from "../ui/provider-buttons";

export const meta: MetaFunction = () => [{ title: "Create an account · Todo" }];

export function loader({ request, context }: LoaderFunctionArgs) {
  return authPageLoader(request, context);
}

/** Every rule at once, the common-password list's too: one answer names every problem. */
const SignupServerSchema = refusingCommonPassword(SignupSchema, "password");

export async function action({ request, context }: ActionFunctionArgs) {
  await context.rateLimit("sign-up-posts");
  const submission = parseWithZod(await readFormData(request), { schema: SignupServerSchema });
  if (submission.status !== "success") return refuseSubmission(submission);
  // Only a sign-up that would make or touch an account spends the tight limit: typos do not.
  await context.rateLimit("sign-up");
  const { name, email, password } = submission.value;
  // The same answer whether or not the address is taken: its owner gets a mail instead.
  await withPasswordHashing(context, () =>
    context.services.auth.api.signUpEmail({ body: { name, email, password }, headers: request.headers }),
  );
  // This browser made the sign-up: here the link confirms at once (the mark is set whether or not
  // the address was free, so the answer says nothing about it).
  const { pendingAccounts, signupMarks } = context.services;
  const pending = await pendingAccounts.find(email);
  const mark = await signupMarks.serialize({ email: email.toLowerCase(), version: pending?.version ?? "" });
  return redirectWithFlash(
    context,
    "/verify-email",
    {
      kind: "info",
      message: `Check your inbox: we sent a link to ${email}. Open it to finish creating your account.`,
      email,
    },
    new Headers({ "Set-Cookie": mark }),
  );
}

export default function Signup() {
  const { redirectTo, providers } = useLoaderData<typeof loader>();
  const actionData = useActionData<FormFailure>();
  const [form, fields] = useValidatedForm("signup", SignupSchema, actionData?.result, {
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const loginHref = redirectTo ? `/login?${new URLSearchParams({ redirectTo })}` : "/login";
  return (
    <PageCard title="Create an account">
      <ProviderButtons providers={providers} redirectTo={redirectTo} />
      <ValidatedForm
        form={form}
        labels={{ name: "Name", email: "Email", password: "Password", confirmPassword: "Confirm password" }}
      >
        <Field
          label="Name"
          field={fields.name}
          type="text"
          autoComplete="name"
          autoFocus
          maxLength={NAME_MAX}
        />
        <Field label="Email" field={fields.email} type="email" autoComplete="email" />
        <NewPasswordFields
          password={fields.password}
          confirmPassword={fields.confirmPassword}
          labels={["Password", "Confirm password"]}
        />
        <SubmitButton pendingText="Creating your account…">Create account</SubmitButton>
      </ValidatedForm>
      <p className="card-footer">
        Already have an account? <Link to={loginHref}>Sign in</Link>
      </p>
    </PageCard>
  );
}
