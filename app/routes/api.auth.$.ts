import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";

/** better-auth's own HTTP API, for JavaScript and native clients (JSON). */
export function loader({ request, context }: LoaderFunctionArgs) {
  return context.services.auth.handler(request);
}

export function action({ request, context }: ActionFunctionArgs) {
  return context.services.auth.handler(request);
}
