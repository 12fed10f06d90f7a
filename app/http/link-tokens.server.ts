import { createCookie, redirect } from "@remix-run/node";

/** The pages a mail link opens, each with the token of its link. */
export type LinkPage = "/verify-email" | "/reset-password" | "/confirm-email";

/** How long a page opened from a link keeps its token: the longest a reset link lives. */
const LINK_COOKIE_SECONDS = 60 * 60;

const COOKIE_NAMES: Record<LinkPage, string> = {
  "/verify-email": "todo.verify_token",
  "/reset-password": "todo.reset_token",
  "/confirm-email": "todo.email_change_token",
};

/**
 * A mail link's token, kept out of the page: the first request moves it from
 * the URL into an HttpOnly cookie sent only to that page's path, and answers
 * with a redirect to the bare path. The page's HTML, its route data and the
 * `Referer` of anything it loads never carry the token, nor does the history.
 * The page's forms post as documents (`reloadDocument`): Remix's data requests
 * go to `<path>.data`, which the cookie's path does not cover.
 */
export function createLinkTokens({ secure }: { secure: boolean }) {
  const cookieOf = (page: LinkPage) =>
    createCookie(`${secure ? "__Secure-" : ""}${COOKIE_NAMES[page]}`, {
      httpOnly: true,
      sameSite: "lax",
      path: page,
      secure,
      maxAge: LINK_COOKIE_SECONDS,
    });

  return {
    /** Throws the redirect to the bare path when the URL carries `?token=`. */
    async moveOutOfUrl(request: Request, page: LinkPage): Promise<void> {
      const url = new URL(request.url);
      const token = url.searchParams.get("token");
      if (token === null) return;
      url.searchParams.delete("token");
      throw redirect(`${url.pathname}${url.search}`, {
        headers: { "Set-Cookie": await cookieOf(page).serialize(token.slice(0, 2048)) },
      });
    },

    /** The token this browser brought from the link, if any. */
    async read(request: Request, page: LinkPage): Promise<string | null> {
      const value: unknown = await cookieOf(page).parse(request.headers.get("cookie"));
      return typeof value === "string" && value !== "" ? value : null;
    },

    /** The `Set-Cookie` value that forgets it, once the link has been used. */
    clear: (page: LinkPage) => cookieOf(page).serialize("", { maxAge: 0, expires: new Date(0) }),
  };
}

export type LinkTokens = ReturnType<typeof createLinkTokens>;
