import { parseWithZod } from "@conform-to/zod/v4";
import { data } from "@remix-run/node";
import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { isAPIError } from "better-auth/api";
import { ENUMERATION_FLOOR_MS, withResponseFloor } from "../security/response-floor.server";
import { CLIENT_ADDRESS_HEADER } from "../auth/client-address";
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from "../auth/common-passwords.server";
import { forwardCookies } from "../http/cookies.server";
import { EmailFormSchema, PendingPasswordSchema, ResetPasswordSchema } from "../auth/schemas";
import { HOME_PATH } from "../http/guards.server";
import { redirectWithFlash } from "../http/flash.server";
import { refuseSubmission } from "../http/failure.server";
import { withPasswordHashing } from "../http/password-hashing.server";
import { readFormData } from "../http/form-data.server";
import {
  EmailConfirmation,
  VERIFY_EMAIL_PAGE as PAGE,
  type ConfirmationState,
  type VerifyEmailActionData,
} from "../ui/email-confirmation";
import { toSecondStep } from "../http/second-step.server";

export const meta: MetaFunction = () => [{ title: "Confirm your email address · Todo" }];

/**
 * The link from the mail moves its token into this page's cookie, then the page
 * asks for a press of its button: opening a link (a mail scanner does) confirms
 * nothing and signs no one in. Without a token: "check your inbox", and a form
 * to ask again.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { linkTokens } = context.services;
  await linkTokens.moveOutOfUrl(request, PAGE);
  if ((await linkTokens.read(request, PAGE)) !== null) {
    return { state: "confirm" as ConfirmationState, email: "" };
  }
  const flash = await context.getFlash();
  return { state: "check-inbox" as ConfirmationState, email: flash?.email ?? "" };
}

/** The sign-up the link stands for, while its address is still unconfirmed. */
async function pendingOfLink(request: Request, context: AppLoadContext) {
  const { linkTokens, pendingAccounts } = context.services;
  const email = await pendingAccounts.addressOfLink((await linkTokens.read(request, PAGE)) ?? "");
  return email ? pendingAccounts.find(email) : null;
}

/**
 * The button of the link's page. In the browser that made this very sign-up it confirms at once;
 * anywhere else the page asks who is there: the one who chose the password, or the mailbox's
 * owner, who may choose another.
 */
async function confirmFromLink(request: Request, context: AppLoadContext) {
  const pending = await pendingOfLink(request, context);
  if (pending) {
    const mark = await context.services.signupMarks.read(request);
    if (mark?.email !== pending.email || mark.version !== pending.version) {
      return { state: "prove" as ConfirmationState };
    }
  }
  return confirmAddress(request, context);
}

/** Confirms with the password chosen at sign-up, typed again. */
async function confirmWithPendingPassword(request: Request, formData: FormData, context: AppLoadContext) {
  await context.rateLimit("password");
  const submission = parseWithZod(formData, { schema: PendingPasswordSchema });
  const refuse = (fieldErrors?: Record<string, string[]>) =>
    refuseSubmission(submission, { fieldErrors }, { state: "prove", form: "pending-password" });
  if (submission.status !== "success") return refuse();
  const pending = await pendingOfLink(request, context);
  if (pending) {
    const { pendingAccounts } = context.services;
    const { password } = submission.value;
    const right = await withPasswordHashing(context, () =>
      pendingAccounts.isPendingPassword(pending, password),
    );
    if (!right) return refuse({ password: ["That is not the password chosen when the account was made"] });
  }
  return confirmAddress(request, context);
}

/** The mailbox's owner chooses the password: the one chosen at sign-up, by whoever it was, is gone. */
async function confirmWithNewPassword(request: Request, formData: FormData, context: AppLoadContext) {
  await context.rateLimit("password");
  const submission = parseWithZod(formData, { schema: ResetPasswordSchema });
  const refuse = (fieldErrors?: Record<string, string[]>) =>
    refuseSubmission(submission, { fieldErrors }, { state: "prove", form: "new-password" });
  if (submission.status !== "success") return refuse();
  const { password } = submission.value;
  if (isCommonPassword(password)) return refuse({ password: [COMMON_PASSWORD_MESSAGE] });
  // Only a link whose signature holds names a pending account: a forged one changes nothing.
  const pending = await pendingOfLink(request, context);
  if (pending) {
    const { pendingAccounts } = context.services;
    await withPasswordHashing(context, () => pendingAccounts.replacePassword(pending, password));
  }
  return confirmAddress(request, context);
}

/** Confirms the address and signs this browser in (ending any session it had). */
async function confirmAddress(request: Request, context: AppLoadContext) {
  const { linkTokens, auth } = context.services;
  const token = (await linkTokens.read(request, PAGE)) ?? "";
  const forgetToken = await linkTokens.clear(PAGE);
  try {
    const { headers } = await auth.api.verifyEmail({
      query: { token },
      headers: request.headers,
      returnHeaders: true,
    });
    const cookies = forwardCookies(headers);
    const signedIn = cookies.has("Set-Cookie");
    cookies.append("Set-Cookie", forgetToken);
    if (signedIn) {
      return redirectWithFlash(
        context,
        HOME_PATH,
        { kind: "success", message: "Your email address is confirmed. Welcome!" },
        cookies,
      );
    }
    // Confirmed before: the link does not sign anyone in a second time.
    return redirectWithFlash(
      context,
      "/login",
      { kind: "info", message: "Your email address is already confirmed. Sign in to continue." },
      cookies,
    );
  } catch (error) {
    if (!isAPIError(error)) throw error;
    // Confirmed, but the account has two-step sign-in on: the session waits for its second step.
    const secondStep = toSecondStep(error);
    if (secondStep) {
      secondStep.headers.append("Set-Cookie", forgetToken);
      return secondStep;
    }
    const state: ConfirmationState = error.body?.code === "TOKEN_EXPIRED" ? "expired" : "invalid";
    return data({ state }, { status: 400, headers: { "Set-Cookie": forgetToken } });
  }
}

/** Ask for a new link. The same answer for every address, known or not. */
async function resend(formData: FormData, context: AppLoadContext) {
  await context.rateLimit("resend-verification");
  const submission = parseWithZod(formData, { schema: EmailFormSchema });
  if (submission.status !== "success") return refuseSubmission(submission);
  const { email } = submission.value;
  // A waiting address costs a token and a mail more than any other: both answer after the same floor.
  await withResponseFloor(ENUMERATION_FLOOR_MS, async () => {
    try {
      // Without cookies: this is about the address typed, not about whoever is signed in.
      await context.services.auth.api.sendVerificationEmail({
        body: { email },
        headers: new Headers({ [CLIENT_ADDRESS_HEADER]: context.clientAddress }),
      });
    } catch (error) {
      if (!isAPIError(error)) throw error;
      context.logger.warn({ code: error.body?.code }, "verification mail not sent");
    }
  });
  return redirectWithFlash(context, PAGE, {
    kind: "info",
    message: `If ${email} is waiting to be confirmed, a new link is on its way. It works for 24 hours.`,
    email,
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readFormData(request);
  switch (formData.get("intent")) {
    case "confirm":
      return confirmFromLink(request, context);
    case "confirm-with-password":
      return confirmWithPendingPassword(request, formData, context);
    case "confirm-with-new-password":
      return confirmWithNewPassword(request, formData, context);
    default:
      return resend(formData, context);
  }
}

export default function VerifyEmail() {
  const { state, email } = useLoaderData<typeof loader>();
  const actionData = useActionData<VerifyEmailActionData>();
  return (
    <EmailConfirmation
      state={actionData && "state" in actionData ? actionData.state : state}
      email={email}
      actionData={actionData}
    />
  );
}
