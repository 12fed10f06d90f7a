import { FieldErrors } from "../ui/form-controls";

/**
 * A field's message, beside it. Shown without a page load it is announced at
 * once: an alert around the list (a list itself may not take that role).
 */
export function FieldMessage({
  id,
  message,
  announce,
}: {
  id: string;
  message: string | null;
  announce: boolean;
}) {
  if (message === null) return null;
  const errors = <FieldErrors id={id} errors={[message]} />;
  return announce ? (
    <div role="alert" className="field-message">
      {errors}
    </div>
  ) : (
    errors
  );
}
