import { describe, expect, it } from "vitest";
import { applyPending } from "../../app/todos/optimistic";

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
};

const list = {
  filter: "all" as const,
  todos: [
    { id: "a", title: "A", completed: false },
    { id: "b", title: "B", completed: true },
  ],
  activeCount: 1,
  completedCount: 1,
};

describe("applyPending (optimistic todo list)", () => {
  it("shows the loader's list when nothing is pending", () => {
    expect(applyPending(list, [])).toEqual({ todos: list.todos, activeCount: 1, completedCount: 1 });
  });

  it("applies a pending create, toggle, rename and delete", () => {
    const result = applyPending(list, [
      { key: "k1", formData: form({ intent: "create", title: " C " }) },
      { key: "k2", formData: form({ intent: "toggle", id: "a" }) },
      { key: "k3", formData: form({ intent: "update", id: "b", title: "Bee" }) },
      { key: "k4", formData: form({ intent: "delete", id: "b" }) },
    ]);
    expect(result.todos).toEqual([
      { id: "a", title: "A", completed: true },
      { id: "k1", title: "C", completed: false, pending: true },
    ]);
    expect(result.activeCount).toBe(1);
    expect(result.completedCount).toBe(1);
  });

  it("keeps the filter: a todo toggled out of the active view leaves it", () => {
    const active = { ...list, filter: "active" as const, todos: list.todos.slice(0, 1) };
    const result = applyPending(active, [{ key: "k", formData: form({ intent: "toggle", id: "a" }) }]);
    expect(result.todos).toEqual([]);
    expect(result.activeCount).toBe(0);
  });

  it("toggles all and clears completed", () => {
    const all = applyPending(list, [{ key: "k", formData: form({ intent: "toggle-all" }) }]);
    expect(all.todos.every((todo) => todo.completed)).toBe(true);
    expect(all.activeCount).toBe(0);
    const cleared = applyPending(list, [{ key: "k", formData: form({ intent: "clear-completed" }) }]);
    expect(cleared.todos.map((todo) => todo.id)).toEqual(["a"]);
    expect(cleared.completedCount).toBe(0);
  });
});
