import { useFetchers, useNavigation } from "@remix-run/react";
import type { TodoFilter } from "./schemas";

export interface TodoView {
  id: string;
  title: string;
  completed: boolean;
  /** True while the server has not yet stored it (an optimistic create). */
  pending?: boolean;
}

interface ListData {
  filter: TodoFilter;
  todos: TodoView[];
  activeCount: number;
  completedCount: number;
}

interface PendingSubmission {
  key: string;
  formData: FormData;
}

const field = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
};

/**
 * The list as it will be once every submission in flight has landed: the
 * loader's data with pending creates, edits, toggles and deletes applied, so the
 * page answers at once and the server's answer then simply confirms it.
 *
 * Only the visible list is known here, so counts are adjusted from the changes
 * rather than recomputed.
 */
export function applyPending(data: ListData, submissions: PendingSubmission[]) {
  const { filter } = data;
  let todos = [...data.todos];
  let activeCount = data.activeCount;
  let completedCount = data.completedCount;

  for (const { key, formData } of submissions) {
    const intent = field(formData, "intent");
    const id = field(formData, "id");
    const index = todos.findIndex((todo) => todo.id === id);
    const current = index >= 0 ? todos[index] : undefined;
    switch (intent) {
      case "create": {
        const title = field(formData, "title").trim();
        if (!title) break;
        activeCount += 1;
        if (filter !== "completed") todos.push({ id: key, title, completed: false, pending: true });
        break;
      }
      case "update": {
        const title = field(formData, "title").trim();
        if (current && title) todos[index] = { ...current, title };
        break;
      }
      case "toggle": {
        if (!current) break;
        const completed = !current.completed;
        activeCount += completed ? -1 : 1;
        completedCount += completed ? 1 : -1;
        todos[index] = { ...current, completed };
        break;
      }
      case "delete": {
        if (!current) break;
        if (current.completed) completedCount -= 1;
        else activeCount -= 1;
        todos.splice(index, 1);
        break;
      }
      case "toggle-all": {
        const completed = activeCount > 0;
        todos = todos.map((todo) => ({ ...todo, completed }));
        const total = activeCount + completedCount;
        activeCount = completed ? 0 : total;
        completedCount = completed ? total : 0;
        break;
      }
      case "clear-completed": {
        todos = todos.filter((todo) => !todo.completed);
        completedCount = 0;
        break;
      }
    }
  }

  if (filter !== "all") todos = todos.filter((todo) => todo.completed === (filter === "completed"));
  return { todos, activeCount, completedCount };
}

/** The todo list with every in-flight submission of this page applied. */
export function useOptimisticTodos(data: ListData) {
  const fetchers = useFetchers();
  const navigation = useNavigation();
  const submissions: PendingSubmission[] = [];
  for (const fetcher of fetchers) {
    if (fetcher.formData && fetcher.formMethod === "POST") {
      submissions.push({ key: fetcher.key, formData: fetcher.formData });
    }
  }
  if (
    navigation.formData &&
    navigation.formMethod === "POST" &&
    navigation.formAction?.startsWith("/todos")
  ) {
    submissions.push({ key: "navigation", formData: navigation.formData });
  }
  return applyPending(data, submissions);
}
