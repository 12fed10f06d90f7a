import { parseWithZod } from "@conform-to/zod/v4";
import { redirect } from "@remix-run/node";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { isAPIError } from "better-auth/api";
import { TOO_MANY_SIGN_IN_FAILURES } from "../auth/policy.server";
import { forwardCookies } from "../http/cookies.server";
import { emailInQuery, withEmail } from "../http/email-query";
import { authPageLoader } from "../http/guards.server";
import { CONNECTIONS_PATH, providerErrorView } from "../http/oauth-flow.server";
import { LoginSchema } from "../auth/schemas";
import type { FormFailure } from "../http/failure";
import { refuseSubmission, type Refusal } from "../http/failure.server";
import { withPasswordHashing } from "../http/password-hashing.server";
import { readFormData } from "../http/form-data.server";
import { safeRedirect } from "../security/redirect";
import { PageCard } from "../ui/cards";
import { SubmitButton } from "../ui/form-controls";
import { CurrentPasswordField, Field, HiddenField, useValidatedForm, ValidatedForm } from "../ui/forms";
import { ProviderButtons } from "../ui/provider-buttons";
import { PasskeySignIn } from "../ui/passkeys";
import { toSecondStep } from "../http/second-step.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Todo" }];

/** The one message for a wrong password and an unknown address alike. */
const INVALID_CREDENTIALS = "The email address or password is not right.";
const UNVERIFIED = "Confirm your email address first: open the link we sent you, or ask for a new one below.";

/** A refused sign-in, and the address to offer a new confirmation link for (only once the password proved right). */
type LoginFailure = FormFailure & { unverifiedEmail: string | null };

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
    email: emailInQuery(request.url),
    passkeys: context.services.passkeys.relyingParty.available,
    providerError:
      error === null
        ? null
        : providerErrorView(context, { code: error, providerId: provider, flow: "sign-in" }),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  await context.rateLimit("sign-in");
  const submission = parseWithZod(await readFormData(request), { schema: LoginSchema });
  const refuse = (refusal?: Refusal, unverifiedEmail: string | null = null) =>
    refuseSubmission(submission, refusal, { unverifiedEmail });
  if (submission.status !== "success") return refuse();
  const { email, password, redirectTo } = submission.value;
  try {
    // A session already in this browser (perhaps another account's) ends (auth.server.ts, session.create).
    const { headers } = await withPasswordHashing(context, () =>
      context.services.auth.api.signInEmail({
        // Where the second step, if the account has one, sends the browser afterwards.
        body: { email, password, ...(redirectTo ? { callbackURL: safeRedirect(redirectTo) } : {}) },
        headers: request.headers,
        returnHeaders: true,
      }),
    );
    return redirect(safeRedirect(redirectTo), { headers: forwardCookies(headers) });
  } catch (error) {
    if (!isAPIError(error)) throw error;
    const secondStep = toSecondStep(error);
    if (secondStep) return secondStep;
    if (error.statusCode === 401) return refuse({ formErrors: [INVALID_CREDENTIALS] });
    if (error.body?.code === TOO_MANY_SIGN_IN_FAILURES) {
      const retryAfter = Number(error.body.retryAfterSeconds);
      context.tooManyRequests(Number.isFinite(retryAfter) ? retryAfter : 60, error.body.message);
    }
    // Only said after the password proved right, so it tells an attacker nothing.
    if (error.body?.code === "EMAIL_NOT_VERIFIED")
      return refuse({ formErrors: [UNVERIFIED], status: 403 }, email);
    throw error;
  }
}

export default function Login() {
  const { redirectTo, providers, providerError, passkeys, email } = useLoaderData<typeof loader>();
  const actionData = useActionData<LoginFailure>();
  const [form, fields] = useValidatedForm("login", LoginSchema, actionData?.result, {
    defaultValue: { redirectTo, email: email ?? undefined },
    shouldRevalidate: "onInput",
  });
  // The address as typed (or as last submitted), so that it need not be typed again there.
  const forgotHref = withEmail("/forgot-password", fields.email.value);
  const signupHref = redirectTo ? `/signup?${new URLSearchParams({ redirectTo })}` : "/signup";
  return (
    <PageCard title="Sign in">
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
      {passkeys ? <PasskeySignIn redirectTo={redirectTo} /> : null}
      <ValidatedForm form={form} labels={{ email: "Email", password: "Password" }}>
        <HiddenField field={fields.redirectTo} />
        {/* "webauthn": the browser offers this site's passkeys in the field's autofill (conditional mediation). */}
        <Field
          label="Email"
          field={fields.email}
          type="email"
          autoComplete={passkeys ? "username webauthn" : "username"}
          autoFocus={!email}
        />
        <CurrentPasswordField
          label="Password"
          field={fields.password}
          autoFocus={Boolean(email)}
          labelAside={<Link to={forgotHref}>Forgot password?</Link>}
        />
        <SubmitButton pendingText="Signing in…">Sign in</SubmitButton>
      </ValidatedForm>
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
    </PageCard>
  );
}
