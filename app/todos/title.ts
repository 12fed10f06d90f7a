import { TODO_TITLE_MAX } from "../../db/limits";

/**
 * The rule for a todo's title, without zod: the page checks a typed title with it in the browser
 * (zod would add about 27 kB gzip to /todos' JavaScript), and the server's schema is built on it.
 */
export function checkTitle(
  typed: string,
): { title: string; message: null } | { title: null; message: string } {
  const title = typed.trim();
  if (title.length === 0) return { title: null, message: "Enter a title" };
  if (title.length > TODO_TITLE_MAX)
    return { title: null, message: `Use at most ${TODO_TITLE_MAX} characters` };
  // PostgreSQL cannot store a NUL in text, and nobody types one.
  if (title.includes("\u0000")) return { title: null, message: "Remove the invisible control characters" };
  return { title, message: null };
}
