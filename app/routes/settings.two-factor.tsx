import { parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import type { SubmissionResult } from "@conform-to/react";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { originOf } from "../audit/audit.server";
import { requireRecentAuth } from "../http/guards.server";
import { redirectWithFlash } from "../http/flash.server";
import type { FormFailure } from "../http/failure";
import { refuseSubmission } from "../http/failure.server";
import { readFormData } from "../http/form-data.server";
import { DisableSchema, EnableSchema, TwoFactorSettingsSchema } from "../two-factor/schemas";
import { SubmitButton } from "../ui/form-controls";
import { SettingsSection } from "../ui/cards";
import { useValidatedForm, ValidatedForm } from "../ui/forms";
import { OneTimeCodeField } from "../ui/one-time-code-field";
import { LocalTime } from "../ui/local-time";

export const meta: MetaFunction = () => [{ title: "Two-step sign-in · Settings · Todo" }];

const PAGE = "/settings/two-factor";
const WRONG_CODE = "That code is not right. Type the code your app shows now (it changes every 30 seconds).";
const WRONG_CODE_OR_RECOVERY = "That is neither your app's current code nor an unused recovery code.";

/** What the action answers: a form's result, and the new recovery codes once, when there are some. */
type ActionData = FormFailure & {
  codes: string[] | null;
  /** Why there are new codes: two-step sign-in was just turned on, or the old set replaced. */
  madeBy?: "enable" | "regenerate-codes";
};

/** The secret is shown here and every change needs a recent sign-in or password (sudo mode). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireRecentAuth(request, context);
  const { twoFactor } = context.services;
  const status = await twoFactor.status(user.id);
  if (status.enabled) {
    return {
      enabled: true as const,
      since: status.enabledAt.toISOString(),
      recoveryCodesLeft: status.recoveryCodesLeft,
      enrolment: null,
    };
  }
  return {
    enabled: false as const,
    since: null,
    recoveryCodesLeft: 0,
    enrolment: await twoFactor.enrolment(user.id, user.email),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireRecentAuth(request, context);
  await context.rateLimit("password");
  const submission = parseWithZod(await readFormData(request), { schema: TwoFactorSettingsSchema });
  if (submission.status !== "success") return refuseSubmission(submission);
  const { twoFactor, credentialChanges } = context.services;
  const origin = originOf(request.headers);
  const form = submission.value;
  switch (form.intent) {
    case "enable": {
      const codes = await twoFactor.enable(user.id, form.code);
      if (!codes) return refuseSubmission(submission, { fieldErrors: { code: [WRONG_CODE] } });
      await credentialChanges.record(user.id, { kind: "two-factor-enabled" }, origin);
      return data<ActionData>({ result: submission.reply({ resetForm: true }), codes, madeBy: form.intent });
    }
    case "disable": {
      if (!(await twoFactor.verify(user.id, form.code))) {
        return refuseSubmission(submission, { fieldErrors: { code: [WRONG_CODE_OR_RECOVERY] } });
      }
      await twoFactor.disable(user.id);
      await credentialChanges.record(user.id, { kind: "two-factor-disabled" }, origin);
      return redirectWithFlash(context, PAGE, {
        kind: "success",
        message: "Two-step sign-in is off. Your password alone now signs you in.",
      });
    }
    case "regenerate-codes": {
      const codes = await twoFactor.regenerateCodes(user.id);
      if (!codes)
        return refuseSubmission(submission, {
          formErrors: ["Two-step sign-in is off: there are no codes to replace."],
        });
      await credentialChanges.record(user.id, { kind: "recovery-codes-regenerated" }, origin);
      return data<ActionData>({ result: submission.reply({ resetForm: true }), codes, madeBy: form.intent });
    }
  }
}

export default function TwoFactorSettings() {
  const loaded = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  if (actionData?.codes) return <RecoveryCodes codes={actionData.codes} madeBy={actionData.madeBy} />;
  if (loaded.enabled) {
    return <TurnedOn since={loaded.since} left={loaded.recoveryCodesLeft} result={actionData?.result} />;
  }
  return loaded.enrolment ? <TurnOn enrolment={loaded.enrolment} result={actionData?.result} /> : null;
}

function TurnOn({
  enrolment,
  result,
}: {
  enrolment: { secret: string; uri: string; qrSvg: string };
  result: SubmissionResult<string[]> | undefined;
}) {
  const [form, fields] = useValidatedForm("enable", EnableSchema, result, {
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  return (
    <SettingsSection
      title="Two-step sign-in"
      intro="With it on, a stolen password is not enough: signing in also asks for a code from an authenticator app on your phone (such as Google Authenticator, Microsoft Authenticator, 1Password or Aegis)."
    >
      <h3>1. Add Todo to your authenticator app</h3>
      <div className="totp-setup">
        {/* Rendered on the server by the qrcode library from our own URI: no script, no external image. */}
        <div
          className="qr-code"
          role="img"
          aria-label="QR code for your authenticator app"
          dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }}
        />
        <div>
          <p>Scan the QR code with the app.</p>
          <p>
            On this phone? <a href={enrolment.uri}>Open it in your authenticator app</a>.
          </p>
          <p>Or type this key into the app by hand:</p>
          <p>
            <code className="secret">{enrolment.secret}</code>
          </p>
        </div>
      </div>
      <h3>2. Enter the code the app shows</h3>
      <ValidatedForm form={form} labels={{ code: "Code" }}>
        <OneTimeCodeField field={fields.code} maxLength={6} />
        <SubmitButton name="intent" value="enable" pendingText="Turning on…">
          Turn on two-step sign-in
        </SubmitButton>
      </ValidatedForm>
    </SettingsSection>
  );
}

function TurnedOn({
  since,
  left,
  result,
}: {
  since: string;
  left: number;
  result: SubmissionResult<string[]> | undefined;
}) {
  const [form, fields] = useValidatedForm("disable", DisableSchema, result, {
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  return (
    <>
      <section className="card">
        <h2>Two-step sign-in is on</h2>
        <p className="muted">
          On since <LocalTime iso={since} />. Every sign-in asks for a code from your authenticator app.
        </p>
        <h3>Recovery codes</h3>
        <p>
          {left === 1 ? "1 recovery code is left." : `${left} recovery codes are left.`} Each works once,
          instead of a code from the app.
        </p>
        {left <= 3 ? (
          <p className="flash error" role="status">
            You are running out of recovery codes: make new ones and keep them safe.
          </p>
        ) : null}
        <Form method="post">
          <SubmitButton name="intent" value="regenerate-codes" className="button" pendingText="Making codes…">
            Make new recovery codes
          </SubmitButton>
          <p className="field-hint">The codes you have now stop working.</p>
        </Form>
      </section>
      <section className="card danger-zone">
        <h2>Turn off two-step sign-in</h2>
        <p className="muted">
          To turn it off, or to move to a new phone (turn it off, then on again), enter a code from your app
          or a recovery code.
        </p>
        <ValidatedForm form={form} labels={{ code: "Code" }}>
          <OneTimeCodeField field={fields.code} />
          <SubmitButton name="intent" value="disable" className="button danger" pendingText="Turning off…">
            Turn off two-step sign-in
          </SubmitButton>
        </ValidatedForm>
      </section>
    </>
  );
}

/** Shown once, right after they are made: the page never shows them again. */
function RecoveryCodes({ codes, madeBy }: { codes: string[]; madeBy: ActionData["madeBy"] }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const file = `Todo recovery codes (each works once):\n\n${codes.join("\n")}\n`;
  return (
    <section className="card" aria-labelledby="recovery-codes-heading">
      <h2 id="recovery-codes-heading" ref={heading} tabIndex={-1}>
        Save your recovery codes
      </h2>
      <p role="status">
        {madeBy === "enable" ? "Two-step sign-in is on." : "Your old recovery codes no longer work."} If you
        lose your phone, each of these codes signs you in once instead of the app. This is the only time they
        are shown: keep them somewhere safe, such as a password manager.
      </p>
      <ol className="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <p>
        <a
          className="button"
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(file)}`}
          download="todo-recovery-codes.txt"
        >
          Download as a text file
        </a>{" "}
        <Link className="button primary" to={PAGE}>
          I have saved them
        </Link>
      </p>
    </section>
  );
}
