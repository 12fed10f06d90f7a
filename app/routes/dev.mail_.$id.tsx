import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { devMailboxAvailable } from "../http/dev-mailbox.server";

/** Development only: one mail's HTML part as its recipient would see it. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const id = z.uuid().safeParse(params.id);
  if (!devMailboxAvailable(context) || !id.success) {
    throw data("There is no page at this address.", { status: 404 });
  }
  const mail = await context.services.mail.find(id.data);
  if (!mail) throw data("There is no such mail.", { status: 404 });
  return new Response(mail.html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      // Shown as mail is: no scripts, inline styles allowed, links still work.
      "Content-Security-Policy": "sandbox allow-top-navigation-by-user-activation allow-popups",
    },
  });
}
