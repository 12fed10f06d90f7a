import { Form, useNavigation } from "@remix-run/react";
import type { ComponentProps } from "react";

/*
 * The form parts that need neither conform nor zod, apart from ./forms: pages
 * with a button or a list of errors and no validated fields (/todos, the
 * session and connection lists, /confirm-email) stay free of that code.
 */

/** A field's messages, under it; the id is what the input's `aria-describedby` names. */
export function FieldErrors({
  id,
  errors,
  announce = false,
}: {
  id: string;
  errors: string[] | undefined;
  /** Announce the message itself (when no page summary does). */
  announce?: boolean;
}) {
  if (!errors?.length) return null;
  return (
    <ul className="field-errors" id={id} role={announce ? "alert" : undefined}>
      {errors.map((error) => (
        <li key={error}>{error}</li>
      ))}
    </ul>
  );
}

/** A submit button that shows the form is on its way while a submission is pending. */
export function SubmitButton({
  children,
  pendingText,
  className = "button primary",
  ...props
}: ComponentProps<"button"> & { pendingText?: string }) {
  const navigation = useNavigation();
  const pending = navigation.state === "submitting";
  return (
    <button type="submit" className={className} aria-disabled={pending || undefined} {...props}>
      {pending && pendingText ? pendingText : children}
    </button>
  );
}

/**
 * A one-button form acting on one item of a list (a session, a connection):
 * the item's id in hidden fields, the change as the button's `intent`, and a
 * button whose accessible name says which item it acts on.
 */
export function ItemActionForm({
  hidden,
  intent,
  label,
  itemName,
  pendingText,
}: {
  hidden: Record<string, string>;
  intent: string;
  label: string;
  itemName: string;
  pendingText?: string;
}) {
  return (
    <Form method="post">
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <SubmitButton
        name="intent"
        value={intent}
        className="button small"
        pendingText={pendingText}
        aria-label={`${label} ${itemName}`}
      >
        {label}
      </SubmitButton>
    </Form>
  );
}
