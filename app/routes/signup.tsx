import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { COMMON_PASSWORD_MESSAGE, isCommonPasswordError } from "~/auth/common-passwords.server";
import { authPageLoader } from "~/auth/guards.server";
import { NAME_MAX, SignupSchema } from "~/auth/schemas";
import { redirectWithFlash } from "~/flash.server";
import { readFormData } from "~/http.server";
import { SubmitButton } from "~/ui/form-controls";
import { ErrorSummary, Field, NewPasswordFields } from "~/ui/forms";
import { ProviderButtons } from "~/ui/provider-buttons";
import { refuseIfHashingBusy } from "~/auth/password-hashing.server";

export const meta: MetaFunction = () => [{ title: "Create an account · Todo" }];

const SECRET_FIELDS = ["password", "confirmPassword"];

export function loader({ request, context }: LoaderFunctionArgs) {
  return authPageLoader(request, context);
}

export async function action({ request, context }: ActionFunctionArgs) {
  await context.rateLimit("sign-up");
  const formData = await readFormData(request);
  const submission = parseWithZod(formData, { schema: SignupSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply({ hideFields: SECRET_FIELDS }) }, { status: 400 });
  }
  const { name, email, password } = submission.value;
  // The same answer whether or not the address is taken: its owner gets a mail instead.
  try {
    await context.services.auth.api.signUpEmail({
      body: { name, email, password },
      headers: request.headers,
    });
  } catch (error) {
    refuseIfHashingBusy(error, context);
    if (!isCommonPasswordError(error)) throw error;
    return data(
      {
        result: submission.reply({
          fieldErrors: { password: [COMMON_PASSWORD_MESSAGE] },
          hideFields: SECRET_FIELDS,
        }),
      },
      { status: 400 },
    );
  }
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
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "signup",
    lastResult: actionData?.result,
    constraint: getZodConstraint(SignupSchema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SignupSchema }),
  });
  const loginHref = redirectTo ? `/login?${new URLSearchParams({ redirectTo })}` : "/login";
  return (
    <section className="card narrow">
      <h1>Create an account</h1>
      <ProviderButtons providers={providers} redirectTo={redirectTo} />
      <Form method="post" {...getFormProps(form)}>
        <ErrorSummary
          form={form}
          fields={[
            { label: "Name", field: fields.name },
            { label: "Email", field: fields.email },
            { label: "Password", field: fields.password },
            { label: "Confirm password", field: fields.confirmPassword },
          ]}
        />
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
      </Form>
      <p className="card-footer">
        Already have an account? <Link to={loginHref}>Sign in</Link>
      </p>
    </section>
  );
}
