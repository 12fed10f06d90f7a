import type { FieldMetadata } from "@conform-to/react";
import type { ReactNode } from "react";
import { CODE_MAX } from "../two-factor/schemas";
import { Field } from "./forms";

/** A one-time code from an authenticator app (or a recovery code, where `hint` says so). */
export function OneTimeCodeField({
  field,
  hint,
  maxLength = CODE_MAX,
  autoFocus,
}: {
  field: FieldMetadata<string>;
  hint?: ReactNode;
  maxLength?: number;
  autoFocus?: boolean;
}) {
  return (
    <Field
      label="Code"
      field={field}
      type="text"
      autoComplete="one-time-code"
      maxLength={maxLength}
      hint={hint}
      autoFocus={autoFocus}
    />
  );
}
