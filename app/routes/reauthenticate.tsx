import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type AppLoadContext,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { originOf } from "~/audit/audit.server";
import {
  isCurrentPassword,
  REAUTHENTICATED_HOME_PATH,
  reauthenticatePath,
  WRONG_CURRENT_PASSWORD,
} from "~/auth/guards.server";
import { providerErrorView, startSignIn } from "~/auth/oauth.server";
import { CurrentPasswordSchema } from "~/auth/password";
import { findProvider, nameOf } from "~/auth/providers.server";
import { describeWindow } from "~/auth/reauthentication.server";
import { readFormData } from "~/http.server";
import { safeRedirect } from "~/security/redirect";
import { SubmitButton } from "~/ui/form-controls";
import { ErrorSummary, Field, HiddenField } from "~/ui/forms";

export const meta: MetaFunction = () => [{ title: "Confirm it's you · Todo" }];

const RedirectToField = z.string().max(2048).optional();

const PasswordSchema = z.object({
  intent: z.literal("password"),
  password: CurrentPasswordSchema,
  redirectTo: RedirectToField,
});

const ReauthenticateSchema = z.preprocess(
  // A plain client may post just the fields the contract names.
  (value) =>
    typeof value === "object" && value !== null && !("intent" in value)
      ? { ...value, intent: "password" }
      : value,
  z.discriminatedUnion(
    "intent",
    [
      PasswordSchema,
      z.object({
        intent: z.literal("provider"),
        provider: z.string({ error: "Choose a provider" }).min(1).max(50),
        redirectTo: RedirectToField,
      }),
    ],
    { error: "Unknown action" },
  ),
);

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
    asksAgainAfter: describeWindow(context.services.config.reauthMaxAgeSeconds),
    hasPassword,
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
  if (submission.status !== "success") {
    return data({ result: submission.reply({ hideFields: ["password"] }) }, { status: 400 });
  }
  const form = submission.value;
  const redirectTo = destination(form.redirectTo);
  const { hasPassword, providers } = await linkedProviders(context, user.id);
  switch (form.intent) {
    case "password": {
      if (!hasPassword) {
        return data(
          { result: submission.reply({ formErrors: [NO_PASSWORD], hideFields: ["password"] }) },
          { status: 400 },
        );
      }
      if (!(await isCurrentPassword(request, context, form.password))) {
        return data(
          {
            result: submission.reply({
              fieldErrors: { password: [WRONG_CURRENT_PASSWORD] },
              hideFields: ["password"],
            }),
          },
          { status: 400 },
        );
      }
      const marked = await context.services.sessions
        .forOwner(user.id)
        .markReauthenticated(session.id, originOf(request.headers));
      // Signed out meanwhile (another tab, a revocation): sign in again instead.
      if (!marked) throw redirect(`/login?${new URLSearchParams({ redirectTo })}`);
      return redirect(redirectTo);
    }
    case "provider": {
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

export default function Reauthenticate() {
  const { email, redirectTo, asksAgainAfter, hasPassword, providers, providerError } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "reauthenticate",
    lastResult: actionData?.result,
    constraint: getZodConstraint(PasswordSchema),
    defaultValue: { redirectTo },
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: PasswordSchema }),
  });
  return (
    <section className="card narrow">
      <h1>Confirm it’s you</h1>
      {hasPassword ? (
        <>
          <p>{`Confirm it's you: enter your password to continue. We ask again after ${asksAgainAfter}.`}</p>
          <p className="muted">
            You are signed in as <strong>{email}</strong>.
          </p>
          <Form method="post" {...getFormProps(form)}>
            <ErrorSummary form={form} fields={[{ label: "Password", field: fields.password }]} />
            <input type="hidden" name="intent" value="password" />
            <HiddenField field={fields.redirectTo} />
            <Field
              label="Password"
              field={fields.password}
              type="password"
              autoComplete="current-password"
              autoFocus
            />
            <SubmitButton pendingText="Checking…">Continue</SubmitButton>
            <p className="text-right">
              <Link to="/forgot-password">Forgot your password?</Link>
            </p>
          </Form>
        </>
      ) : (
        <>
          <p>
            {`Confirm it's you: sign in again with the service you use to continue. We ask again after ${asksAgainAfter}.`}
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
          {providers.length === 0 ? (
            <p className="flash error" role="alert">
              None of the services you sign in with is available right now, so this change cannot be
              confirmed. Try again later.
            </p>
          ) : null}
        </>
      )}
      <p className="card-footer">
        <Link to="/settings">Back to settings</Link>
      </p>
    </section>
  );
}
