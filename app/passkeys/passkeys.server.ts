import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { and, asc, count, eq } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import { passkey } from "../../db/schema";
import type { AuditLog, RequestOrigin } from "../audit/audit.server";
import type { CredentialChanges } from "../auth/credential-changes.server";
import type { Logger } from "../logger.server";
import type { PasskeyChallenges } from "./challenges.server";
import { createOwnedPasskeys } from "./owned-passkeys.server";
import { PASSKEY_CHALLENGE_SECONDS } from "./challenges.server";

/** A ceiling on passkeys per account: the list stays readable and the options small. */
const MAX_PASSKEYS = 20;
/** EdDSA, ES256, RS256: what every authenticator offers (no post-quantum algorithm the browser may not know). */
const SUPPORTED_ALGORITHMS = [-8, -7, -257];
const KNOWN_TRANSPORTS: ReadonlySet<string> = new Set([
  "ble",
  "cable",
  "hybrid",
  "internal",
  "nfc",
  "smart-card",
  "usb",
]);

const isTransport = (value: string): value is AuthenticatorTransport => KNOWN_TRANSPORTS.has(value);

export type RegisterResult =
  | { outcome: "added"; name: string }
  | { outcome: "expired" }
  | { outcome: "refused" }
  | { outcome: "already-added" }
  | { outcome: "too-many" };

export type SignInResult = { outcome: "signed-in"; userId: string } | { outcome: "expired" | "refused" };

/** WebAuthn's relying party: APP_URL's host and origin; an IP address cannot be one. */
function relyingPartyOf(appUrl: URL) {
  return {
    rpID: appUrl.hostname,
    origin: appUrl.origin,
    available: isIP(appUrl.hostname) === 0 && appUrl.hostname !== "",
  };
}

/**
 * Passkeys (WebAuthn, through @simplewebauthn/server): their ceremonies and their rows. User
 * verification is required, so a passkey sign-in is both factors. No HTTP here: the plugin
 * (passkeys-plugin.server.ts) holds the cookies and makes the session.
 */
export function createPasskeyService(deps: {
  db: AppDatabase;
  challenges: PasskeyChallenges;
  credentialChanges: CredentialChanges;
  audit: AuditLog;
  appUrl: URL;
  logger: Logger;
}) {
  const { db, challenges, credentialChanges, audit, logger } = deps;
  const relyingParty = relyingPartyOf(deps.appUrl);
  const { rpID, origin } = relyingParty;

  const rowsOf = (userId: string) =>
    db.select().from(passkey).where(eq(passkey.userId, userId)).orderBy(asc(passkey.createdAt));

  /** The handle the account's passkeys carry (one per account, random), or a new one. */
  async function userHandleOf(userId: string): Promise<string> {
    const [row] = await db
      .select({ userHandle: passkey.userHandle })
      .from(passkey)
      .where(eq(passkey.userId, userId))
      .limit(1);
    return row?.userHandle ?? randomBytes(32).toString("base64url");
  }

  return {
    relyingParty,

    /** Options for adding a passkey, and the token of the browser's cookie. */
    async registrationOptions(
      user: { id: string; email: string; name: string },
      previousToken: string | null,
    ): Promise<{ token: string; options: PublicKeyCredentialCreationOptionsJSON } | "too-many"> {
      const existing = await rowsOf(user.id);
      if (existing.length >= MAX_PASSKEYS) return "too-many";
      const userHandle = await userHandleOf(user.id);
      const options = await generateRegistrationOptions({
        rpName: "Todo",
        rpID,
        userName: user.email,
        userDisplayName: user.name,
        userID: isoBase64URL.toBuffer(userHandle),
        attestationType: "none",
        excludeCredentials: existing.map((row) => ({
          id: row.credentialId,
          transports: row.transports.filter(isTransport),
        })),
        authenticatorSelection: {
          residentKey: "required",
          requireResidentKey: true,
          userVerification: "required",
        },
        timeout: PASSKEY_CHALLENGE_SECONDS * 1000,
        supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
      });
      const token = await challenges.issue("registration", options.challenge, {
        userId: user.id,
        userHandle,
        previousToken,
      });
      return { token, options };
    },

    /** Checks the browser's answer to the registration options and keeps the passkey. */
    async register(
      userId: string,
      token: string,
      name: string,
      response: RegistrationResponseJSON,
      requestOrigin: RequestOrigin,
    ): Promise<RegisterResult> {
      const pending = await challenges.consume(token, "registration", userId);
      const userHandle = pending?.userHandle;
      if (!pending || !userHandle) return { outcome: "expired" };
      let verification;
      try {
        verification = await verifyRegistrationResponse({
          response,
          expectedChallenge: pending.challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: true,
          supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
        });
      } catch (error) {
        logger.info({ err: error }, "passkey registration refused");
        return { outcome: "refused" };
      }
      // Without a resident key the email would have to be typed: not what was asked for.
      if (!verification.verified || response.clientExtensionResults.credProps?.rk === false) {
        return { outcome: "refused" };
      }
      const info = verification.registrationInfo;
      const inserted = await db.transaction(async (tx) => {
        const [owned] = await tx.select({ n: count() }).from(passkey).where(eq(passkey.userId, userId));
        if ((owned?.n ?? 0) >= MAX_PASSKEYS) return "too-many" as const;
        const rows = await tx
          .insert(passkey)
          .values({
            userId,
            name,
            credentialId: info.credential.id,
            publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
            userHandle,
            counter: info.credential.counter,
            transports: (info.credential.transports ?? []).filter(isTransport),
            deviceType: info.credentialDeviceType,
            backedUp: info.credentialBackedUp,
            aaguid: info.aaguid,
          })
          .onConflictDoNothing({ target: passkey.credentialId })
          .returning({ id: passkey.id });
        return rows.length === 1 ? ("added" as const) : ("already-added" as const);
      });
      if (inserted !== "added") return { outcome: inserted };
      await credentialChanges.record(userId, { kind: "passkey-added", name }, requestOrigin);
      return { outcome: "added", name };
    },

    /**
     * Options for a sign-in with any passkey of this site (discoverable: no email asked), or, with
     * `forUser`, for that signed-in account to confirm it is them with one of its own.
     */
    async signInOptions(
      previousToken: string | null,
      forUser?: string,
    ): Promise<{ token: string; options: PublicKeyCredentialRequestOptionsJSON }> {
      const own = forUser === undefined ? [] : await rowsOf(forUser);
      const options = await generateAuthenticationOptions({
        rpID,
        userVerification: "required",
        timeout: PASSKEY_CHALLENGE_SECONDS * 1000,
        ...(forUser === undefined
          ? {}
          : {
              allowCredentials: own.map((row) => ({
                id: row.credentialId,
                transports: row.transports.filter(isTransport),
              })),
            }),
      });
      const token = await challenges.issue(
        forUser === undefined ? "sign-in" : "reauthentication",
        options.challenge,
        {
          previousToken,
          userId: forUser,
        },
      );
      return { token, options };
    },

    /**
     * Checks a sign-in answer: the challenge of this browser, a known passkey, its user handle,
     * user verification, the signature, and a counter that moved on (compare-and-set, so one
     * answer signs in once even on two instances).
     */
    async signIn(
      token: string,
      response: AuthenticationResponseJSON,
      forUser?: string,
    ): Promise<SignInResult> {
      const pending = await challenges.consume(
        token,
        forUser === undefined ? "sign-in" : "reauthentication",
        forUser,
      );
      if (!pending) return { outcome: "expired" };
      const [row] = await db.select().from(passkey).where(eq(passkey.credentialId, response.id));
      // Confirming it is them: only a passkey of the signed-in account.
      if (!row || (forUser !== undefined && row.userId !== forUser)) return { outcome: "refused" };
      const handle = response.response.userHandle;
      if (handle !== undefined && handle !== row.userHandle) return { outcome: "refused" };
      let verification;
      try {
        verification = await verifyAuthenticationResponse({
          response,
          expectedChallenge: pending.challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          credential: {
            id: row.credentialId,
            publicKey: isoBase64URL.toBuffer(row.publicKey),
            counter: row.counter,
            transports: row.transports.filter(isTransport),
          },
          requireUserVerification: true,
        });
      } catch (error) {
        logger.info({ err: error }, "passkey sign-in refused");
        return { outcome: "refused" };
      }
      const info = verification.authenticationInfo;
      // The backup-eligible flag is fixed for a credential's life: a change is not the same authenticator.
      if (!verification.verified || !info.userVerified || info.credentialDeviceType !== row.deviceType) {
        return { outcome: "refused" };
      }
      const updated = await db
        .update(passkey)
        .set({ counter: info.newCounter, backedUp: info.credentialBackedUp, lastUsedAt: new Date() })
        .where(and(eq(passkey.id, row.id), eq(passkey.counter, row.counter)))
        .returning({ id: passkey.id });
      if (updated.length !== 1) return { outcome: "refused" };
      return { outcome: "signed-in", userId: row.userId };
    },

    /** One account's passkeys, as its settings page lists and changes them (owned-passkeys.server.ts). */
    forOwner: createOwnedPasskeys({ db, audit, credentialChanges }).forOwner,
  };
}

export type PasskeyService = ReturnType<typeof createPasskeyService>;
