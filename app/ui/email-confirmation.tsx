import { Form, Link } from "@remix-run/react";
import { EmailFormSchema, PendingPasswordSchema } from "../auth/schemas";
import type { FormFailure } from "../http/failure";
import { PageCard } from "./cards";
import { SubmitButton } from "./form-controls";
import { CurrentPasswordField, Field, NewPasswordPairForm, useValidatedForm, ValidatedForm } from "./forms";

/*
 * The steps of /verify-email, the page a confirmation mail links to
 * (app/routes/verify-email.tsx holds what each of its buttons does).
 */

export const VERIFY_EMAIL_PAGE = "/verify-email";

/** `prove`: the link was opened elsewhere than in the browser that signed up (pending-accounts.server.ts). */
export type ConfirmationState = "check-inbox" | "confirm" | "prove" | "expired" | "invalid";

/** The two ways to prove the account is yours, each its own form. */
type ProveForm = "pending-password" | "new-password";

/** What the page's action answers when it does not redirect. */
export type VerifyEmailActionData =
  { state: ConfirmationState } | (FormFailure & { state: "prove"; form: ProveForm }) | FormFailure;

const HEADINGS: Record<ConfirmationState, { title: string; text: string }> = {
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

/** The page as the action left it, or as the loader found it. */
export function EmailConfirmation({
  state,
  email,
  actionData,
}: {
  state: ConfirmationState;
  /** The address to ask again for, as the sign-up or the last request left it. */
  email: string;
  actionData: VerifyEmailActionData | undefined;
}) {
  const heading = HEADINGS[state];
  return (
    <PageCard title={heading.title}>
      <p>{heading.text}</p>
      {state === "confirm" ? (
        <Form method="post" action={VERIFY_EMAIL_PAGE} reloadDocument>
          <SubmitButton name="intent" value="confirm" pendingText="Confirming…">
            Confirm and sign in
          </SubmitButton>
        </Form>
      ) : state === "prove" ? (
        <ProveOwnership failed={actionData && "form" in actionData ? actionData : undefined} />
      ) : (
        <>
          <ResendForm
            email={email}
            failed={actionData && !("state" in actionData) ? actionData : undefined}
          />
          <p className="card-footer">
            Already confirmed? <Link to="/login">Sign in</Link>
          </p>
        </>
      )}
    </PageCard>
  );
}

/** Anywhere but the browser that signed up: the password chosen then, or a new one of the mailbox's owner. */
function ProveOwnership({
  failed,
}: {
  failed: { form: ProveForm; result: FormFailure["result"] } | undefined;
}) {
  return (
    <>
      <PendingPasswordForm failed={failed?.form === "pending-password" ? failed : undefined} />
      <h2>Did not make this account, or forgot that password?</h2>
      <p>Choose a password of your own. The one chosen before stops working.</p>
      <NewPasswordPairForm
        id="new-password"
        action={VERIFY_EMAIL_PAGE}
        intent="confirm-with-new-password"
        submitLabel="Set password, confirm and sign in"
        lastResult={failed?.form === "new-password" ? failed.result : undefined}
      />
    </>
  );
}

function ResendForm({ email, failed }: { email: string; failed: FormFailure | undefined }) {
  const [form, fields] = useValidatedForm("resend-verification", EmailFormSchema, failed?.result, {
    defaultValue: { email },
  });
  return (
    <ValidatedForm form={form} labels={{ email: "Email" }} action={VERIFY_EMAIL_PAGE}>
      <Field label="Email" field={fields.email} type="email" autoComplete="email" />
      <SubmitButton className="button" pendingText="Sending…">
        Send a new link
      </SubmitButton>
    </ValidatedForm>
  );
}

function PendingPasswordForm({ failed }: { failed: FormFailure | undefined }) {
  const [form, fields] = useValidatedForm("pending-password", PendingPasswordSchema, failed?.result);
  return (
    <ValidatedForm form={form} labels={{ password: "Password" }} action={VERIFY_EMAIL_PAGE} reloadDocument>
      <CurrentPasswordField
        label="Password chosen when the account was made"
        field={fields.password}
        autoFocus
      />
      <SubmitButton name="intent" value="confirm-with-password" pendingText="Confirming…">
        Confirm and sign in
      </SubmitButton>
    </ValidatedForm>
  );
}
