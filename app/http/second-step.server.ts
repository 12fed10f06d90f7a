import { redirect } from "@remix-run/node";
import { isAPIError } from "better-auth/api";
import { forwardCookies } from "./cookies.server";
import { SECOND_STEP_PATH, TWO_FACTOR_REQUIRED } from "../two-factor/second-step.server";

/**
 * A first step that passed for an account with two-step sign-in on (better-auth refused the
 * session): the redirect to the second step, with the pending sign-in's cookie; else null.
 */
export function toSecondStep(error: unknown): Response | null {
  if (!isAPIError(error) || error.body?.code !== TWO_FACTOR_REQUIRED) return null;
  return redirect(SECOND_STEP_PATH, { headers: forwardCookies(new Headers(error.headers)) });
}
