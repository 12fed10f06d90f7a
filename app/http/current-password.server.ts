import type { AppLoadContext } from "@remix-run/node";
import { hasPassword, isCurrentPassword, PASSWORD_FIRST, WRONG_CURRENT_PASSWORD } from "./guards.server";
import type { Refusal } from "./failure.server";

/**
 * The current password a sensitive change asks for, checked. Undefined when it
 * is right; otherwise how the form refuses: a form error (`noPassword`) for an
 * account that has none (it signs in through a provider), or the message
 * beside `field` for a wrong one.
 */
export async function checkCurrentPassword(
  request: Request,
  context: AppLoadContext,
  {
    userId,
    password,
    field = "currentPassword",
    noPassword = PASSWORD_FIRST,
  }: { userId: string; password: string; field?: string; noPassword?: string },
): Promise<Refusal | undefined> {
  if (!(await hasPassword(context, userId))) return { formErrors: [noPassword] };
  if (!(await isCurrentPassword(request, context, password))) {
    return { fieldErrors: { [field]: [WRONG_CURRENT_PASSWORD] } };
  }
  return undefined;
}
