import { data } from "@remix-run/node";

/** Every unknown address: a 404 rendered by the root error boundary, in the site's layout. */
export function loader() {
  throw data("There is no page at this address.", { status: 404 });
}

export function action() {
  throw data("There is no page at this address.", { status: 404 });
}

export default function NotFound() {
  return null;
}
