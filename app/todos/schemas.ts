import { z } from "zod";
import { TODO_TITLE_MAX } from "../../db/limits";
import { requiredText } from "../validation";

export const TODO_FILTERS = ["all", "active", "completed"] as const;
export type TodoFilter = (typeof TODO_FILTERS)[number];
export const FilterSchema = z.enum(TODO_FILTERS, { error: "Unknown filter" });

export const TitleSchema = requiredText("a title", TODO_TITLE_MAX);
const TodoId = z.uuid({ error: "Unknown todo" });

/** Every mutation the todo page offers, keyed by the submit button's `intent`. */
export const TodoIntentSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("create"), title: TitleSchema }),
    z.object({ intent: z.literal("update"), id: TodoId, title: TitleSchema }),
    z.object({ intent: z.literal("toggle"), id: TodoId }),
    z.object({ intent: z.literal("delete"), id: TodoId }),
    z.object({ intent: z.literal("toggle-all") }),
    z.object({ intent: z.literal("clear-completed") }),
  ],
  { error: "Unknown action" },
);

/**
 * The browser's own check of a typed title, with the schema the server uses:
 * the title as it will be stored, or the message to show beside the field.
 */
export function checkTitle(
  typed: string,
): { title: string; message: null } | { title: null; message: string } {
  const parsed = TitleSchema.safeParse(typed);
  if (parsed.success) return { title: parsed.data, message: null };
  return { title: null, message: parsed.error.issues[0]?.message ?? "Enter a title" };
}
