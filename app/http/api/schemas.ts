import { z } from "zod";
import { FilterSchema, TitleSchema } from "../../todos/schemas";

/**
 * The JSON todo API's shapes: they validate requests and, through
 * `z.toJSONSchema`, are the schemas of the OpenAPI description.
 */
export const TodoJsonSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    completed: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "Todo", description: "A todo of the caller's." });

export const TodoListJsonSchema = z
  .object({
    todos: z.array(TodoJsonSchema),
    activeCount: z.int().min(0).meta({ description: "Open todos in the whole list, whatever the filter." }),
    completedCount: z
      .int()
      .min(0)
      .meta({ description: "Completed todos in the whole list, whatever the filter." }),
  })
  .meta({ id: "TodoList" });

export const ListQuerySchema = z.strictObject({ filter: FilterSchema.default("all") });

export const CreateTodoSchema = z.strictObject({ title: TitleSchema }).meta({ id: "CreateTodo" });

export const UpdateTodoSchema = z
  .strictObject({ title: TitleSchema.optional(), completed: z.boolean().optional() })
  .refine((body) => body.title !== undefined || body.completed !== undefined, {
    error: "Send a title, completed, or both",
  })
  .meta({ id: "UpdateTodo", description: "At least one of the two fields." });

export const ProblemJsonSchema = z
  .object({
    type: z.string().meta({ description: "Stable per case: /problems/<case>." }),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    errors: z.record(z.string(), z.array(z.string())).optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details." });

/** A todo as the API shows it: no owner id, times as ISO 8601. */
export function toTodoJson(todo: {
  id: string;
  title: string;
  completed: boolean;
  createdAt: Date;
  updatedAt: Date;
}): z.infer<typeof TodoJsonSchema> {
  return {
    id: todo.id,
    title: todo.title,
    completed: todo.completed,
    createdAt: todo.createdAt.toISOString(),
    updatedAt: todo.updatedAt.toISOString(),
  };
}
