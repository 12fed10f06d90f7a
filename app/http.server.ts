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
