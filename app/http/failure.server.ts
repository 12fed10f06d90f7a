import type { Submission } from "@conform-to/react";
import { data } from "@remix-run/node";
import type { FormFailure } from "./failure";

/** The fields no answer ever writes back into a page (passwords and one-time codes), in whichever form. */
const SECRET_FIELDS = ["password", "confirmPassword", "currentPassword", "newPassword", "code"];

export interface Refusal {
  /** Messages about the whole form, shown at the top of its summary. */
  formErrors?: string[];
  /** Messages beside named fields, after the schema's own. */
  fieldErrors?: Record<string, string[]>;
  /** Empties the form: what was typed no longer applies (a used link, say). */
  resetForm?: boolean;
  status?: 400 | 403 | 429 | 503;
}

/** A parsed submission of any schema: all a refusal needs of it is its reply. */
type Replyable = Pick<Submission<unknown>, "reply">;

/**
 * A form action's answer to a submission it refuses (invalid, or turned down by
 * the rules after parsing): conform's reply with the messages, passwords left
 * out, and an error status (400 unless said). `extra` is what else the page needs.
 */
export function refuseSubmission<Extra extends object = Record<never, never>>(
  submission: Replyable,
  { formErrors, fieldErrors, resetForm = false, status = 400 }: Refusal = {},
  extra: Extra = {} as Extra,
) {
  const result = resetForm
    ? submission.reply({ resetForm: true })
    : submission.reply({ formErrors, fieldErrors, hideFields: SECRET_FIELDS });
  const answer: FormFailure & Extra = { ...extra, result };
  return data(answer, { status });
}
