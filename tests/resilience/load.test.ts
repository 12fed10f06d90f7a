import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { STRONG_PASSWORD, uniqueEmail } from "../support/client";
import { instancesForSuite, type AppInstance } from "../support/instances";
import {
  acknowledged,
  type CountedBrowser,
  countStatuses,
  errorCount,
  reportedScenario,
  signUp,
  sleep,
  todosOnPage,
  type Outcome,
} from "./support/traffic";

const USERS = 50;
/** 60 seconds, as CI runs it (docs/operations.md, "Proving it"); a shorter run can be asked for locally. */
const SECONDS = Number(process.env.RESILIENCE_LOAD_SECONDS ?? 60);
/** A person reads a page before the next click; no person clicks in a loop. */
const THINK_MS = 100;
const ARRIVAL_MS = 3_000;

/** What a person was told about one of their todos. */
interface Known {
  id: string | null;
  completed: boolean;
  deleted: boolean;
  /** The acknowledged writes that made this state: a create, toggles, a delete. */
  writes: number;
}

interface Person {
  email: string;
  browser: CountedBrowser;
  todos: Map<string, Known>;
  /** Todos whose last write got no clear answer: what the database holds of them is not known. */
  uncertain: Set<string>;
  created: number;
}

describe("50 people for a minute on two instances", () => {
  const actions = { "sign-in": 0, create: 0, toggle: 0, delete: 0, view: 0 };
  const { tally, extra, newBrowser } = reportedScenario(
    `load (${USERS} people, ${SECONDS} s)`,
    () => actions,
  );
  const latencies: number[] = [];
  const cluster = instancesForSuite(2);

  /** Any instance, as a load balancer without sticky sessions picks one. */
  const anyInstance = (): AppInstance => {
    const instance = cluster.instances[Math.floor(Math.random() * cluster.instances.length)];
    if (!instance) throw new Error("no instance started");
    return instance;
  };

  function timed(outcome: Outcome): Outcome {
    latencies.push(outcome.ms);
    return outcome;
  }

  /** The page a browser lands on after a post: the person's list, whose ids the next clicks use. */
  async function followToList(person: Person) {
    const page = timed(await person.browser.get(anyInstance(), "/todos"));
    if (!page.ok || page.status !== 200) return;
    for (const listed of todosOnPage(page.body)) {
      const known = person.todos.get(listed.title);
      if (known) known.id = listed.id;
    }
  }

  async function signIn(person: Person) {
    actions["sign-in"]++;
    timed(await person.browser.post(anyInstance(), "/logout", {}));
    const signedIn = timed(
      await person.browser.post(anyInstance(), "/login", { email: person.email, password: STRONG_PASSWORD }),
    );
    if (!acknowledged(signedIn))
      throw new Error(`sign-in answered ${signedIn.ok ? signedIn.status : signedIn.code}`);
    await followToList(person);
  }

  async function create(person: Person) {
    actions.create++;
    const title = `load-${person.created++}`;
    const outcome = timed(await person.browser.post(anyInstance(), "/todos", { intent: "create", title }));
    if (acknowledged(outcome)) {
      person.todos.set(title, { id: null, completed: false, deleted: false, writes: 1 });
      tally.writesAcknowledged++;
    } else {
      person.uncertain.add(title);
    }
    await followToList(person);
  }

  async function change(person: Person, intent: "toggle" | "delete") {
    const candidates = [...person.todos].filter(
      ([title, known]) => known.id !== null && !known.deleted && !person.uncertain.has(title),
    );
    const picked = candidates[Math.floor(Math.random() * candidates.length)];
    if (!picked) return create(person);
    const [title, known] = picked;
    actions[intent]++;
    const outcome = timed(
      await person.browser.post(anyInstance(), "/todos", { intent, id: String(known.id) }),
    );
    if (acknowledged(outcome)) {
      if (intent === "toggle") known.completed = !known.completed;
      else known.deleted = true;
      known.writes++;
      tally.writesAcknowledged++;
    } else {
      person.uncertain.add(title);
    }
    await followToList(person);
  }

  async function live(person: Person, until: number) {
    // People arrive over the first seconds, not all in the same millisecond.
    await sleep(Math.random() * ARRIVAL_MS);
    await signIn(person);
    while (Date.now() < until) {
      const roll = Math.random();
      const open = [...person.todos.values()].filter((known) => !known.deleted).length;
      if (open < 3 || roll < 0.4) await create(person);
      else if (roll < 0.7) await change(person, "toggle");
      else if (roll < 0.9) await change(person, "delete");
      else if (roll < 0.97) {
        actions.view++;
        await followToList(person);
      } else await signIn(person);
      await sleep(Math.random() * THINK_MS);
    }
  }

  it("answers no 5xx, and the database holds exactly what each person was told", async () => {
    const people: Person[] = [];
    // Sign-ups ten at a time: each hashes a password, and the mail must arrive.
    for (let batch = 0; batch < USERS; batch += 10) {
      const joined = await Promise.all(
        Array.from({ length: Math.min(10, USERS - batch) }, async (_, offset) => {
          const email = uniqueEmail(`load${batch + offset}`);
          const browser = newBrowser();
          await signUp(
            browser,
            cluster.instances[(batch + offset) % cluster.instances.length] ?? anyInstance(),
            cluster.smtp,
            email,
          );
          return {
            email,
            browser,
            todos: new Map(),
            uncertain: new Set<string>(),
            created: 0,
          } satisfies Person;
        }),
      );
      people.push(...joined);
    }
    const requestsBefore = tally.requests;
    const started = Date.now();
    await Promise.all(people.map((person) => live(person, started + SECONDS * 1000)));
    const elapsed = (Date.now() - started) / 1000;

    expect(countStatuses(tally, (status) => status >= 500)).toBe(0);
    expect(errorCount(tally)).toBe(0);
    for (const person of people) expect(person.uncertain.size).toBe(0);

    // Reconciliation: each person's todos in the database against what they were told.
    const sql = postgres(cluster.databaseUrl, { max: 1, onnotice: () => {} });
    const mismatches: string[] = [];
    try {
      for (const person of people) {
        const rows = await sql<{ title: string; completed: boolean; copies: number }[]>`
          select t.title, bool_or(t.completed) as completed, count(*)::int as copies
          from todo t join "user" u on u.id = t.user_id
          where u.email = ${person.email} group by t.title`;
        const stored = new Map(rows.map((row) => [row.title, row]));
        for (const row of rows) {
          if (row.copies > 1) mismatches.push(`${person.email} ${row.title}: ${row.copies} copies`);
          if (!person.todos.has(row.title))
            mismatches.push(`${person.email} ${row.title}: never acknowledged`);
        }
        for (const [title, known] of person.todos) {
          const row = stored.get(title);
          const matches = known.deleted ? !row : row !== undefined && row.completed === known.completed;
          if (matches) tally.writesFound += known.writes;
          else
            mismatches.push(
              `${person.email} ${title}: told ${known.deleted ? "deleted" : known.completed ? "completed" : "active"}, stored ${row ? (row.completed ? "completed" : "active") : "nothing"}`,
            );
        }
      }
    } finally {
      await sql.end();
    }
    expect(mismatches).toEqual([]);
    expect(tally.writesFound).toBe(tally.writesAcknowledged);

    const sorted = [...latencies].sort((a, b) => a - b);
    const percentile = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
    extra["seconds"] = Math.round(elapsed);
    extra["requests per second"] = Math.round((tally.requests - requestsBefore) / elapsed);
    extra["p50 ms"] = percentile(50);
    extra["p95 ms"] = percentile(95);
    extra["p99 ms"] = percentile(99);
    extra["todos stored"] = people.reduce(
      (sum, person) => sum + [...person.todos.values()].filter((known) => !known.deleted).length,
      0,
    );
  });
});
