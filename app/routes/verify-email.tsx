import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import {
  data,
  type ActionFunctionArgs,
  type AppLoadContext,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { isAPIError } from "better-auth/api";
import { z } from "zod";
import { ENUMERATION_FLOOR_MS, withResponseFloor } from "~/security/response-floor.server";
import { CLIENT_ADDRESS_HEADER } from "~/auth/client-address";
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from "~/auth/common-passwords.server";
import { forwardCookies } from "~/auth/cookies.server";
import { refuseIfHashingBusy } from "~/auth/password-hashing.server";
import { ResetPasswordSchema } from "~/auth/schemas";
import { HOME_PATH } from "~/auth/guards.server";
import { redirectWithFlash } from "~/flash.server";
import { readFormData } from "~/http.server";
import { SubmitButton } from "~/ui/form-controls";
import { ErrorSummary, Field, NewPasswordPairForm } from "~/ui/forms";
import { EmailSchema } from "~/validation";

export const meta: MetaFunction = () => [{ title: "Confirm your email address · Todo" }];

const ResendSchema = z.object({ email: EmailSchema });
const PendingPasswordSchema = z.object({
  password: z.string({ error: "Enter the password chosen when the account was made" }).max(1024),
});

/** `prove`: the link was opened elsewhere than in the browser that signed up (pending-accounts.server.ts). */
type PageState = "check-inbox" | "confirm" | "prove" | "expired" | "invalid";
type ProveForm = "pending-password" | "new-password";

/** What the action answers, named: inferred through its helpers, Remix's types widen it to any. */
type ActionData =
  | { state: PageState; form?: ProveForm; result?: SubmissionResult<string[]> }
  | { result: SubmissionResult<string[]> };

const SECRET_FIELDS = ["password", "confirmPassword"];

const PAGE = "/verify-email";

/**
 * The link from the mail moves its token into this page's cookie, then the page
 * asks for a press of its button: opening a link (a mail scanner does) confirms
 * nothing and signs no one in. Without a token: "check your inbox", and a form
 * to ask again.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { linkTokens } = context.services;
  await linkTokens.moveOutOfUrl(request, PAGE);
  if ((await linkTokens.read(request, PAGE)) !== null) return { state: "confirm" as PageState, email: "" };
  const flash = await context.getFlash();
  return { state: "check-inbox" as PageState, email: flash?.email ?? "" };
}

/** The sign-up the link stands for, while its address is still unconfirmed. */
async function pendingOfLink(request: Request, context: AppLoadContext) {
  const { linkTokens, pendingAccounts } = context.services;
  const email = await pendingAccounts.addressOfLink((await linkTokens.read(request, PAGE)) ?? "");
  return email ? pendingAccounts.find(email) : null;
}

/**
 * The button of the link's page. In the browser that made this very sign-up it confirms at once;
 * anywhere else the page asks who is there: the one who chose the password, or the mailbox's
 * owner, who may choose another.
 */
async function confirmFromLink(request: Request, context: AppLoadContext) {
  const pending = await pendingOfLink(request, context);
  if (pending) {
    const mark = await context.services.signupMarks.read(request);
    if (mark?.email !== pending.email || mark.version !== pending.version)
      return { state: "prove" as PageState };
  }
  return confirmAddress(request, context);
}

/** Confirms with the password chosen at sign-up, typed again. */
async function confirmWithPendingPassword(request: Request, formData: FormData, context: AppLoadContext) {
  await context.rateLimit("password");
  const submission = parseWithZod(formData, { schema: PendingPasswordSchema });
  const refuse = (message?: string) =>
    data(
      {
        state: "prove" as PageState,
        form: "pending-password" as ProveForm,
        result: submission.reply({
          hideFields: SECRET_FIELDS,
          ...(message ? { fieldErrors: { password: [message] } } : {}),
        }),
      },
      { status: 400 },
    );
  if (submission.status !== "success") return refuse();
  const pending = await pendingOfLink(request, context);
  if (pending) {
    const right = await context.services.pendingAccounts
      .isPendingPassword(pending, submission.value.password)
      .catch((error: unknown) => {
        refuseIfHashingBusy(error, context);
        throw error;
      });
    if (!right) return refuse("That is not the password chosen when the account was made");
  }
  return confirmAddress(request, context);
}

/** The mailbox's owner chooses the password: the one chosen at sign-up, by whoever it was, is gone. */
async function confirmWithNewPassword(request: Request, formData: FormData, context: AppLoadContext) {
  await context.rateLimit("password");
  const submission = parseWithZod(formData, { schema: ResetPasswordSchema });
  const refuse = (fieldErrors?: Record<string, string[]>) =>
    data(
      {
        state: "prove" as PageState,
        form: "new-password" as ProveForm,
        result: submission.reply({ hideFields: SECRET_FIELDS, ...(fieldErrors ? { fieldErrors } : {}) }),
      },
      { status: 400 },
    );
  if (submission.status !== "success") return refuse();
  if (isCommonPassword(submission.value.password)) return refuse({ password: [COMMON_PASSWORD_MESSAGE] });
  // Only a link whose signature holds names a pending account: a forged one changes nothing.
  const pending = await pendingOfLink(request, context);
  if (pending) {
    await context.services.pendingAccounts
      .replacePassword(pending, submission.value.password)
      .catch((error: unknown) => {
        refuseIfHashingBusy(error, context);
        throw error;
      });
  }
  return confirmAddress(request, context);
}

/** Confirms the address and signs this browser in (ending any session it had). */
async function confirmAddress(request: Request, context: AppLoadContext) {
  const { linkTokens, auth } = context.services;
  const token = (await linkTokens.read(request, PAGE)) ?? "";
  const forgetToken = await linkTokens.clear(PAGE);
  try {
    const { headers } = await auth.api.verifyEmail({
      query: { token },
      headers: request.headers,
      returnHeaders: true,
    });
    const cookies = forwardCookies(headers);
    const signedIn = cookies.has("Set-Cookie");
    cookies.append("Set-Cookie", forgetToken);
    if (signedIn) {
      return redirectWithFlash(
        context,
        HOME_PATH,
        { kind: "success", message: "Your email address is confirmed. Welcome!" },
        cookies,
      );
    }
    // Confirmed before: the link does not sign anyone in a second time.
    return redirectWithFlash(
      context,
      "/login",
      { kind: "info", message: "Your email address is already confirmed. Sign in to continue." },
      cookies,
    );
  } catch (error) {
    if (!isAPIError(error)) throw error;
    const state: PageState = error.body?.code === "TOKEN_EXPIRED" ? "expired" : "invalid";
    return data({ state }, { status: 400, headers: { "Set-Cookie": forgetToken } });
  }
}

/** Ask for a new link. The same answer for every address, known or not. */
async function resend(formData: FormData, context: AppLoadContext) {
  await context.rateLimit("resend-verification");
  const submission = parseWithZod(formData, { schema: ResendSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const { email } = submission.value;
  // A waiting address costs a token and a mail more than any other: both answer after the same floor.
  await withResponseFloor(ENUMERATION_FLOOR_MS, async () => {
    try {
      // Without cookies: this is about the address typed, not about whoever is signed in.
      await context.services.auth.api.sendVerificationEmail({
        body: { email },
        headers: new Headers({ [CLIENT_ADDRESS_HEADER]: context.clientAddress }),
      });
    } catch (error) {
      if (!isAPIError(error)) throw error;
      context.logger.warn({ code: error.body?.code }, "verification mail not sent");
    }
  });
  return redirectWithFlash(context, "/verify-email", {
    kind: "info",
    message: `If ${email} is waiting to be confirmed, a new link is on its way. It works for 24 hours.`,
    email,
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readFormData(request);
  switch (formData.get("intent")) {
    case "confirm":
      return confirmFromLink(request, context);
    case "confirm-with-password":
      return confirmWithPendingPassword(request, formData, context);
    case "confirm-with-new-password":
      return confirmWithNewPassword(request, formData, context);
    default:
      return resend(formData, context);
  }
}

const HEADINGS: Record<PageState, { title: string; text: string }> = {
  confirm: {
    title: "Confirm your email address",
    text: "Press the button to confirm this address and sign in.",
  },
  prove: {
    title: "Finish confirming your address",
    text: "This link was opened in another browser than the one the account was made in. To make sure the account is yours, enter the password chosen when it was made, or choose a new one.",
  },
  "check-inbox": {
    title: "Check your inbox",
    text: "We sent you a link to confirm your email address. Open it to finish signing up. No mail? Look in your spam folder, or ask for a new link.",
  },
  expired: {
    title: "This link has expired",
    text: "Confirmation links work for 24 hours. Ask for a new one below.",
  },
  invalid: {
    title: "This link does not work",
    text: "It may have been copied only in part. Ask for a new one below.",
  },
};

export default function VerifyEmail() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const state = actionData && "state" in actionData ? actionData.state : loaderData.state;
  const heading = HEADINGS[state];
  if (state === "confirm") {
    return (
      <section className="card narrow">
        <h1>{heading.title}</h1>
        <p>{heading.text}</p>
        <Form method="post" action={PAGE} reloadDocument>
          <SubmitButton name="intent" value="confirm" pendingText="Confirming…">
            Confirm and sign in
          </SubmitButton>
        </Form>
      </section>
    );
  }
  if (state === "prove") {
    const failed = actionData && "form" in actionData ? actionData : undefined;
    return (
      <section className="card narrow">
        <h1>{heading.title}</h1>
        <p>{heading.text}</p>
        <PendingPasswordForm lastResult={failed?.form === "pending-password" ? failed.result : undefined} />
        <h2>Did not make this account, or forgot that password?</h2>
        <p>Choose a password of your own. The one chosen before stops working.</p>
        <NewPasswordPairForm
          id="new-password"
          action={PAGE}
          intent="confirm-with-new-password"
          submitLabel="Set password, confirm and sign in"
          lastResult={failed?.form === "new-password" ? failed.result : undefined}
        />
      </section>
    );
  }
  return (
    <section className="card narrow">
      <h1>{heading.title}</h1>
      <p>{heading.text}</p>
      <ResendForm
        email={loaderData.email}
        lastResult={actionData && !("state" in actionData) ? actionData.result : undefined}
      />
      <p className="card-footer">
        Already confirmed? <Link to="/login">Sign in</Link>
      </p>
    </section>
  );
}

type LastResult = SubmissionResult<string[]> | undefined;

function ResendForm({ email, lastResult }: { email: string; lastResult: LastResult }) {
  const [form, fields] = useForm({
    id: "resend-verification",
    lastResult,
    constraint: getZodConstraint(ResendSchema),
    defaultValue: { email },
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ResendSchema }),
  });
  return (
    <Form method="post" action="/verify-email" {...getFormProps(form)}>
      <ErrorSummary form={form} fields={[{ label: "Email", field: fields.email }]} />
      <Field label="Email" field={fields.email} type="email" autoComplete="email" />
      <SubmitButton className="button" pendingText="Sending…">
        Send a new link
      </SubmitButton>
    </Form>
  );
}

function PendingPasswordForm({ lastResult }: { lastResult: LastResult }) {
  const [form, fields] = useForm({
    id: "pending-password",
    lastResult,
    constraint: getZodConstraint(PendingPasswordSchema),
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: PendingPasswordSchema }),
  });
  return (
    <Form method="post" action={PAGE} reloadDocument {...getFormProps(form)}>
      <ErrorSummary form={form} fields={[{ label: "Password", field: fields.password }]} />
      <Field
        label="Password chosen when the account was made"
        field={fields.password}
        type="password"
        autoComplete="current-password"
        autoFocus
      />
      <SubmitButton name="intent" value="confirm-with-password" pendingText="Confirming…">
        Confirm and sign in
      </SubmitButton>
    </Form>
  );
}
