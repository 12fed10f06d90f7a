import { z } from "zod";

export const PASSKEY_NAME_MAX = 64;

/** A name for a passkey: what the list shows, so plain text of a sensible length. */
export const PasskeyNameSchema = z
  .string({ error: "Name the passkey" })
  .trim()
  .min(1, "Name the passkey")
  .max(PASSKEY_NAME_MAX, `A name has at most ${PASSKEY_NAME_MAX} characters`)
  .regex(/^[^\u0000-\u001f\u007f]*$/, "A name cannot hold control characters");

export const PasskeySettingsSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("rename"),
      id: z.uuid({ error: "Unknown passkey" }),
      name: PasskeyNameSchema,
    }),
    z.object({ intent: z.literal("delete"), id: z.uuid({ error: "Unknown passkey" }) }),
  ],
  { error: "Unknown action" },
);

/** A credential id (at most 1023 bytes in WebAuthn), base64url. */
const CredentialId = z.string().regex(/^[A-Za-z0-9_-]{1,1366}$/);
/** A binary field of a response, base64url, bounded well above any real authenticator's. */
const Binary = z
  .string()
  .regex(/^[A-Za-z0-9_-]*$/)
  .max(16 * 1024);
const Transports = z.array(z.string().max(32)).max(8);

const ClientExtensionResults = z
  .object({ credProps: z.object({ rk: z.boolean().optional() }).optional() })
  .catchall(z.unknown());

/** What both ceremonies' answers carry besides their `response`. */
const credentialEnvelope = {
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal("public-key"),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  clientExtensionResults: ClientExtensionResults,
};

/** The browser's answer to registration options (`RegistrationResponseJSON`), bounded. */
export const RegistrationResponseSchema = z.object({
  ...credentialEnvelope,
  response: z.object({
    clientDataJSON: Binary,
    attestationObject: Binary,
    authenticatorData: Binary.optional(),
    transports: Transports.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: Binary.optional(),
  }),
});

/** The browser's answer to sign-in options (`AuthenticationResponseJSON`), bounded. */
export const AuthenticationResponseSchema = z.object({
  ...credentialEnvelope,
  response: z.object({
    clientDataJSON: Binary,
    authenticatorData: Binary,
    signature: Binary,
    userHandle: Binary.optional(),
  }),
});
