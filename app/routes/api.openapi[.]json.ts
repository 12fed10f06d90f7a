import type { LoaderFunctionArgs } from "@remix-run/node";
import { openApiDocument } from "../http/api/openapi.server";

/** GET /api/openapi.json: the JSON todo API's description (OpenAPI 3.1). */
export function loader({ context }: LoaderFunctionArgs) {
  return Response.json(openApiDocument(context.services.config.appUrl));
}
