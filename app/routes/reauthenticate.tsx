import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect } from "@remix-run/node";
import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { originOf } from "../audit/audit.server";
import { REAUTHENTICATED_HOME_PATH, reauthenticatePath } from "../http/guards.server";
import { providerErrorView, startSignIn } from "../http/oauth-flow.server";
import { findProvider, nameOf } from "../auth/providers.server";
import { describeWindow } from "../auth/reauthentication.server";
import { ReauthenticatePasswordSchema, RedirectToSchema } from "../auth/schemas";
import { checkCurrentPassword } from "../http/current-password.server";
import type { FormFailure } from "../http/failure";
import { refuseSubmission } from "../http/failure.server";
import { intentSchemaDefaulting } from "../http/intents";
import { readFormData } from "../http/form-data.server";
import { safeRedirect } from "../security/redirect";
import { PageCard } from "../ui/cards";
import { SubmitButton } from "../ui/form-controls";
import { CurrentPasswordField, HiddenField, useValidatedForm, ValidatedForm } from "../ui/forms";
import { OneTimeCodeField } from "../ui/one-time-code-field";
import { PasskeyReauthenticate } from "../ui/passkeys";

export const meta: MetaFunction = () => [{ title: "Confirm it's you · Todo" }];

// A plain HTML client may post just the form's fields (password, redirectTo), without an intent.
const ReauthenticateSchema = intentSchemaDefaulting("password", [
  ReauthenticatePasswordSchema,
  z.object({
    intent: z.literal("provider"),
    provider: z.string({ error: "Choose a provider" }).min(1).max(50),
    redirectTo: RedirectToSchema,
  }),
]);

const NO_PASSWORD = "You have no password: continue with the service you sign in with instead.";

/** Where to go afterwards: a same-site path, /settings by default. */
const destination = (redirectTo: string | null | undefined) =>
  safeRedirect(redirectTo, REAUTHENTICATED_HOME_PATH);

/** Not signed in: a sign-in is an authentication too, so it leads straight to the destination. */
async function requireSignedIn(context: AppLoadContext, redirectTo: string) {
  const current = await context.getSession();
  if (current) return current;
  throw redirect(`/login?${new URLSearchParams({ redirectTo })}`);
}

/** The providers linked to the account that are configured here: the ways a password-less account can prove itself. */
async function linkedProviders(context: AppLoadContext, userId: string) {
  const { config, connections } = context.services;
  const methods = await connections.forOwner(userId).signInMethods();
  const providers = methods.connections.flatMap((connection) => {
    const provider = findProvider(config, connection.providerId);
    return provider ? [provider] : [];
  });
  return { hasPassword: methods.hasPassword, providers };
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const search = new URL(request.url).searchParams;
  const redirectTo = destination(search.get("redirectTo"));
  const { user } = await requireSignedIn(context, redirectTo);
  const { hasPassword, providers } = await linkedProviders(context, user.id);
  const error = search.get("error");
  return {
    email: user.email,
    redirectTo,
    asksForCode: await context.services.twoFactor.isEnabled(user.id),
    asksAgainAfter: describeWindow(context.services.config.reauthMaxAgeSeconds),
    hasPassword,
    // A passkey with user verification is every factor at once.
    passkeys:
      context.services.passkeys.relyingParty.available &&
      (await context.services.passkeys.forOwner(user.id).count()) > 0,
    providers: providers.map((provider) => ({ id: provider.id, name: nameOf(provider) })),
    providerError:
      error === null
        ? null
        : providerErrorView(context, { code: error, providerId: search.get("provider"), flow: "sign-in" })
            .message,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, session } = await requireSignedIn(context, REAUTHENTICATED_HOME_PATH);
  await context.rateLimit("password");
  const submission = parseWithZod(await readFormData(request), { schema: ReauthenticateSchema });
  if (submission.status !== "success") return refuseSubmission(submission);
  const form = submission.value;
  const redirectTo = destination(form.redirectTo);
  switch (form.intent) {
    case "password": {
      const { password } = form;
      const check = { userId: user.id, password, field: "password", noPassword: NO_PASSWORD };
      const refusal = await checkCurrentPassword(request, context, check);
      if (refusal) return refuseSubmission(submission, refusal);
      // Every factor the account has: with two-step sign-in on, a code too (after the password, so
      // that a wrong password spends no code).
      const codeRefusal = await checkSecondFactor(request, context, user.id, form.code);
      if (codeRefusal) return refuseSubmission(submission, { fieldErrors: { code: [codeRefusal] } });
      const marked = await context.services.sessions
        .forOwner(user.id)
        .markReauthenticated(session.id, originOf(request.headers));
      // Signed out meanwhile (another tab, a revocation): sign in again instead.
      if (!marked) throw redirect(`/login?${new URLSearchParams({ redirectTo })}`);
      return redirect(redirectTo);
    }
    case "provider": {
      const { hasPassword, providers } = await linkedProviders(context, user.id);
      // A password, when there is one, is what proves it is the owner: a provider alone would bypass it.
      const provider = hasPassword ? undefined : providers.find(({ id }) => id === form.provider);
      if (!provider) throw data("That service is not one you sign in with.", { status: 400 });
      // A new sign-in: its new session (created now) is within the window, and this one ends (auth.server.ts).
      return startSignIn(request, context, provider, {
        redirectTo,
        errorPath: `${reauthenticatePath(redirectTo)}&${new URLSearchParams({ provider: provider.id })}`,
      });
    }
  }
}

/** Null when the account has no second factor or `code` is a right one (then spent); else why not. */
async function checkSecondFactor(
  request: Request,
  context: AppLoadContext,
  userId: string,
  code: string | undefined,
): Promise<string | null> {
  const { twoFactor, credentialChanges } = context.services;
  if (!(await twoFactor.isEnabled(userId))) return null;
  if (!code) return "Enter the code from your authenticator app, or a recovery code";
  const accepted = await twoFactor.verify(userId, code);
  if (!accepted) return "That is neither your app's current code nor an unused recovery code.";
  if (accepted.factor === "recovery-code") {
    const used = { kind: "recovery-code-used", left: accepted.left } as const;
    await credentialChanges.record(userId, used, originOf(request.headers));
  }
  return null;
}

export default function Reauthenticate() {
  const { email, redirectTo, asksAgainAfter, asksForCode, hasPassword, passkeys, providers, providerError } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<FormFailure>();
  const [form, fields] = useValidatedForm(
    "reauthenticate",
    ReauthenticatePasswordSchema,
    actionData?.result,
    {
      defaultValue: { redirectTo },
      shouldRevalidate: "onInput",
    },
  );
  return (
    <PageCard title="Confirm it’s you">
      {hasPassword ? (
        <>
          <p>
            {`Confirm it's you: enter your password${asksForCode ? " and a code from your authenticator app" : ""} to continue. We ask again after ${asksAgainAfter}.`}
          </p>
          <p className="muted">
            You are signed in as <strong>{email}</strong>.
          </p>
          <ValidatedForm form={form} labels={{ password: "Password", code: "Code" }}>
            <input type="hidden" name="intent" value="password" />
            <HiddenField field={fields.redirectTo} />
            <CurrentPasswordField label="Password" field={fields.password} autoFocus />
            {asksForCode ? (
              <OneTimeCodeField
                field={fields.code}
                hint="From your authenticator app, or one of your recovery codes."
              />
            ) : null}
            <SubmitButton pendingText="Checking…">Continue</SubmitButton>
            <p className="text-right">
              <Link to="/forgot-password">Forgot your password?</Link>
            </p>
          </ValidatedForm>
        </>
      ) : (
        <>
          <p>
            {providers.length === 0 && passkeys
              ? `Confirm it's you with one of your passkeys to continue. We ask again after ${asksAgainAfter}.`
              : `Confirm it's you: sign in again with the service you use to continue. We ask again after ${asksAgainAfter}.`}
          </p>
          <p className="muted">
            You are signed in as <strong>{email}</strong>.
          </p>
          {providerError ? (
            <div className="error-summary" role="alert">
              <p>{providerError}</p>
            </div>
          ) : null}
          <div className="provider-sign-in">
            {providers.map((provider) => (
              // A full page load: the answer is a redirect to the provider.
              <Form key={provider.id} method="post" reloadDocument>
                <input type="hidden" name="intent" value="provider" />
                <input type="hidden" name="provider" value={provider.id} />
                <input type="hidden" name="redirectTo" value={redirectTo} />
                <button type="submit" className="button provider">
                  {`Continue with ${provider.name}`}
                </button>
              </Form>
            ))}
          </div>
          {providers.length === 0 && !passkeys ? (
            <p className="flash error" role="alert">
              None of the services you sign in with is available right now, so this change cannot be
              confirmed. Try again later.
            </p>
          ) : null}
        </>
      )}
      {passkeys ? (
        <>
          <h2>Or use a passkey</h2>
          <PasskeyReauthenticate redirectTo={redirectTo} />
        </>
      ) : null}
      <p className="card-footer">
        <Link to="/settings">Back to settings</Link>
      </p>
    </PageCard>
  );
}
