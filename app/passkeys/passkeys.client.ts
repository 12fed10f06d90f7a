import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
  WebAuthnAbortService,
  WebAuthnError,
} from "@simplewebauthn/browser";

/**
 * The browser's side of passkeys, loaded only through `import()` (ui/passkeys.tsx): the pages
 * work without it, and without JavaScript they say passkeys need it.
 */

const API = "/api/auth/passkey";

type Outcome<Success> = ({ ok: true } & Success) | { ok: false; message: string; code?: string };

interface ErrorBody {
  code?: unknown;
  message?: unknown;
}

async function post(path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${API}${path}`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  const json: unknown = await response.json().catch(() => null);
  return { status: response.status, json };
}

function failure(json: unknown, fallback: string): { ok: false; message: string; code?: string } {
  const body: ErrorBody = typeof json === "object" && json !== null ? json : {};
  return {
    ok: false,
    message: typeof body.message === "string" && body.message ? body.message : fallback,
    code: typeof body.code === "string" ? body.code : undefined,
  };
}

/** What the browser said when the person (or the browser) called the ceremony off. */
function ceremonyFailure(error: unknown, fallback: string): { ok: false; message: string; code?: string } {
  if (error instanceof WebAuthnError && error.code === "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED") {
    return { ok: false, message: "This passkey is already on your account.", code: error.code };
  }
  if (error instanceof Error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
    return { ok: false, message: "No passkey was used. You can try again.", code: error.name };
  }
  return { ok: false, message: fallback };
}

export function supportsPasskeys(): boolean {
  return browserSupportsWebAuthn();
}

export function supportsAutofill(): Promise<boolean> {
  return browserSupportsWebAuthnAutofill();
}

/** Calls off the ceremony in progress (a pending autofill offer, say). */
export function cancel(): void {
  WebAuthnAbortService.cancelCeremony();
}

/**
 * Signs in with a passkey: through the browser's autofill offer on the email field (`autofill`),
 * or its own dialog. A new call calls off the previous one.
 */
export async function signIn({
  autofill,
  redirectTo,
}: {
  autofill: boolean;
  redirectTo: string;
}): Promise<Outcome<{ redirectTo: string }>> {
  const options = await post("/sign-in-options");
  if (options.status !== 200)
    return failure(options.json, "Signing in with a passkey is not possible right now.");
  let response;
  try {
    // The options are the server's own answer: their shape is the library's.
    response = await startAuthentication({
      optionsJSON: options.json as Parameters<typeof startAuthentication>[0]["optionsJSON"],
      useBrowserAutofill: autofill,
    });
  } catch (error) {
    return ceremonyFailure(error, "Your browser could not use a passkey.");
  }
  const result = await post("/sign-in", { response, redirectTo });
  if (result.status !== 200) return failure(result.json, "That passkey did not sign you in.");
  return { ok: true, redirectTo };
}

/** Adds a passkey named `name` to the signed-in account. */
export async function register(name: string): Promise<Outcome<{ name: string }>> {
  const options = await post("/registration-options");
  if (options.status !== 200) return failure(options.json, "Adding a passkey is not possible right now.");
  let response;
  try {
    response = await startRegistration({
      optionsJSON: options.json as Parameters<typeof startRegistration>[0]["optionsJSON"],
    });
  } catch (error) {
    return ceremonyFailure(error, "Your browser could not make a passkey.");
  }
  const result = await post("/register", { name, response });
  if (result.status !== 200) return failure(result.json, "That passkey could not be added.");
  return { ok: true, name };
}

/** Confirms it is the signed-in person with one of their passkeys (the re-authentication window). */
export async function reauthenticate(): Promise<Outcome<Record<never, never>>> {
  const options = await post("/reauthenticate-options");
  if (options.status !== 200)
    return failure(options.json, "Confirming with a passkey is not possible right now.");
  let response;
  try {
    response = await startAuthentication({
      optionsJSON: options.json as Parameters<typeof startAuthentication>[0]["optionsJSON"],
    });
  } catch (error) {
    return ceremonyFailure(error, "Your browser could not use a passkey.");
  }
  const result = await post("/reauthenticate", { response });
  if (result.status !== 200) return failure(result.json, "That passkey did not confirm it is you.");
  return { ok: true };
}
