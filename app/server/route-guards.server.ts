import type { ActionFunctionArgs, LoaderFunctionArgs, ServerBuild } from "@remix-run/node";
import { answerOutage } from "./unavailable.server";

type Handler<Args> = (args: Args) => unknown;

/**
 * The Remix build with what every loader and action needs around it:
 * - an unreachable database answered with 503, not 500 (`answerOutage`);
 * - the user and session changes it committed settled in this process's session
 *   cache before the answer leaves, so the next request reads them (`settleWrites`).
 */
export function guardRoutes(build: ServerBuild): ServerBuild {
  const guard =
    <Args extends LoaderFunctionArgs | ActionFunctionArgs>(handler: Handler<Args>, hasPage: boolean) =>
    async (args: Args) => {
      try {
        return await handler(args);
      } catch (error) {
        return answerOutage(error, args, hasPage);
      } finally {
        await args.context.settleWrites();
      }
    };

  const routes: ServerBuild["routes"] = {};
  for (const [id, route] of Object.entries(build.routes)) {
    if (!route) continue;
    const { loader, action } = route.module;
    // As Remix tells them apart: a route with neither a page nor an error boundary answers by itself.
    const hasPage = route.module.default != null || route.module.ErrorBoundary != null;
    routes[id] = {
      ...route,
      module: {
        ...route.module,
        ...(loader ? { loader: guard<LoaderFunctionArgs>(loader, hasPage) } : {}),
        ...(action ? { action: guard<ActionFunctionArgs>(action, hasPage) } : {}),
      },
    };
  }
  return { ...build, routes };
}
