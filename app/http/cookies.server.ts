/**
 * The `Set-Cookie` headers of a better-auth call, ready to go on our response.
 * Cookies are appended one by one: joining them into one header breaks them.
 */
export function forwardCookies(authHeaders: Headers | null | undefined, into = new Headers()): Headers {
  for (const cookie of authHeaders?.getSetCookie() ?? []) into.append("Set-Cookie", cookie);
  return into;
}
