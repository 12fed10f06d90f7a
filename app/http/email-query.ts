import { EmailSchema } from "../validation";

/*
 * The address a person typed, carried between the sign-in and forgot-password
 * pages in `?email=`, so that it is typed once. Only a well-formed address is
 * ever read from or written into a link: anything else is left out.
 */

/** The well-formed address in `?email=`, else null. */
export function emailInQuery(url: string | URL): string | null {
  const parsed = EmailSchema.safeParse(new URL(url).searchParams.get("email"));
  return parsed.success ? parsed.data : null;
}

/** `path` with `?email=` when `email` is a well-formed address. */
export function withEmail(path: string, email: unknown): string {
  const parsed = EmailSchema.safeParse(email);
  return parsed.success ? `${path}?${new URLSearchParams({ email: parsed.data })}` : path;
}
