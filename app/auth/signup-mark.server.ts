import { createCookie } from "@remix-run/node";
import { z } from "zod";

/** As long as a confirmation link works. */
const SIGNUP_MARK_SECONDS = 24 * 60 * 60;

const MarkSchema = z.object({ email: z.string().max(254), version: z.string().max(64) });
export type SignupMark = z.infer<typeof MarkSchema>;

/**
 * The browser a sign-up was made in, marked by a signed HttpOnly cookie sent
 * only to the confirmation page: there the link confirms at once, since the
 * person who chose the password is the one opening the mail. `version` names
 * that password (pending-accounts.server.ts): another sign-up replacing it
 * unmarks this browser.
 */
export function createSignupMark({ secret, secure }: { secret: string; secure: boolean }) {
  const cookie = createCookie(`${secure ? "__Secure-" : ""}todo.signup`, {
    httpOnly: true,
    sameSite: "lax",
    path: "/verify-email",
    secure,
    secrets: [secret],
    maxAge: SIGNUP_MARK_SECONDS,
  });
  return {
    serialize: (mark: SignupMark) => cookie.serialize(mark),
    async read(request: Request): Promise<SignupMark | null> {
      const parsed = MarkSchema.safeParse(await cookie.parse(request.headers.get("cookie")));
      return parsed.success ? parsed.data : null;
    },
  };
}

export type SignupMarks = ReturnType<typeof createSignupMark>;
