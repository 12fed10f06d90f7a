import type { BetterAuthOptions } from "better-auth";
import { genericOAuth } from "better-auth/plugins";
import type { SocialProviders } from "better-auth/social-providers";
import type { Config, OAuthProviderConfig } from "../config.server";

/**
 * Sign-in with GitHub, Google and one OpenID Connect provider, through
 * better-auth's own OAuth clients: the built-in social providers, and the
 * genericOAuth plugin (with discovery) for OpenID Connect. Only the providers
 * whose variables are set exist at all.
 */

export type OAuthProviderId = OAuthProviderConfig["id"];

/** Where better-auth mounts its endpoints. */
const AUTH_BASE_PATH = "/api/auth";

/**
 * The redirect URI each provider is registered with. The OpenID Connect
 * provider's has its own prefix (README, "Sign in with GitHub, Google or OpenID Connect"), which our route
 * `api.auth.oauth2.callback.$providerId.ts` hands to better-auth's callback.
 */
export function callbackPath(id: OAuthProviderId): string {
  return id === "oidc" ? `${AUTH_BASE_PATH}/oauth2/callback/oidc` : `${AUTH_BASE_PATH}/callback/${id}`;
}

/** What a sign-in button or a connection needs to show: the id and the name people know. */
export interface ProviderView {
  id: OAuthProviderId;
  name: string;
}

const BUILT_IN_NAMES = { github: "GitHub", google: "Google" } as const;

export const nameOf = (provider: OAuthProviderConfig): string =>
  provider.id === "oidc" ? provider.name : BUILT_IN_NAMES[provider.id];

/** The configured providers, in the order their buttons appear. */
export const providerViews = (config: Config): ProviderView[] =>
  config.oauthProviders.map((provider) => ({ id: provider.id, name: nameOf(provider) }));

/** Where GitHub and Google ask people to sign in. */
const BUILT_IN_AUTHORIZATION_ORIGINS = {
  github: "https://github.com",
  google: "https://accounts.google.com",
} as const;

/**
 * The origins the browser is sent to when a sign-in or a link starts, for the
 * pages' `form-action`. An OpenID Connect provider's authorization endpoint is
 * taken to be on its issuer's origin, as it is for the common ones.
 */
export const authorizationOrigins = (config: Config): string[] =>
  config.oauthProviders.map((provider) =>
    provider.id === "oidc" ? provider.issuer.origin : BUILT_IN_AUTHORIZATION_ORIGINS[provider.id],
  );

/** A configured provider by the id a request names, or undefined for any other string. */
export const findProvider = (config: Config, id: string): OAuthProviderConfig | undefined =>
  config.oauthProviders.find((provider) => provider.id === id);

/**
 * The name to show for a provider id found in the database or the security
 * history: it may belong to a provider that has since been switched off.
 */
export function providerDisplayName(config: Config, id: string): string {
  const configured = findProvider(config, id);
  if (configured) return nameOf(configured);
  if (id === "github" || id === "google") return BUILT_IN_NAMES[id];
  return id === "oidc" ? "your single sign-on provider" : id;
}

/**
 * An address the provider has not verified could belong to anybody: it joins no account and
 * makes none (docs/decisions/008-verified-only-linking.md).
 */
const REQUIRE_VERIFIED_EMAIL = true;

/** better-auth's `socialProviders`: GitHub and Google, when configured. */
export function socialProviders(config: Config): SocialProviders {
  const providers: SocialProviders = {};
  for (const provider of config.oauthProviders) {
    if (provider.id === "oidc") continue;
    providers[provider.id] = {
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      redirectURI: new URL(callbackPath(provider.id), config.appUrl).toString(),
      requireEmailVerification: REQUIRE_VERIFIED_EMAIL,
      // Only the redirect flow (state, PKCE, a one-time code): an ID token posted to
      // /sign-in/social would be a reusable credential (auth.server.ts refuses it for every provider).
      disableIdTokenSignIn: true,
    };
  }
  return providers;
}

/**
 * The genericOAuth plugin, with the OpenID Connect provider when configured
 * (an empty list otherwise). The endpoints come from discovery; ID tokens must
 * be signed by the issuer's keys (and carry the nonce of this very sign-in);
 * PKCE is always on.
 */
export function openIdConnectPlugin(config: Config) {
  const oidc = config.oauthProviders.find((provider) => provider.id === "oidc");
  if (!oidc) return genericOAuth({ config: [] });
  const issuer = oidc.issuer.href.replace(/\/+$/, "");
  return genericOAuth({
    config: [
      {
        providerId: "oidc",
        name: oidc.name,
        discoveryUrl: `${issuer}/.well-known/openid-configuration`,
        requireIdTokenVerification: true,
        clientId: oidc.clientId,
        clientSecret: oidc.clientSecret,
        scopes: ["openid", "email", "profile"],
        pkce: true,
        redirectURI: new URL(callbackPath("oidc"), config.appUrl).toString(),
        requireEmailVerification: REQUIRE_VERIFIED_EMAIL,
        // Not every provider sends `name`; an account still needs one to show.
        mapProfileToUser: (profile) => ({
          name:
            [profile.name, profile.preferred_username].find(
              (candidate): candidate is string => typeof candidate === "string" && candidate.trim() !== "",
            ) ?? undefined,
        }),
      },
    ],
  });
}

/**
 * better-auth's `account` options: a provider identity joins an account only on the provider's
 * word that the address is verified (docs/decisions/008-verified-only-linking.md, 002); a
 * signed-in user may link an identity with another address, having proved both ends.
 */
export const ACCOUNT_OPTIONS: BetterAuthOptions["account"] = {
  accountLinking: {
    enabled: true,
    trustedProviders: [],
    requireLocalEmailVerified: false,
    allowDifferentEmails: true,
    // Only so that better-auth reads the user again after linking (a sign-up taken over by a
    // provider is confirmed by then); the name and picture are not taken (auth.server.ts, user.update).
    updateUserInfoOnLink: true,
  },
  // The OAuth `state` lives in the database (one use, ten minutes), bound to
  // this browser by a signed cookie.
  storeStateStrategy: "database",
  // The app never calls the providers' APIs, so their tokens are not even kept (auth.server.ts,
  // databaseHooks); encrypted, should a future change keep some.
  encryptOAuthTokens: true,
};
