import { data, redirect, type AppLoadContext } from "@remix-run/node";
import { isAPIError } from "better-auth/api";
import type { OAuthProviderConfig } from "../config.server";
import { PROVIDER_EMAIL_NOT_VOUCHED } from "../auth/database-hooks.server";
import { forwardCookies } from "./cookies.server";
import { callbackPath, findProvider, nameOf, type OAuthProviderId } from "../auth/providers.server";

/**
 * The server side of every provider flow: starting a sign-in or a link (a 302
 * to the provider that carries better-auth's state cookie, so a plain form
 * post is enough), and handing the provider's answer to better-auth.
 */

const NOT_FOUND = "There is no page at this address.";

/** A configured provider named by the URL, or the 404 page: an unconfigured provider has no routes. */
export function requireProvider(context: AppLoadContext, id: string | undefined): OAuthProviderConfig {
  const provider = findProvider(context.services.config, id ?? "");
  if (!provider) throw data(NOT_FOUND, { status: 404 });
  return provider;
}

/** Where an error of a sign-in started from /login or /signup lands: back on /login, with the provider named. */
export function signInErrorPath(providerId: OAuthProviderId, redirectTo: string, defaultRedirect: string) {
  const query = new URLSearchParams({ provider: providerId });
  if (redirectTo !== defaultRedirect) query.set("redirectTo", redirectTo);
  return `/login?${query}`;
}

export const CONNECTIONS_PATH = "/settings/connections";

/** Sends the browser to the provider to sign in, then back to `redirectTo` (a same-site path). */
export async function startSignIn(
  request: Request,
  context: AppLoadContext,
  provider: OAuthProviderConfig,
  { redirectTo, errorPath }: { redirectTo: string; errorPath: string },
): Promise<Response> {
  try {
    const { headers, response } = await context.services.auth.api.signInSocial({
      body: { provider: provider.id, callbackURL: redirectTo, errorCallbackURL: errorPath },
      headers: request.headers,
      returnHeaders: true,
    });
    return toProvider(response.url, headers);
  } catch (error) {
    // The provider is configured but better-auth could not set it up (its discovery failed).
    if (isAPIError(error) && error.statusCode === 404)
      return redirect(withError(errorPath, PROVIDER_UNAVAILABLE));
    throw error;
  }
}

const PROVIDER_UNAVAILABLE = "provider_unavailable";

const withError = (path: string, code: string) => `${path}${path.includes("?") ? "&" : "?"}error=${code}`;

/** Sends the signed-in user to the provider to link it, then back to the connections page. */
export async function startLink(
  request: Request,
  context: AppLoadContext,
  provider: OAuthProviderConfig,
): Promise<Response> {
  const errorPath = `${CONNECTIONS_PATH}?${new URLSearchParams({ provider: provider.id })}`;
  try {
    const { headers, response } = await context.services.auth.api.linkSocialAccount({
      body: {
        provider: provider.id,
        callbackURL: `${CONNECTIONS_PATH}?${new URLSearchParams({ linked: provider.id })}`,
        errorCallbackURL: errorPath,
      },
      headers: request.headers,
      returnHeaders: true,
    });
    return toProvider(response.url, headers);
  } catch (error) {
    if (isAPIError(error) && error.statusCode === 404)
      return redirect(withError(errorPath, PROVIDER_UNAVAILABLE));
    throw error;
  }
}

function toProvider(url: string | undefined, authHeaders: Headers): Response {
  // Without an id token, better-auth always answers with the provider's address.
  if (!url) throw new Error("better-auth gave no authorization URL");
  return redirect(url, { headers: forwardCookies(authHeaders) });
}

/**
 * The provider's redirect back to us (a GET with `code` and `state`, or
 * `error`), handed to better-auth's callback, which checks the state (bound to
 * this browser by its cookie, usable once), exchanges the code with the PKCE
 * verifier, applies the linking rules and redirects: to the path the flow
 * started with, or to its error page with `?error=`.
 *
 * Each provider answers only at the redirect URI it was registered with.
 */
export async function completeProviderCallback(
  request: Request,
  context: AppLoadContext,
  providerId: string | undefined,
): Promise<Response> {
  const provider = requireProvider(context, providerId);
  const { auth } = context.services;
  const url = new URL(request.url);
  if (url.pathname.replace(/\/+$/, "") !== callbackPath(provider.id)) throw data(NOT_FOUND, { status: 404 });
  // A session this browser had ends when the callback signs someone in (auth.server.ts, session.create).
  const forwarded = new Request(new URL(`/api/auth/callback/${provider.id}${url.search}`, url), {
    method: "GET",
    headers: request.headers,
  });
  const response = await auth.handler(forwarded);
  const location = response.headers.get("location");
  if (location === null) return response;
  // better-auth's redirect is an empty JSON answer; ours is a plain redirect with its cookies.
  return redirect(location, { headers: forwardCookies(response.headers) });
}

/** How a provider flow's failure reads to a person, by better-auth's (or the provider's) error code. */
export interface ProviderErrorView {
  message: string;
  /** The address may be waiting for its confirmation link: offer a new one. */
  offerNewConfirmationLink: boolean;
}

export function providerErrorView(
  context: AppLoadContext,
  { code, providerId, flow }: { code: string; providerId: string | null; flow: "sign-in" | "link" },
): ProviderErrorView {
  // Only a configured provider is named: the query string is anybody's to write.
  const configured = providerId === null ? undefined : findProvider(context.services.config, providerId);
  const name = configured ? nameOf(configured) : "your provider";
  const view = (message: string, offerNewConfirmationLink = false) => ({ message, offerNewConfirmationLink });
  switch (code) {
    case "account_not_linked":
      return view(
        `An account with this email address already exists, and it was not connected to ${name} automatically. ` +
          `Sign in with your password, then connect ${name} under Settings → Connections. ` +
          "If you never confirmed your address, open the link we mailed you first (or reset your password).",
      );
    case PROVIDER_EMAIL_NOT_VOUCHED:
      return view(
        `${name} has not confirmed that this email address is yours, so no account was made with it. ` +
          `Create an account with the address instead, then connect ${name} under Settings → Connections.`,
      );
    case "email_not_verified":
      return view(
        `${name} has not confirmed your email address, so confirm it with us first: open the link we mailed you, or ask for a new one.`,
        true,
      );
    case "access_denied":
      return view(
        flow === "link" ? `You cancelled connecting ${name}.` : `You cancelled signing in with ${name}.`,
      );
    case "account_already_linked_to_different_user":
      return view(`That ${name} account is already connected to another account here.`);
    case "unable_to_link_account":
      return view(
        flow === "link"
          ? `${name} has not confirmed the email address of that account, so it cannot be connected.`
          : `Signing in with ${name} did not work. Please try again.`,
      );
    case PROVIDER_UNAVAILABLE:
      return view(`${name} cannot be reached right now. Please try again in a few minutes.`);
    case "email_not_found":
    case "unable_to_get_user_info":
      return view(`${name} did not tell us your email address, so we could not continue.`);
    default:
      // A state that is missing, tampered with, expired or used; a code refused by the provider.
      return view(
        `${flow === "link" ? `Connecting ${name}` : `Signing in with ${name}`} did not work: the attempt was not valid, ` +
          "had expired or had been used already. Please try again.",
      );
  }
}
