import { problem } from "../http/api/problem.server";

/** Any other address under /api: a 404 in the API's own format, never the HTML page. */
const notFound = () => problem("not-found", "There is no API at this address. See /api/openapi.json.");

export const loader = notFound;
export const action = notFound;
