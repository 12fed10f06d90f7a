import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet } from "jose";

/** What a bearer token proved: whose it is, or why it proves nothing. */
export type TokenVerdict = { valid: true; userId: string } | { valid: false; reason: "expired" | "invalid" };

/**
 * At most one reload of the keys a second, however many unknown key ids
 * arrive: a forged `kid` costs one small query at most, a rotation elsewhere
 * is picked up by the first token it signs.
 */
const RELOAD_COOLDOWN_MS = 1_000;

/**
 * Verifies the access tokens (JWTs) that /api/auth/token issues, with `jose`,
 * against our own public keys: loaded once, kept in memory, and loaded again
 * when a token names a key id we do not have (a rotation on another
 * instance). Verifying needs no database call.
 */
export function createAccessTokenVerifier({
  loadKeys,
  issuer,
  audience,
  maxAgeSeconds,
}: {
  loadKeys: () => Promise<JSONWebKeySet>;
  issuer: string;
  audience: string;
  maxAgeSeconds: number;
}) {
  let keySet: Promise<ReturnType<typeof createLocalJWKSet>> | null = null;
  let loadedAt = 0;

  /** The key set, loaded once; concurrent callers share one load. */
  function keys(reload: boolean) {
    if (!keySet || (reload && Date.now() - loadedAt > RELOAD_COOLDOWN_MS)) {
      loadedAt = Date.now();
      const loading = loadKeys().then(createLocalJWKSet);
      // A failed load is not kept: the next request tries again.
      loading.catch(() => {
        if (keySet === loading) keySet = null;
      });
      keySet = loading;
    }
    return keySet;
  }

  const verifyWith = (token: string, set: ReturnType<typeof createLocalJWKSet>) =>
    jwtVerify(token, set, {
      issuer,
      audience,
      algorithms: ["EdDSA"],
      requiredClaims: ["sub", "iat", "exp"],
      maxTokenAge: maxAgeSeconds,
    });

  return {
    async verify(token: string): Promise<TokenVerdict> {
      try {
        let result;
        try {
          result = await verifyWith(token, await keys(false));
        } catch (error) {
          if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
          result = await verifyWith(token, await keys(true));
        }
        const userId = result.payload.sub;
        return userId ? { valid: true, userId } : { valid: false, reason: "invalid" };
      } catch (error) {
        if (error instanceof errors.JWTExpired) return { valid: false, reason: "expired" };
        if (error instanceof errors.JOSEError) return { valid: false, reason: "invalid" };
        throw error;
      }
    },
  };
}

export type AccessTokenVerifier = ReturnType<typeof createAccessTokenVerifier>;
