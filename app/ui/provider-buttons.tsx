/** A sign-in provider as a button shows it. */
export interface ProviderButtonView {
  id: string;
  name: string;
}

/**
 * One "Continue with …" button per configured provider, each a plain form post
 * (a full page load even with JavaScript: the answer is a redirect to the
 * provider). `redirectTo` rides along so the user comes back where they meant to go.
 * Shown above the page's own form, so that its messages never move the buttons.
 */
export function ProviderButtons({
  providers,
  redirectTo,
}: {
  providers: ProviderButtonView[];
  redirectTo: string;
}) {
  if (providers.length === 0) return null;
  return (
    <div className="provider-sign-in">
      {providers.map((provider) => (
        <form key={provider.id} method="post" action={`/auth/${provider.id}`}>
          {redirectTo ? <input type="hidden" name="redirectTo" value={redirectTo} /> : null}
          <button type="submit" className="button provider">
            Continue with {provider.name}
          </button>
        </form>
      ))}
      <p className="divider">
        <span>or</span>
      </p>
    </div>
  );
}
