import { Form, Link } from "@remix-run/react";

export const meta = () => [{ title: "Sign in · Todo" }];

/** The same loader data as our /login's (what the page's hydration script carries). */
export function loader() {
  return { redirectTo: "", providers: [], passkeys: false, providerError: null };
}

export function action() {
  return null;
}

/** Our /login's markup, as an anonymous visitor gets it. */
export default function Login() {
  return (
    <section className="card narrow">
      <h1>Sign in</h1>
      <Form method="post" action="/login" id="login" noValidate>
        <input id="login-redirectTo" name="redirectTo" form="login" type="hidden" />
        <div className="field">
          <label htmlFor="login-email">Email</label>
          <input
            required
            id="login-email"
            name="email"
            form="login"
            type="email"
            autoComplete="username"
            autoFocus
            spellCheck={false}
            autoCapitalize="none"
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            required
            id="login-password"
            name="password"
            form="login"
            type="password"
            autoComplete="current-password"
            spellCheck={false}
            autoCapitalize="none"
          />
        </div>
        <button type="submit" className="button primary">
          Sign in
        </button>
        <p className="text-right">
          <Link to="/forgot-password">Forgot your password?</Link>
        </p>
      </Form>
      <p className="card-footer">
        New here? <Link to="/signup">Create an account</Link>
      </p>
    </section>
  );
}
