/**
 * Mail links as a browser follows them over HTTP: the first request moves the
 * token into a cookie of the page (302 to the bare path); the page's button
 * then posts, with that cookie, from the page's own origin.
 */

/** The `name=value` pairs of a response's cookies, for the next request's Cookie header. */
const cookiePairs = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");

/**
 * Opens `link` and presses its page's button (`fields`); answers that POST's
 * response. `headers` go with both requests (a client address, say).
 */
export async function followLinkAndPress(
  link: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  const url = new URL(link);
  const opened = await fetch(url, { redirect: "manual", headers });
  const bare = opened.headers.get("location");
  if (opened.status !== 302 || bare === null || bare.includes("token=")) {
    throw new Error(`opening ${url.pathname} answered ${opened.status} to ${bare}`);
  }
  const cookies = [headers.cookie, cookiePairs(opened)].filter(Boolean).join("; ");
  return fetch(new URL(bare, url.origin), {
    method: "POST",
    redirect: "manual",
    headers: {
      ...headers,
      cookie: cookies,
      origin: url.origin,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(fields),
  });
}

/**
 * Follows a sign-up's confirmation link and confirms, in the browser that signed up (`signedUp`
 * is its answer, with the cookie marking it): answers the signed-in cookie header.
 */
export async function confirmSignUp(
  link: string,
  signedUp: Response,
  headers: Record<string, string> = {},
): Promise<string> {
  const cookie = [headers.cookie, cookiePairs(signedUp)].filter(Boolean).join("; ");
  const confirmed = await followLinkAndPress(link, { intent: "confirm" }, { ...headers, cookie });
  if (confirmed.status !== 302) throw new Error(`confirmation answered ${confirmed.status}`);
  return cookiePairs(confirmed);
}
