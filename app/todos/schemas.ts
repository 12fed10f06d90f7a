import { z } from "zod";
import { checkTitle } from "./title";

export const TODO_FILTERS = ["all", "active", "completed"] as const;
export type TodoFilter = (typeof TODO_FILTERS)[number];
export const FilterSchema = z.enum(TODO_FILTERS, { error: "Unknown filter" });

/** The title as stored, by the same rule the page checks in the browser. */
export const TitleSchema = z.string({ error: "Enter a title" }).transform((typed, ctx) => {
  const checked = checkTitle(typed);
  if (checked.message === null) return checked.title;
  ctx.addIssue({ code: "custom", message: checked.message });
  return z.NEVER;
});
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
