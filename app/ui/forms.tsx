import {
  getFormProps,
  getInputProps,
  type FieldMetadata,
  type FormMetadata,
  type SubmissionResult,
} from "@conform-to/react";
import { Form, type FormProps } from "@remix-run/react";
import type { ReactNode } from "react";
import { PASSWORD_MAX, PASSWORD_MIN } from "../auth/password";
import { ResetPasswordSchema } from "../auth/schemas";
import { ErrorSummary, useErrorSummary, type FieldLabels } from "./error-summary";
import { FieldErrors, SubmitButton } from "./form-controls";
import { useValidatedForm } from "./form-validation";
import { PasswordVisibilityToggle, usePasswordVisibility } from "./password-visibility";
import { PasswordStrength, usePasswordStrengthHintId } from "./password-strength";

export { useValidatedForm } from "./form-validation";

/**
 * A form posted to the page's action, with conform's id and validation and its
 * error summary first. Without JavaScript it is a plain HTML form.
 */
export function ValidatedForm<Schema extends Record<string, unknown>>({
  form,
  labels,
  children,
  ...props
}: {
  form: FormMetadata<Schema, string[]>;
  labels: FieldLabels<Schema>;
  children: ReactNode;
} & Pick<FormProps, "action" | "reloadDocument" | "className">) {
  const { shown, summaryRef, afterSubmit } = useErrorSummary(form.status);
  const formProps = getFormProps(form);
  return (
    <Form
      method="post"
      {...props}
      {...formProps}
      onSubmit={(event) => {
        formProps.onSubmit(event);
        afterSubmit(event);
      }}
    >
      <ErrorSummary form={form} labels={labels} shown={shown} summaryRef={summaryRef} />
      {children}
    </Form>
  );
}

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
  /** Beside the label, such as a link to recover what the field asks for. */
  labelAside?: ReactNode;
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
  labelAside,
}: FieldProps) {
  const visibility = usePasswordVisibility(field.id);
  const { key, ...inputProps } = getInputProps(field, {
    type,
    // conform puts the errors' id in front of these when the field is invalid.
    ariaDescribedBy:
      [hint ? field.descriptionId : undefined, describedBy].filter(Boolean).join(" ") || undefined,
    value: type !== "password",
  });
  const labelElement = <label htmlFor={field.id}>{label}</label>;
  const input = (
    <input
      key={key}
      {...inputProps}
      // A password shown as text is still a password: never spell-checked, capitalised or written back.
      type={type === "password" && visibility.shown ? "text" : type}
      autoComplete={autoComplete}
      autoFocus={autoFocus}
      maxLength={maxLength}
      spellCheck={type === "text" ? undefined : false}
      autoCapitalize={type === "text" ? undefined : "none"}
    />
  );
  return (
    <div className="field">
      {labelAside ? (
        <div className="field-label-row">
          {labelElement}
          {labelAside}
        </div>
      ) : (
        labelElement
      )}
      {hint ? (
        <p className="field-hint" id={field.descriptionId}>
          {hint}
        </p>
      ) : null}
      {type === "password" ? (
        <div className="password-input">
          {input}
          <PasswordVisibilityToggle
            inputId={field.id}
            shown={visibility.shown}
            onToggle={visibility.toggle}
          />
        </div>
      ) : (
        input
      )}
      {children}
      <FieldErrors id={field.errorId} errors={field.errors} />
    </div>
  );
}

/** A hidden field whose value survives a failed submission. */
export function HiddenField({ field }: { field: FieldMetadata<string | undefined> }) {
  const { key, ...inputProps } = getInputProps(field, { type: "hidden" });
  return <input key={key} {...inputProps} />;
}

/** The current password, asked for as proof before a sensitive change. */
export function CurrentPasswordField({
  field,
  label = "Current password",
  autoFocus,
  labelAside,
}: {
  field: FieldMetadata<string>;
  label?: string;
  autoFocus?: boolean;
  labelAside?: ReactNode;
}) {
  return (
    <Field
      label={label}
      field={field}
      type="password"
      autoComplete="current-password"
      autoFocus={autoFocus}
      labelAside={labelAside}
    />
  );
}

/**
 * A new password and its confirmation, with the rules said once, beside the
 * first field, and (with JavaScript) a strength hint under it.
 */
export function NewPasswordFields({
  password,
  confirmPassword,
  labels = ["New password", "Confirm new password"],
  autoFocus,
}: {
  password: FieldMetadata<string>;
  confirmPassword: FieldMetadata<string>;
  labels?: [string, string];
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
  const [form, fields] = useValidatedForm(id, ResetPasswordSchema, lastResult, {
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <ValidatedForm
      form={form}
      labels={{ password: "New password", confirmPassword: "Confirm new password" }}
      action={action}
      reloadDocument
    >
      <NewPasswordFields
        password={fields.password}
        confirmPassword={fields.confirmPassword}
        autoFocus={autoFocus}
      />
      <SubmitButton name={intent ? "intent" : undefined} value={intent} pendingText="Saving…">
        {submitLabel}
      </SubmitButton>
    </ValidatedForm>
  );
}
