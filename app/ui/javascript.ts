import { useSyncExternalStore } from "react";

const subscribeToNothing = () => () => {};

/**
 * False in the server's HTML and while hydrating it, true from then on: what only JavaScript can
 * do appears only where JavaScript runs.
 */
export function useJavaScriptRuns(): boolean {
  return useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );
}
