import { useMatches, useRouteLoaderData, type UIMatch } from "@remix-run/react";
import type { loader as rootLoader } from "../root";

/**
 * A route's `handle` that says its pages show the one-time message (flash) themselves, beside the
 * form it answers, instead of at the top of the page.
 */
export const FLASH_IN_SECTION = { flashInSection: true } as const;

/** Whether a route on screen shows the flash itself (see FLASH_IN_SECTION). */
export function showsFlashItself(matches: UIMatch[]): boolean {
  return matches.some(
    ({ handle }) => typeof handle === "object" && handle !== null && "flashInSection" in handle,
  );
}

/** The flash of this request, for a page that shows it itself; null elsewhere (the layout shows it). */
export function useSectionFlash() {
  const data = useRouteLoaderData<typeof rootLoader>("root");
  const inSection = showsFlashItself(useMatches());
  return inSection ? (data?.flash ?? null) : null;
}

/** A one-time message: an error is announced at once, anything else politely. */
export function FlashMessage({ flash }: { flash: { kind: "success" | "info" | "error"; message: string } }) {
  return (
    <p className={`flash ${flash.kind}`} role={flash.kind === "error" ? "alert" : "status"}>
      {flash.message}
    </p>
  );
}
