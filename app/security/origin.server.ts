const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export interface RequestHeadersLike {
  method: string;
  header(name: string): string | undefined;
}

const originOf = (value: string): string | null => {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
};

const isOneOf = (origin: string | null, appOrigins: readonly string[]) =>
  origin !== null && appOrigins.includes(origin);

/**
 * Why a state-changing request must be refused as cross-site, or null when it
 * may go on. The request must say where it comes from (`Origin`, or failing
 * that `Referer`) and that must be one of `appOrigins` (APP_URL's, and in
 * development its loopback aliases: see Config); a browser's `Sec-Fetch-Site:
 * cross-site` is refused outright. A request that carries a bearer token and
 * no cookie cannot have been forged by another site's page, so it is exempt.
 */
export function crossSiteRefusal(request: RequestHeadersLike, appOrigins: readonly string[]): string | null {
  if (!UNSAFE_METHODS.has(request.method.toUpperCase())) return null;
  const bearer = /^bearer\s/i.test(request.header("authorization") ?? "");
  if (bearer && !request.header("cookie")) return null;

  if (request.header("sec-fetch-site") === "cross-site") return "Sec-Fetch-Site is cross-site";
  const origin = request.header("origin");
  if (origin !== undefined) {
    return isOneOf(originOf(origin), appOrigins)
      ? null
      : `Origin ${origin.slice(0, 100)} is not ${appOrigins.join(" or ")}`;
  }
  const referer = request.header("referer");
  if (referer !== undefined) {
    return isOneOf(originOf(referer), appOrigins) ? null : "Referer is from another site";
  }
  return "neither Origin nor Referer was sent";
}
