/**
 * Errors of the JSON API as RFC 9457 problem documents. Each case has a
 * stable `type` (a path under /problems/, listed in docs/api.md) that clients
 * can switch on; `title` is the same for every occurrence, `detail` says what
 * happened this time.
 */
export const PROBLEMS = {
  "missing-token": { status: 401, title: "Authentication required" },
  "invalid-token": { status: 401, title: "Invalid access token" },
  "not-found": { status: 404, title: "Not found" },
  "method-not-allowed": { status: 405, title: "Method not allowed" },
  "unsupported-media-type": { status: 415, title: "Unsupported media type" },
  "malformed-json": { status: 400, title: "Malformed JSON" },
  "invalid-request": { status: 400, title: "Invalid request" },
  "rate-limited": { status: 429, title: "Too many requests" },
  // Answered by the server layer before any route runs.
  "cross-site-request": { status: 403, title: "Request refused" },
  "payload-too-large": { status: 413, title: "Too much data" },
  "length-required": { status: 411, title: "Length required" },
  "internal-error": { status: 500, title: "Something went wrong" },
  // The database cannot be reached: try again after `Retry-After` seconds.
  "service-unavailable": { status: 503, title: "Temporarily unavailable" },
} as const;

export type ProblemType = keyof typeof PROBLEMS;

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Per field, what is wrong with it (for invalid-request). */
  errors?: Record<string, string[]>;
}

export const problemTypeUri = (type: ProblemType) => `/problems/${type}`;

export function problem(
  type: ProblemType,
  detail: string,
  { headers, errors }: { headers?: HeadersInit; errors?: Record<string, string[]> } = {},
): Response {
  const { status, title } = PROBLEMS[type];
  const body: ProblemDocument = {
    type: problemTypeUri(type),
    title,
    status,
    detail,
    ...(errors ? { errors } : {}),
  };
  const responseHeaders = new Headers(headers);
  responseHeaders.set("Content-Type", "application/problem+json");
  return new Response(JSON.stringify(body), { status, headers: responseHeaders });
}
