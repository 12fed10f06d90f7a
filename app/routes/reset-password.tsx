import { parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { isAPIError } from "better-auth/api";

import { COMMON_PASSWORD_MESSAGE, isCommonPasswordError } from "~/auth/common-passwords.server";
import { isResetTokenUsable } from "~/auth/reset.server";
import { ResetPasswordSchema } from "~/auth/schemas";
import { redirectWithFlash } from "~/flash.server";
import { readFormData } from "~/http.server";
import { NewPasswordPairForm } from "~/ui/forms";
import { refuseIfHashingBusy } from "~/auth/password-hashing.server";

export const meta: MetaFunction = () => [{ title: "Choose a new password · Todo" }];

const PAGE = "/reset-password";

/**
 * The link's first request moves its token into this page's cookie; GET then shows the form
 * while the link works, and only the POST uses the token.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { linkTokens, auth } = context.services;
  await linkTokens.moveOutOfUrl(request, PAGE);
  const usable = await isResetTokenUsable(auth, (await linkTokens.read(request, PAGE)) ?? "");
  return data({ usable }, { status: usable ? 200 : 400 });
}

export async function action({ request, context }: ActionFunctionArgs) {
  await context.rateLimit("password");
  const submission = parseWithZod(await readFormData(request), { schema: ResetPasswordSchema });
  if (submission.status !== "success") {
    return data(
      { result: submission.reply({ hideFields: ["password", "confirmPassword"] }), usable: true },
      { status: 400 },
    );
  }
  const { linkTokens } = context.services;
  try {
    await context.services.auth.api.resetPassword({
      body: { newPassword: submission.value.password, token: (await linkTokens.read(request, PAGE)) ?? "" },
      headers: request.headers,
    });
  } catch (error) {
    refuseIfHashingBusy(error, context);
    if (isCommonPasswordError(error)) {
      return data(
        {
          result: submission.reply({
            fieldErrors: { password: [COMMON_PASSWORD_MESSAGE] },
            hideFields: ["password", "confirmPassword"],
          }),
          usable: true,
        },
        { status: 400 },
      );
    }
    if (!isAPIError(error)) throw error;
    return data({ result: submission.reply({ resetForm: true }), usable: false }, { status: 400 });
  }
  // Every session of the account has ended; signing in again is the proof of the new password.
  return redirectWithFlash(
    context,
    "/login",
    {
      kind: "success",
      message: "Your password has been changed and every session signed out. Sign in with your new password.",
    },
    new Headers({ "Set-Cookie": await linkTokens.clear(PAGE) }),
  );
}

export default function ResetPassword() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  if (!(actionData?.usable ?? loaderData.usable)) {
    return (
      <section className="card narrow">
        <h1>This link no longer works</h1>
        <p>
          Reset links work once, for an hour. This one has been used, has expired, or was copied only in part.
        </p>
        <p>
          <Link to="/forgot-password" className="button primary">
            Ask for a new link
          </Link>
        </p>
      </section>
    );
  }
  return (
    <section className="card narrow">
      <h1>Choose a new password</h1>
      <NewPasswordPairForm
        id="reset-password"
        lastResult={actionData?.result}
        submitLabel="Change password"
        autoFocus
      />
    </section>
  );
}
