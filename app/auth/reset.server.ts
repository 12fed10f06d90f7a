import type { Auth } from "./auth.server";

/**
 * Whether a password-reset link still works, so its page can say so before the
 * user types a new password. Reading does not use it up: only a reset does.
 */
export async function isResetTokenUsable(auth: Auth, token: string): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) return false;
  const { internalAdapter } = await auth.$context;
  const verification = await internalAdapter.findVerificationValue(`reset-password:${token}`);
  return verification !== null && verification !== undefined && verification.expiresAt > new Date();
}
