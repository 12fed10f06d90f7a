import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { HOME_PATH } from "../http/guards.server";

export const meta: MetaFunction = () => [{ title: "Todo — get things done" }];

export async function loader({ context }: LoaderFunctionArgs) {
  if (await context.getSession()) throw redirect(HOME_PATH);
  return null;
}

export default function Landing() {
  return (
    <section className="hero">
      <h1>Get things done.</h1>
      <p className="lead">
        A calm, fast todo list. Your account is protected by secure, HttpOnly sessions, and every page works
        even with JavaScript switched off.
      </p>
      <p className="actions">
        <Link to="/signup" className="button primary">
          Create an account
        </Link>
        <Link to="/login" className="button">
          Sign in
        </Link>
      </p>
    </section>
  );
}
