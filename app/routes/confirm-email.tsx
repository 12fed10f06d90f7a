import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { originOf } from "../audit/audit.server";
import { redirectWithFlash } from "../http/flash.server";
import { SubmitButton } from "../ui/form-controls";

export const meta: MetaFunction = () => [{ title: "Confirm your new address · Todo" }];

const PAGE = "/confirm-email";

/**
 * The link mailed to a new address. Its first request moves the token into this
 * page's cookie; GET then only shows a button, so a mail scanner that opens links
 * changes nothing, and the POST makes the change.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { linkTokens } = context.services;
  await linkTokens.moveOutOfUrl(request, PAGE);
  return { hasToken: (await linkTokens.read(request, PAGE)) !== null };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { linkTokens, emailChanges } = context.services;
  const token = (await linkTokens.read(request, PAGE)) ?? "";
  const result = await emailChanges.confirm(token, originOf(request.headers));
  if (result === "invalid") return data({ failed: true }, { status: 400 });
  const signedIn = await context.getSession();
  return redirectWithFlash(
    context,
    signedIn ? "/settings/email" : "/login",
    { kind: "success", message: "Your email address has been changed." },
    new Headers({ "Set-Cookie": await linkTokens.clear(PAGE) }),
  );
}

export default function ConfirmEmail() {
  const { hasToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  if (!hasToken || actionData?.failed) {
    return (
      <section className="card narrow">
        <h1>This link no longer works</h1>
        <p>
          It has expired, was used already, or the change was cancelled. You can ask for it again in your
          settings.
        </p>
        <p>
          <Link to="/settings/email" className="button primary">
            Email settings
          </Link>
        </p>
      </section>
    );
  }
  return (
    <section className="card narrow">
      <h1>Confirm your new address</h1>
      <p>Use this address for your Todo account from now on?</p>
      <Form method="post" reloadDocument>
        <SubmitButton pendingText="Confirming…">Confirm new address</SubmitButton>
      </Form>
    </section>
  );
}
