import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { isAPIError } from "better-auth/api";
import { TOO_MANY_SIGN_IN_FAILURES } from "~/auth/policy.server";
import { forwardCookies } from "~/auth/cookies.server";
import { authPageLoader } from "~/auth/guards.server";
import { CONNECTIONS_PATH, providerErrorView } from "~/auth/oauth.server";
import { LoginSchema } from "~/auth/schemas";
import { readFormData } from "~/http.server";
import { safeRedirect } from "~/security/redirect";
import { SubmitButton } from "~/ui/form-controls";
import { ErrorSummary, Field, HiddenField } from "~/ui/forms";
import { ProviderButtons } from "~/ui/provider-buttons";
import { refuseIfHashingBusy } from "~/auth/password-hashing.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Todo" }];

/** The one message for a wrong password and an unknown address alike. */
const INVALID_CREDENTIALS = "The email address or password is not right.";
const UNVERIFIED = "Confirm your email address first: open the link we sent you, or ask for a new one below.";

/**
 * The sign-in page; also where a provider sign-in that failed comes back, with
 * `?error=` (better-auth's code, or the provider's) and `?provider=`.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const search = new URL(request.url).searchParams;
  const error = search.get("error");
  const provider = search.get("provider");
  if (error !== null && (await context.getSession())) {
    // A signed-in user's flow whose state was not ours: a link, shown where links are made.
    const query = new URLSearchParams({ error });
    if (provider !== null) query.set("provider", provider);
    throw redirect(`${CONNECTIONS_PATH}?${query}`);
  }
  return {
    ...(await authPageLoader(request, context)),
    providerError:
      error === null
        ? null
        : providerErrorView(context, { code: error, providerId: provider, flow: "sign-in" }),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  await context.rateLimit("sign-in");
  const formData = await readFormData(request);
  const submission = parseWithZod(formData, { schema: LoginSchema });
  if (submission.status !== "success") {
    return data(
      { result: submission.reply({ hideFields: ["password"] }), unverifiedEmail: null },
      { status: 400 },
    );
  }
  const { email, password, redirectTo } = submission.value;
  try {
    // A session already in this browser (perhaps another account's) ends (auth.server.ts, session.create).
    const { headers } = await context.services.auth.api.signInEmail({
      body: { email, password },
      headers: request.headers,
      returnHeaders: true,
    });
    return redirect(safeRedirect(redirectTo), { headers: forwardCookies(headers) });
  } catch (error) {
    refuseIfHashingBusy(error, context);
    if (isAPIError(error) && error.statusCode === 401) {
      return data(
        {
          result: submission.reply({ formErrors: [INVALID_CREDENTIALS], hideFields: ["password"] }),
          unverifiedEmail: null,
        },
        { status: 400 },
      );
    }
    if (isAPIError(error) && error.body?.code === TOO_MANY_SIGN_IN_FAILURES) {
      const retryAfter = Number(error.body.retryAfterSeconds);
      context.tooManyRequests(Number.isFinite(retryAfter) ? retryAfter : 60, error.body.message);
    }
    // Only said after the password proved right, so it tells an attacker nothing.
    if (isAPIError(error) && error.body?.code === "EMAIL_NOT_VERIFIED") {
      return data(
        {
          result: submission.reply({ formErrors: [UNVERIFIED], hideFields: ["password"] }),
          unverifiedEmail: email,
        },
        { status: 403 },
      );
    }
    throw error;
  }
}

export default function Login() {
  const { redirectTo, providers, providerError } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "login",
    lastResult: actionData?.result,
    constraint: getZodConstraint(LoginSchema),
    defaultValue: { redirectTo },
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: LoginSchema }),
  });
  const signupHref = redirectTo ? `/signup?${new URLSearchParams({ redirectTo })}` : "/signup";
  return (
    <section className="card narrow">
      <h1>Sign in</h1>
      {providerError && !actionData ? (
        <div className="error-summary" role="alert">
          <p>{providerError.message}</p>
          {providerError.offerNewConfirmationLink ? (
            <p>
              <Link to="/verify-email">Send me a new confirmation link</Link>
            </p>
          ) : null}
        </div>
      ) : null}
      <ProviderButtons providers={providers} redirectTo={redirectTo} />
      <Form method="post" {...getFormProps(form)}>
        <ErrorSummary
          form={form}
          fields={[
            { label: "Email", field: fields.email },
            { label: "Password", field: fields.password },
          ]}
        />
        <HiddenField field={fields.redirectTo} />
        <Field label="Email" field={fields.email} type="email" autoComplete="username" autoFocus />
        <Field label="Password" field={fields.password} type="password" autoComplete="current-password" />
        <SubmitButton pendingText="Signing in…">Sign in</SubmitButton>
        <p className="text-right">
          <Link to="/forgot-password">Forgot your password?</Link>
        </p>
      </Form>
      {actionData?.unverifiedEmail ? (
        <Form method="post" action="/verify-email" className="inline-form">
          <input type="hidden" name="email" value={actionData.unverifiedEmail} />
          <button type="submit" className="button">
            Send a new confirmation link
          </button>
        </Form>
      ) : null}
      <p className="card-footer">
        New here? <Link to={signupHref}>Create an account</Link>
      </p>
    </section>
  );
}
