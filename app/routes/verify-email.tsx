import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import {
  data,
  type ActionFunctionArgs,
  type AppLoadContext,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { isAPIError } from "better-auth/api";
import { z } from "zod";
import { CLIENT_ADDRESS_HEADER } from "~/auth/client-address";
import { forwardCookies } from "~/auth/cookies.server";
import { HOME_PATH } from "~/auth/guards.server";
import { redirectWithFlash } from "~/flash.server";
import { readFormData } from "~/http.server";
import { SubmitButton } from "~/ui/form-controls";
import { ErrorSummary, Field } from "~/ui/forms";
import { EmailSchema } from "~/validation";

export const meta: MetaFunction = () => [{ title: "Confirm your email address · Todo" }];

const ResendSchema = z.object({ email: EmailSchema });

type PageState = "check-inbox" | "confirm" | "expired" | "invalid";

const PAGE = "/verify-email";

/**
 * The link from the mail moves its token into this page's cookie, then the page
 * asks for a press of its button: opening a link (a mail scanner does) confirms
 * nothing and signs no one in. Without a token: "check your inbox", and a form
 * to ask again.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { linkTokens } = context.services;
  await linkTokens.moveOutOfUrl(request, PAGE);
  if ((await linkTokens.read(request, PAGE)) !== null) return { state: "confirm" as PageState, email: "" };
  const flash = await context.getFlash();
  return { state: "check-inbox" as PageState, email: flash?.email ?? "" };
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
    const state: PageState = error.body?.code === "TOKEN_EXPIRED" ? "expired" : "invalid";
    return data({ state }, { status: 400, headers: { "Set-Cookie": forgetToken } });
  }
}

/** Ask for a new link. The same answer for every address, known or not. */
async function resend(formData: FormData, context: AppLoadContext) {
  await context.rateLimit("resend-verification");
  const submission = parseWithZod(formData, { schema: ResendSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400 });
  }
  const { email } = submission.value;
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
  return redirectWithFlash(context, "/verify-email", {
    kind: "info",
    message: `If ${email} is waiting to be confirmed, a new link is on its way. It works for 24 hours.`,
    email,
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readFormData(request);
  switch (formData.get("intent")) {
    case "confirm":
      return confirmAddress(request, context);
    default:
      return resend(formData, context);
  }
}

const HEADINGS: Record<PageState, { title: string; text: string }> = {
  confirm: {
    title: "Confirm your email address",
    text: "Press the button to confirm this address and sign in.",
  },
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
  const loaderData = useLoaderData<typeof loader>();
  // Named here: inferred through the two intents' helpers, Remix's types widen it to any.
  const actionData = useActionData<{ state: PageState } | { result: SubmissionResult<string[]> }>();
  const state = actionData && "state" in actionData ? actionData.state : loaderData.state;
  const email = loaderData.email;
  const [form, fields] = useForm({
    id: "resend-verification",
    lastResult: actionData && "result" in actionData ? actionData.result : undefined,
    constraint: getZodConstraint(ResendSchema),
    defaultValue: { email },
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ResendSchema }),
  });
  const heading = HEADINGS[state];
  if (state === "confirm") {
    return (
      <section className="card narrow">
        <h1>{heading.title}</h1>
        <p>{heading.text}</p>
        <Form method="post" action={PAGE} reloadDocument>
          <SubmitButton name="intent" value="confirm" pendingText="Confirming…">
            Confirm and sign in
          </SubmitButton>
        </Form>
      </section>
    );
  }
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
