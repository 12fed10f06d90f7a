import { data } from "@remix-run/node";

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];

/**
 * The submitted form, or a 4xx the error boundary shows: a body that is not a
 * form (415), or one that cannot be parsed (400), never reaches a schema.
 */
export async function readFormData(request: Request): Promise<FormData> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!FORM_TYPES.includes(type)) {
    throw data("This address accepts HTML form posts only.", { status: 415 });
  }
  try {
    return await request.formData();
  } catch {
    throw data("The form could not be read. Please go back and try again.", { status: 400 });
  }
}

/**
 * Whether a request is a browser's document navigation (a form posted without
 * JavaScript) rather than a script's fetch. Browsers say so in Fetch Metadata;
 * a client that sends none is treated as a document client. Document posts get
 * a redirect (POST, redirect, GET); fetches get data and Remix revalidates the
 * page, which also works for a fetcher whose item has left the page.
 */
export function isDocumentRequest(request: Request): boolean {
  const mode = request.headers.get("sec-fetch-mode");
  return mode === null || mode === "navigate";
}
