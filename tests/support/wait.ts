/**
 * Polls `check` until it holds; answers how long that took, or fails after
 * `withinMs`. For effects that the app promises within a bound rather than at
 * once (a change announced to every instance's session cache).
 */
export async function within(withinMs: number, check: () => Promise<boolean>, everyMs = 20): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > withinMs) throw new Error(`did not happen within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return Date.now() - started;
}
