import { redirect, type AppLoadContext } from "@remix-run/node";
import { isAPIError } from "better-auth/api";
import { safeRedirect } from "../security/redirect";
import type { AuthSession } from "../auth/auth.server";
import { providerViews } from "../auth/providers.server";
import { refuseIfHashingBusy } from "./password-hashing.server";
import { isRecentlyAuthenticated, REAUTHENTICATE_PATH } from "../auth/reauthentication.server";

/** Where a signed-in user lands by default. */
export const HOME_PATH = "/todos";

/**
 * The signed-in session, or a redirect to the sign-in page that brings the user
 * back here afterwards. Throws, so a loader reads top to bottom.
 */
export async function requireUser(request: Request, context: AppLoadContext): Promise<AuthSession> {
  const session = await context.getSession();
  if (session) return session;
  const url = new URL(request.url);
  const here = `${url.pathname}${url.search}`;
  const search = here === "/" ? "" : `?${new URLSearchParams({ redirectTo: here })}`;
  throw redirect(`/login${search}`);
}

/** Where /reauthenticate sends a person back to when nothing (or nothing safe) was named. */
export const REAUTHENTICATED_HOME_PATH = "/settings";

/** The re-authentication page, bringing the person back to `redirectTo` (a same-site path) afterwards. */
export const reauthenticatePath = (redirectTo: string) =>
  `${REAUTHENTICATE_PATH}?${new URLSearchParams({ redirectTo: safeRedirect(redirectTo, REAUTHENTICATED_HOME_PATH) })}`;

/**
 * For sensitive changes (sudo mode): the signed-in session, if its password
 * was checked (or it signed in) within `REAUTH_MAX_AGE` seconds; otherwise a
 * redirect to /reauthenticate that brings the person back here afterwards.
 */
export async function requireRecentAuth(request: Request, context: AppLoadContext): Promise<AuthSession> {
  const current = await requireUser(request, context);
  if (isRecentlyAuthenticated(current.session, context.services.config.reauthMaxAgeSeconds)) return current;
  const url = new URL(request.url);
  // In an action this is the form's own page (Remix strips `.data`): back there, not to a URL that only takes posts.
  throw redirect(reauthenticatePath(`${url.pathname}${url.search}`));
}

/** For the sign-in and sign-up pages: a signed-in user has nothing to do there. */
export async function requireAnonymous(context: AppLoadContext): Promise<void> {
  if (await context.getSession()) throw redirect(HOME_PATH);
}

/**
 * The loader of the sign-in and sign-up pages: for visitors who are not signed
 * in, with the same-site path to return to afterwards (empty for the default)
 * and the sign-in providers to offer.
 */
export async function authPageLoader(request: Request, context: AppLoadContext) {
  await requireAnonymous(context);
  const redirectTo = new URL(request.url).searchParams.get("redirectTo");
  return {
    redirectTo: redirectTo ? safeRedirect(redirectTo) : "",
    providers: providerViews(context.services.config),
  };
}

/** The field error for a wrong current password, wherever one is asked for. */
export const WRONG_CURRENT_PASSWORD = "That is not your current password";

/** The form error where a current password is asked of someone who has none (provider sign-in only). */
export const PASSWORD_FIRST = "Set a password first (Settings, Password): it confirms that it is really you.";

/** Whether the user has a password to confirm changes with; people who sign in through a provider may not. */
export async function hasPassword(context: AppLoadContext, userId: string): Promise<boolean> {
  const methods = await context.services.connections.forOwner(userId).signInMethods();
  return methods.hasPassword;
}

/**
 * Whether the signed-in user typed their current password: the proof asked for
 * before changing the address, the password, or deleting the account.
 */
export async function isCurrentPassword(request: Request, context: AppLoadContext, password: string) {
  try {
    await context.services.auth.api.verifyPassword({ body: { password }, headers: request.headers });
    return true;
  } catch (error) {
    // Busy is not wrong: the person may well have typed the right password.
    refuseIfHashingBusy(error, context);
    if (isAPIError(error)) return false;
    throw error;
  }
}
