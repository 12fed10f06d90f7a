import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { TODO_TITLE_MAX } from "./limits";

// Tables no other table refers to, kept apart so that each file stays readable.
export { mailOutbox, rateLimit, type OutboxMail } from "./schema-operations";

/**
 * Every table of the app. The first four are better-auth's core tables (their
 * property names are the field names better-auth expects); the columns are
 * snake_case in SQL through drizzle's `casing` option.
 */

const timestamps = {
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
};

export const user = pgTable("user", {
  id: text().primaryKey(),
  name: text().notNull(),
  email: text().notNull().unique(),
  emailVerified: boolean().notNull().default(false),
  image: text(),
  ...timestamps,
});

export const session = pgTable(
  "session",
  {
    id: text().primaryKey(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    token: text().notNull().unique(),
    ipAddress: text(),
    userAgent: text(),
    userId: text()
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    /** The last password (or provider) check in this session after its sign-in; null: only the sign-in. */
    reauthenticatedAt: timestamp({ withTimezone: true }),
    /** How the sign-in was made: "password", a provider's id, "link" (a confirmation link), "passkey". */
    signInMethod: text(),
    /** The second step passed at the sign-in: "authenticator", "recovery-code"; null: none was asked. */
    secondFactor: text(),
    ...timestamps,
  },
  (table) => [index("session_user_id_idx").on(table.userId)],
);

export const account = pgTable(
  "account",
  {
    id: text().primaryKey(),
    accountId: text().notNull(),
    providerId: text().notNull(),
    userId: text()
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    accessToken: text(),
    refreshToken: text(),
    idToken: text(),
    accessTokenExpiresAt: timestamp({ withTimezone: true }),
    refreshTokenExpiresAt: timestamp({ withTimezone: true }),
    scope: text(),
    password: text(),
    ...timestamps,
  },
  (table) => [index("account_user_id_idx").on(table.userId)],
);

export const verification = pgTable(
  "verification",
  {
    id: text().primaryKey(),
    identifier: text().notNull(),
    value: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    ...timestamps,
  },
  (table) => [index("verification_identifier_idx").on(table.identifier)],
);

/**
 * The signing keys of the JWTs for API clients (better-auth's jwt plugin):
 * public keys as JWK, private keys encrypted with BETTER_AUTH_SECRET.
 */
export const jwks = pgTable("jwks", {
  id: text().primaryKey(),
  publicKey: text().notNull(),
  privateKey: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull(),
  expiresAt: timestamp({ withTimezone: true }),
  alg: text(),
  crv: text(),
});

export { TODO_TITLE_MAX };

export const todo = pgTable(
  "todo",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text()
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    title: text().notNull(),
    completed: boolean().notNull().default(false),
    ...timestamps,
  },
  (table) => [
    // A user's list, in the order it is shown.
    index("todo_user_id_created_at_idx").on(table.userId, table.createdAt, table.id),
    check(
      "todo_title_length",
      sql`char_length(${table.title}) between 1 and ${sql.raw(String(TODO_TITLE_MAX))}`,
    ),
  ],
);

/**
 * The security history of an account (sign-ins, failures, changes), written by
 * the services that cause each event, never with a secret in it.
 */
export const auditEvent = pgTable(
  "audit_event",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text()
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    type: text().notNull(),
    /** The sign-in provider the event concerns ("github", "oidc"), when it concerns one. */
    provider: text(),
    ipAddress: text(),
    userAgent: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("audit_event_user_id_created_at_idx").on(table.userId, table.createdAt)],
);

/** An address change waiting for the link sent to the new address; one per user. */
export const emailChange = pgTable("email_change", {
  userId: text()
    .primaryKey()
    .references(() => user.id, { onDelete: "cascade" }),
  newEmail: text().notNull(),
  /** SHA-256 of the token in the link: the token itself is never stored. */
  tokenHash: text().notNull().unique(),
  expiresAt: timestamp({ withTimezone: true }).notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** An account's authenticator app (RFC 6238 TOTP); two-step sign-in is on once `enabledAt` is set. */
export const twoFactor = pgTable("two_factor", {
  userId: text()
    .primaryKey()
    .references(() => user.id, { onDelete: "cascade" }),
  /** The shared secret, encrypted with BETTER_AUTH_SECRET: a database leak does not give it away. */
  secret: text().notNull(),
  /** Null while it is being set up: on only once a code from the app was typed. */
  enabledAt: timestamp({ withTimezone: true }),
  /** The last 30-second step whose code was accepted: each step's code is accepted once. */
  lastStep: bigint({ mode: "number" }).notNull().default(0),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** One-time recovery codes, shown once: only their SHA-256 is kept. */
export const recoveryCode = pgTable(
  "recovery_code",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text()
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    codeHash: text().notNull(),
    usedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex("recovery_code_user_id_code_hash_idx").on(table.userId, table.codeHash)],
);

/**
 * A sign-in waiting for its second step: the first step passed, no session exists yet. The
 * browser holds the token (a signed HttpOnly cookie); the row keeps only its SHA-256.
 */
export const signInChallenge = pgTable(
  "sign_in_challenge",
  {
    tokenHash: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    /** How the first step was passed (as `session.signInMethod`). */
    method: text().notNull(),
    /** The same-site path to land on afterwards. */
    redirectTo: text(),
    failures: integer().notNull().default(0),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("sign_in_challenge_expires_at_idx").on(table.expiresAt)],
);

/**
 * A passkey (WebAuthn credential) of an account: its public key, never a secret. `counter` is the
 * signature counter (a u32, too big for `integer`); `deviceType` is the backup-eligible flag (fixed),
 * `backedUp` the backup state (refreshed at each use).
 */
export const passkey = pgTable(
  "passkey",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text()
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    name: text().notNull(),
    /** base64url, as the browser names the credential. */
    credentialId: text().notNull().unique(),
    /** base64url COSE key. */
    publicKey: text().notNull(),
    /** base64url WebAuthn user handle: random, never the user's id. */
    userHandle: text().notNull(),
    counter: bigint({ mode: "number" }).notNull(),
    transports: text()
      .array()
      .notNull()
      .default(sql`'{}'`),
    deviceType: text().notNull(),
    backedUp: boolean().notNull(),
    aaguid: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
  },
  (table) => [index("passkey_user_id_idx").on(table.userId)],
);

/**
 * A WebAuthn ceremony in progress: the challenge the browser must sign, keyed by the SHA-256 of a
 * random token that only that browser holds (a signed HttpOnly cookie); used once, for 5 minutes.
 */
export const passkeyChallenge = pgTable(
  "passkey_challenge",
  {
    tokenHash: text().primaryKey(),
    /** "registration" | "sign-in" | "reauthentication". */
    purpose: text().notNull(),
    /** The account adding a passkey or confirming it is them; null for a sign-in (nobody is known yet). */
    userId: text().references(() => user.id, { onDelete: "cascade" }),
    challenge: text().notNull(),
    /** The user handle offered at registration. */
    userHandle: text(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("passkey_challenge_expires_at_idx").on(table.expiresAt)],
);

export type User = typeof user.$inferSelect;
export type Todo = typeof todo.$inferSelect;
