import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { originOf } from "~/audit/audit.server";
import { redirectWithFlash } from "~/flash.server";
import { SubmitButton } from "~/ui/form-controls";

export const meta: MetaFunction = () => [{ title: "Confirm your new address · Todo" }];

const tokenOf = (request: Request) => new URL(request.url).searchParams.get("token") ?? "";

/**
 * The link mailed to a new address. GET only shows a button, so a mail scanner
 * that opens links changes nothing; the POST (whose form keeps the link's query)
 * makes the change. The token is read from the address, never put in the page.
 */
export function loader({ request }: LoaderFunctionArgs) {
  return { hasToken: tokenOf(request) !== "" };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const result = await context.services.emailChanges.confirm(tokenOf(request), originOf(request.headers));
  if (result === "invalid") return data({ failed: true }, { status: 400 });
  const signedIn = await context.getSession();
  return redirectWithFlash(context, signedIn ? "/settings/email" : "/login", {
    kind: "success",
    message: "Your email address has been changed.",
  });
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
      <Form method="post">
        <SubmitButton pendingText="Confirming…">Confirm new address</SubmitButton>
      </Form>
    </section>
  );
}
