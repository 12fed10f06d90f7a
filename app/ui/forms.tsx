import {
  getFormProps,
  getInputProps,
  useForm,
  type DefaultValue,
  type FieldMetadata,
  type FormMetadata,
  type SubmissionResult,
} from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { Form, type FormProps } from "@remix-run/react";
import type { ReactNode } from "react";
import type { z } from "zod";
import { PASSWORD_MAX, PASSWORD_MIN } from "../auth/password";
import { ResetPasswordSchema } from "../auth/schemas";
import { FieldErrors, SubmitButton } from "./form-controls";
import { PasswordStrength, usePasswordStrengthHintId } from "./password-strength";

/** A form schema as the browser validates it: an object of named fields. */
type FormSchema = z.ZodType<unknown, Record<string, unknown>>;

/**
 * conform's form for a zod schema, validated in the browser with the same
 * schema the server parses: on submit unless `shouldValidate` says sooner.
 */
export function useValidatedForm<Schema extends FormSchema>(
  id: string,
  schema: Schema,
  lastResult: SubmissionResult<string[]> | undefined,
  options: {
    defaultValue?: DefaultValue<z.input<Schema>>;
    shouldValidate?: "onSubmit" | "onBlur";
    shouldRevalidate?: "onInput";
  } = {},
) {
  return useForm({
    id,
    lastResult,
    constraint: getZodConstraint(schema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    ...options,
  });
}

/** What each field is called in the error summary, in the order the form shows them. */
type FieldLabels<Schema extends Record<string, unknown>> = { [Name in keyof Schema]?: string };

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
  return (
    <Form method="post" {...props} {...getFormProps(form)}>
      <ErrorSummary form={form} labels={labels} />
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
function ErrorSummary<Schema extends Record<string, unknown>>({
  form,
  labels,
}: {
  form: FormMetadata<Schema, string[]>;
  labels: FieldLabels<Schema>;
}) {
  const formErrors = form.errors ?? [];
  const fieldset = form.getFieldset();
  const fieldErrors = (Object.keys(labels) as Array<keyof Schema>).flatMap((name) => {
    const field = fieldset[name];
    return (field.errors ?? []).map((message) => ({ id: field.id, label: labels[name], message }));
  });
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

/** The current password, asked for as proof before a sensitive change. */
export function CurrentPasswordField({
  field,
  label = "Current password",
  autoFocus,
}: {
  field: FieldMetadata<string>;
  label?: string;
  autoFocus?: boolean;
}) {
  return (
    <Field
      label={label}
      field={field}
      type="password"
      autoComplete="current-password"
      autoFocus={autoFocus}
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
