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
