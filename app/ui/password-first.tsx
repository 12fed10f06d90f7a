import { Link } from "@remix-run/react";

/**
 * In place of a form that asks for the current password, for people who sign
 * in only through a provider and have none yet: what to do first, not a
 * password field they cannot fill in.
 */
export function PasswordFirst({ toDo }: { toDo: string }) {
  return (
    <p className="flash">
      You sign in through a connected service and have no password yet. To {toDo}, first{" "}
      <Link to="/settings/password">set a password</Link>: it confirms that it is really you.
    </p>
  );
}
