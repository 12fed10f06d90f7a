import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { isAPIError } from "better-auth/api";
import { z } from "zod";
import { forwardCookies } from "~/auth/cookies.server";
import { HOME_PATH } from "~/auth/guards.server";
import { redirectWithFlash } from "~/flash.server";
import { readFormData } from "~/http.server";
import { SubmitButton } from "~/ui/form-controls";
import { ErrorSummary, Field } from "~/ui/forms";
import { EmailSchema } from "~/validation";

export const meta: MetaFunction = () => [{ title: "Confirm your email address · Todo" }];

const ResendSchema = z.object({ email: EmailSchema });

type PageState = "check-inbox" | "expired" | "invalid";

/**
 * With `?token=`: the link from the mail. A plain GET confirms the address and
 * signs the user in. Without: "check your inbox", and a form to ask again.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get("token");
  if (token === null) {
    const flash = await context.getFlash();
    return { state: "check-inbox" as PageState, email: flash?.email ?? "" };
  }
  try {
    const { headers } = await context.services.auth.api.verifyEmail({
      query: { token },
      headers: request.headers,
      returnHeaders: true,
    });
    const cookies = forwardCookies(headers);
    if (cookies.has("Set-Cookie")) {
      throw await redirectWithFlash(
        context,
        HOME_PATH,
        { kind: "success", message: "Your email address is confirmed. Welcome!" },
        cookies,
      );
    }
    // Confirmed before: the link does not sign anyone in a second time.
    throw await redirectWithFlash(context, "/login", {
      kind: "info",
      message: "Your email address is already confirmed. Sign in to continue.",
    });
  } catch (error) {
    if (error instanceof Response || !isAPIError(error)) throw error;
    const state: PageState = error.body?.code === "TOKEN_EXPIRED" ? "expired" : "invalid";
    return data({ state, email: "" }, { status: 400 });
  }
}

/** Ask for a new link. The same answer for every address, known or not. */
export async function action({ request, context }: ActionFunctionArgs) {
  await context.rateLimit("resend-verification");
  const submission = parseWithZod(await readFormData(request), { schema: ResendSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const { email } = submission.value;
  try {
    // Without cookies: this is about the address typed, not about whoever is signed in.
    const headers = new Headers(request.headers);
    headers.delete("cookie");
    await context.services.auth.api.sendVerificationEmail({ body: { email }, headers });
  } catch (error) {
    if (!isAPIError(error)) throw error;
    context.logger.warn({ code: error.body?.code }, "verification mail not sent");
  }
  return redirectWithFlash(context, "/verify-email", {
    kind: "info",
    message: `If ${email} is waiting to be confirmed, a new link is on its way. It works for 24 hours.`,
    email,
  });
}

const HEADINGS: Record<PageState, { title: string; text: string }> = {
  "check-inbox": {
    title: "Check your inbox",
    text: "We sent you a link to confirm your email address. Open it to finish signing up. No mail? Look in your spam folder, or ask for a new link.",
  },
  expired: {
    title: "This link has expired",
    text: "Confirmation links work for 24 hours. Ask for a new one below.",
  },
  invalid: {
    title: "This link does not work",
    text: "It may have been copied only in part. Ask for a new one below.",
  },
};

export default function VerifyEmail() {
  const { state, email } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "resend-verification",
    lastResult: actionData?.result,
    constraint: getZodConstraint(ResendSchema),
    defaultValue: { email },
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ResendSchema }),
  });
  const heading = HEADINGS[state];
  return (
    <section className="card narrow">
      <h1>{heading.title}</h1>
      <p>{heading.text}</p>
      <Form method="post" action="/verify-email" {...getFormProps(form)}>
        <ErrorSummary form={form} fields={[{ label: "Email", field: fields.email }]} />
        <Field label="Email" field={fields.email} type="email" autoComplete="email" />
        <SubmitButton className="button" pendingText="Sending…">
          Send a new link
        </SubmitButton>
      </Form>
      <p className="card-footer">
        Already confirmed? <Link to="/login">Sign in</Link>
      </p>
    </section>
  );
}
