import { and, asc, eq, not, sql } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import { todo, type Todo } from "../../db/schema";
import type { TodoFilter } from "./schemas";

export type { Todo };

export interface TodoList {
  todos: Todo[];
  /** Counts over the whole list, whatever the filter. */
  activeCount: number;
  completedCount: number;
}

/**
 * The todo rules. There is no way to reach a todo except through `forOwner`, so
 * every query carries the owner's id: another user's todo is simply not found.
 */
export function createTodoService(db: AppDatabase) {
  return {
    forOwner(ownerId: string) {
      const owned = (id: string) => and(eq(todo.id, id), eq(todo.userId, ownerId));

      return {
        /** The whole list in one query; filtering and counting a user's list is cheap in memory. */
        async list(filter: TodoFilter): Promise<TodoList> {
          const rows = await db
            .select()
            .from(todo)
            .where(eq(todo.userId, ownerId))
            .orderBy(asc(todo.createdAt), asc(todo.id));
          const completedCount = rows.filter((row) => row.completed).length;
          const todos =
            filter === "all" ? rows : rows.filter((row) => row.completed === (filter === "completed"));
          return { todos, activeCount: rows.length - completedCount, completedCount };
        },

        async get(id: string): Promise<Todo | null> {
          const [row] = await db.select().from(todo).where(owned(id));
          return row ?? null;
        },

        /** Sets what is given of title and completed in one statement; null when the owner has no such todo. */
        async update(id: string, changes: { title?: string; completed?: boolean }): Promise<Todo | null> {
          const [row] = await db.update(todo).set(changes).where(owned(id)).returning();
          return row ?? null;
        },

        async create(title: string): Promise<Todo> {
          const [created] = await db.insert(todo).values({ userId: ownerId, title }).returning();
          if (!created) throw new Error("insert returned no row");
          return created;
        },

        /** These answer false when the owner has no such todo. */
        async rename(id: string, title: string): Promise<boolean> {
          const rows = await db.update(todo).set({ title }).where(owned(id)).returning({ id: todo.id });
          return rows.length > 0;
        },

        async toggle(id: string): Promise<boolean> {
          const rows = await db
            .update(todo)
            .set({ completed: not(todo.completed) })
            .where(owned(id))
            .returning({ id: todo.id });
          return rows.length > 0;
        },

        /** The deleted todo's title, or null when the owner has no such todo. */
        async remove(id: string): Promise<string | null> {
          const [row] = await db.delete(todo).where(owned(id)).returning({ title: todo.title });
          return row?.title ?? null;
        },

        /** Completes every todo, or, when all are complete already, reopens them all: one statement. */
        async toggleAll(): Promise<void> {
          const anyActive = sql<boolean>`exists (select 1 from ${todo} where ${todo.userId} = ${ownerId} and not ${todo.completed})`;
          await db.update(todo).set({ completed: anyActive }).where(eq(todo.userId, ownerId));
        },

        /** How many were cleared. */
        async clearCompleted(): Promise<number> {
          const rows = await db
            .delete(todo)
            .where(and(eq(todo.userId, ownerId), eq(todo.completed, true)))
            .returning({ id: todo.id });
          return rows.length;
        },
      };
    },
  };
}

export type TodoService = ReturnType<typeof createTodoService>;
