import {
  getFormProps,
  getInputProps,
  useForm,
  type FieldMetadata,
  type SubmissionResult,
} from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { PASSWORD_MAX, PASSWORD_MIN } from "../auth/password";
import { ResetPasswordSchema } from "../auth/schemas";
import { FieldErrors, SubmitButton } from "./form-controls";
import { PasswordStrength, usePasswordStrengthHintId } from "./password-strength";

type InputType = "text" | "email" | "password";

interface FieldProps {
  label: string;
  field: FieldMetadata<string>;
  type: InputType;
  autoComplete: string;
  hint?: ReactNode;
  autoFocus?: boolean;
  maxLength?: number;
  /** Ids of more descriptions of the input (after the hint's), such as a live strength hint. */
  describedBy?: string;
  /** Shown under the input, above its errors. */
  children?: ReactNode;
}

/**
 * A labelled input with its hint and its errors beside it. conform supplies the
 * id, the name, `aria-invalid` and `aria-describedby`; a password is never
 * written back into the page.
 */
export function Field({
  label,
  field,
  type,
  autoComplete,
  hint,
  autoFocus,
  maxLength,
  describedBy,
  children,
}: FieldProps) {
  const { key, ...inputProps } = getInputProps(field, {
    type,
    // conform puts the errors' id in front of these when the field is invalid.
    ariaDescribedBy:
      [hint ? field.descriptionId : undefined, describedBy].filter(Boolean).join(" ") || undefined,
    value: type !== "password",
  });
  return (
    <div className="field">
      <label htmlFor={field.id}>{label}</label>
      {hint ? (
        <p className="field-hint" id={field.descriptionId}>
          {hint}
        </p>
      ) : null}
      <input
        key={key}
        {...inputProps}
        autoComplete={autoComplete}
        autoFocus={autoFocus}
        maxLength={maxLength}
        spellCheck={type === "text" ? undefined : false}
        autoCapitalize={type === "text" ? undefined : "none"}
      />
      {children}
      <FieldErrors id={field.errorId} errors={field.errors} />
    </div>
  );
}

/**
 * The summary at the top of a form that failed: announced to screen readers
 * and linking each message to its field.
 */
export function ErrorSummary({
  form,
  fields,
}: {
  form: { errors?: string[]; errorId: string };
  fields: Array<{ label: string; field: FieldMetadata<string> }>;
}) {
  const formErrors = form.errors ?? [];
  const fieldErrors = fields.flatMap(({ label, field }) =>
    (field.errors ?? []).map((message) => ({ id: field.id, label, message })),
  );
  if (formErrors.length === 0 && fieldErrors.length === 0) return null;
  return (
    <div className="error-summary" role="alert" id={form.errorId} tabIndex={-1}>
      {formErrors.map((message) => (
        <p key={message}>{message}</p>
      ))}
      {fieldErrors.length > 0 ? (
        <>
          <p>{fieldErrors.length === 1 ? "There is a problem:" : "There are problems:"}</p>
          <ul>
            {fieldErrors.map(({ id, label, message }) => (
              <li key={`${id}:${message}`}>
                <a href={`#${id}`}>
                  {label}: {message}
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

/** A hidden field whose value survives a failed submission. */
export function HiddenField({ field }: { field: FieldMetadata<string | undefined> }) {
  const { key, ...inputProps } = getInputProps(field, { type: "hidden" });
  return <input key={key} {...inputProps} />;
}

/**
 * A new password and its confirmation, with the rules said once, beside the
 * first field, and (with JavaScript) a strength hint under it.
 */
export function NewPasswordFields({
  password,
  confirmPassword,
  labels,
  autoFocus,
}: {
  password: FieldMetadata<string>;
  confirmPassword: FieldMetadata<string>;
  labels: [string, string];
  autoFocus?: boolean;
}) {
  const strengthHintId = usePasswordStrengthHintId(password.id);
  return (
    <>
      <Field
        label={labels[0]}
        field={password}
        type="password"
        autoComplete="new-password"
        autoFocus={autoFocus}
        hint={`${PASSWORD_MIN} to ${PASSWORD_MAX} characters. Spaces and any symbols are welcome; a long phrase is best.`}
        describedBy={strengthHintId}
      >
        <PasswordStrength inputId={password.id} inputKey={password.key} />
      </Field>
      <Field label={labels[1]} field={confirmPassword} type="password" autoComplete="new-password" />
    </>
  );
}

/**
 * A form that chooses a new password, typed twice, posted as a document (the
 * pages reached from mail links: their token's cookie covers only their path).
 */
export function NewPasswordPairForm({
  id,
  lastResult,
  action,
  intent,
  submitLabel,
  autoFocus,
}: {
  id: string;
  lastResult: SubmissionResult<string[]> | undefined;
  action?: string;
  /** The value of the submit button's `intent`, where the page has more than one form. */
  intent?: string;
  submitLabel: string;
  autoFocus?: boolean;
}) {
  const [form, fields] = useForm({
    id,
    lastResult,
    constraint: getZodConstraint(ResetPasswordSchema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ResetPasswordSchema }),
  });
  return (
    <Form method="post" action={action} reloadDocument {...getFormProps(form)}>
      <ErrorSummary
        form={form}
        fields={[
          { label: "New password", field: fields.password },
          { label: "Confirm new password", field: fields.confirmPassword },
        ]}
      />
      <NewPasswordFields
        password={fields.password}
        confirmPassword={fields.confirmPassword}
        labels={["New password", "Confirm new password"]}
        autoFocus={autoFocus}
      />
      <SubmitButton name={intent ? "intent" : undefined} value={intent} pendingText="Saving…">
        {submitLabel}
      </SubmitButton>
    </Form>
  );
}
