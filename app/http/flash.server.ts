import { createCookie, redirect } from "@remix-run/node";
import { z } from "zod";

/**
 * One-time messages that survive a redirect without JavaScript ("Check your
 * inbox", "Your password was changed"): a short-lived signed cookie, read and
 * cleared by the next page.
 */
const FlashSchema = z.object({
  kind: z.enum(["success", "info", "error"]),
  message: z.string().max(500),
  /** An address the next page may offer back, e.g. in a resend form. */
  email: z.string().max(254).optional(),
});
export type Flash = z.infer<typeof FlashSchema>;

export function createFlashCookie({ secret, secure }: { secret: string; secure: boolean }) {
  const cookie = createCookie("todo.flash", {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure,
    secrets: [secret],
    maxAge: 60,
  });
  return {
    /** The `Set-Cookie` value that carries a message to the next page. */
    serialize: (flash: Flash) => cookie.serialize(flash),
    /** The message in a request, if any; a tampered or stale cookie reads as none. */
    async parse(cookieHeader: string | null): Promise<Flash | null> {
      const value: unknown = await cookie.parse(cookieHeader);
      const parsed = FlashSchema.safeParse(value);
      return parsed.success ? parsed.data : null;
    },
    /** The `Set-Cookie` value that removes it once shown. */
    clear: () => cookie.serialize("", { maxAge: 0, expires: new Date(0) }),
  };
}

export type FlashCookie = ReturnType<typeof createFlashCookie>;

/** A redirect that carries a one-time message to the page it lands on. */
export async function redirectWithFlash(
  context: { services: { flash: FlashCookie } },
  url: string,
  flash: Flash,
  headers: Headers = new Headers(),
): Promise<Response> {
  headers.append("Set-Cookie", await context.services.flash.serialize(flash));
  return redirect(url, { headers });
}
