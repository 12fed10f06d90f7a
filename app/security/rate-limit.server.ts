import { createHash } from "node:crypto";
import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { AppDatabase } from "../../db/client.server";
import { rateLimit } from "../../db/schema";
import { ipv6Prefix } from "./client-address.server";

/** How many hits a window allows. */
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;

/**
 * Limits per client address, for the forms and `/api/auth/*` alike. Generous
 * enough for people behind one shared address; far too few for guessing.
 */
export const ADDRESS_LIMITS = {
  "sign-in": { limit: 50, windowSeconds: 15 * MINUTE },
  /** Sign-ups that passed every check (would make or touch an account), and /api/auth/sign-up/email. */
  "sign-up": { limit: 10, windowSeconds: HOUR },
  /** Every post of the sign-up form, refused ones too: a looser cap on raw attempts. */
  "sign-up-posts": { limit: 60, windowSeconds: HOUR },
  "forgot-password": { limit: 5, windowSeconds: 15 * MINUTE },
  "resend-verification": { limit: 5, windowSeconds: 15 * MINUTE },
  /** Every form that checks a password it is given: change, reset, account deletion. */
  password: { limit: 10, windowSeconds: 15 * MINUTE },
  "email-change": { limit: 5, windowSeconds: 15 * MINUTE },
  /** Passkey options: every sign-in page load asks for some (autofill), so more than sign-ins. */
  "passkey-options": { limit: 300, windowSeconds: 15 * MINUTE },
} as const satisfies Record<string, RateLimitRule>;

export type AddressLimit = keyof typeof ADDRESS_LIMITS;

/**
 * Failed sign-ins in a row for one account. From one address, ten; from
 * anywhere, a hundred (NIST SP 800-63B §5.2.2) — but an address the account has
 * signed in from before is never held by the account-wide count, so an attacker
 * elsewhere cannot lock its owner out. A success clears the count of its own
 * address only, so that the owner's daily sign-in does not renew an attacker's
 * budget; a password reset by mail clears the account's.
 */
export const SIGN_IN_FAILURE_LIMITS = {
  fromAddress: { limit: 10, windowSeconds: 15 * MINUTE },
  forAccount: { limit: 100, windowSeconds: 24 * HOUR },
} as const satisfies Record<string, RateLimitRule>;

/** Requests to the JSON todo API, per user. */
export const API_LIMIT: RateLimitRule = { limit: 600, windowSeconds: MINUTE };

/** How long an address the account signed in from stays exempt from the account-wide count. */
export const KNOWN_ADDRESS_DAYS = 90;

/** The better-auth endpoints each address limit applies to, under `/api/auth`. */
export const AUTH_API_LIMITS: Readonly<Record<string, AddressLimit>> = {
  "/sign-in/email": "sign-in",
  "/two-factor/verify": "sign-in",
  // Starting a provider flow (the forms count the same limit in their actions).
  "/sign-in/social": "sign-in",
  "/link-social": "sign-in",
  "/sign-up/email": "sign-up",
  "/request-password-reset": "forgot-password",
  "/send-verification-email": "resend-verification",
  "/reset-password": "password",
  "/change-password": "password",
  "/delete-user": "password",
  "/change-email": "email-change",
  "/passkey/sign-in": "sign-in",
  "/passkey/sign-in-options": "passkey-options",
  "/passkey/registration-options": "passkey-options",
  "/passkey/register": "password",
  "/passkey/reauthenticate": "sign-in",
  "/passkey/reauthenticate-options": "passkey-options",
};

export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const ALLOWED: RateLimitVerdict = { allowed: true };

/**
 * The subject an address counts as. An IPv6 host usually holds a whole /64, so
 * each /64 counts as one address; otherwise every rotation would reset its limit.
 */
export function addressSubject(address: string): string {
  return ipv6Prefix(address, 64) ?? address;
}

/**
 * The wider subject an IPv6 address also counts as: its /48, which one site
 * (a home, an office, one customer of a host) usually holds whole. Without it,
 * one /48 would get 65,536 budgets of its own, one per /64. Null for IPv4.
 */
export function siteSubject(address: string): string | null {
  return ipv6Prefix(address, 48);
}

/**
 * How much more a /48 may do than one of its /64s. A site has a handful of
 * subnets in use (a home's few, an office's floors and Wi-Fi), so four /64s'
 * worth serves it at full use, while rotating through its 65,536 /64s buys an
 * attacker four budgets instead of 65,536 (and a carrier that hands each phone a
 * /64 of a shared /48 is treated as a carrier-grade NAT already is on IPv4).
 */
export const SITE_FACTOR = 4;

/** The limit a /48 gets for a rule counted per address. */
const siteRule = (rule: RateLimitRule): RateLimitRule => ({
  limit: rule.limit * SITE_FACTOR,
  windowSeconds: rule.windowSeconds,
});

/** The stricter of two verdicts: refused if either is, with the longer wait. */
function stricter(a: RateLimitVerdict, b: RateLimitVerdict): RateLimitVerdict {
  if (a.allowed) return b;
  if (b.allowed) return a;
  return { allowed: false, retryAfterSeconds: Math.max(a.retryAfterSeconds, b.retryAfterSeconds) };
}

/** An account's counters are keyed by its address, hashed: they also exist for addresses without an account. */
function accountSubject(email: string): string {
  return createHash("sha256").update(email.trim().toLowerCase()).digest("base64url").slice(0, 32);
}

/**
 * Counters in the database, so that every instance of the app shares them.
 * Each is one row updated by a single atomic upsert per hit: a fixed window that
 * opens at the first hit and closes `windowSeconds` later.
 */
export function createRateLimiter(db: AppDatabase) {
  const retryAfter = sql<number>`greatest(1, ceil(extract(epoch from ${rateLimit.resetAt} - now())))::int`;

  return {
    /** Counts one hit; refused when this hit goes over the limit. */
    async hit(key: string, rule: RateLimitRule): Promise<RateLimitVerdict> {
      const expired = sql`${rateLimit.resetAt} <= now()`;
      const [row] = await db
        .insert(rateLimit)
        .values({ key, hits: 1, resetAt: sql`now() + make_interval(secs => ${rule.windowSeconds})` })
        .onConflictDoUpdate({
          target: rateLimit.key,
          set: {
            hits: sql`case when ${expired} then 1 else ${rateLimit.hits} + 1 end`,
            resetAt: sql`case when ${expired} then excluded.reset_at else ${rateLimit.resetAt} end`,
          },
        })
        .returning({ hits: rateLimit.hits, retryAfterSeconds: retryAfter });
      if (!row || row.hits <= rule.limit) return ALLOWED;
      return { allowed: false, retryAfterSeconds: row.retryAfterSeconds };
    },

    /** Whether the next hit on each key would still be allowed, without counting one: one query for all. */
    async checkAll(checks: ReadonlyArray<{ key: string; rule: RateLimitRule }>): Promise<RateLimitVerdict[]> {
      const rows = await db
        .select({ key: rateLimit.key, hits: rateLimit.hits, retryAfterSeconds: retryAfter })
        .from(rateLimit)
        .where(
          and(
            inArray(
              rateLimit.key,
              checks.map((check) => check.key),
            ),
            sql`${rateLimit.resetAt} > now()`,
          ),
        );
      const live = new Map(rows.map((row) => [row.key, row]));
      return checks.map(({ key, rule }): RateLimitVerdict => {
        const row = live.get(key);
        if (!row || row.hits < rule.limit) return ALLOWED;
        return { allowed: false, retryAfterSeconds: row.retryAfterSeconds };
      });
    },

    async clear(key: string): Promise<void> {
      await db.delete(rateLimit).where(eq(rateLimit.key, key));
    },

    /** Deletes the counters whose window has closed; returns how many. */
    async sweep(): Promise<number> {
      const removed = await db
        .delete(rateLimit)
        .where(lt(rateLimit.resetAt, sql`now()`))
        .returning({ key: rateLimit.key });
      return removed.length;
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

/**
 * The app's limits on top of the counters: per client address, and for failed
 * sign-ins per account. `isKnownAddress` says whether an account has signed in
 * from an address lately (the security history knows).
 */
export function createRateLimits(
  limiter: RateLimiter,
  isKnownAddress: (email: string, address: string) => Promise<boolean>,
) {
  const pairKey = (email: string, address: string) =>
    `sign-in-failures:${accountSubject(email)}:${addressSubject(address)}`;
  const sitePairKey = (email: string, site: string) => `sign-in-failures:${accountSubject(email)}:${site}`;
  const accountKey = (email: string) => `sign-in-failures:${accountSubject(email)}`;
  const { fromAddress: pairRule, forAccount: accountRule } = SIGN_IN_FAILURE_LIMITS;

  return {
    /** Counts an attempt at `name` from this address (and, for IPv6, from its /48). */
    async hitAddress(name: AddressLimit, address: string): Promise<RateLimitVerdict> {
      const rule = ADDRESS_LIMITS[name];
      const site = siteSubject(address);
      const [own, wider] = await Promise.all([
        limiter.hit(`${name}:${addressSubject(address)}`, rule),
        site ? limiter.hit(`${name}:${site}`, siteRule(rule)) : ALLOWED,
      ]);
      return stricter(own, wider);
    },

    /** Counts a request of this user's to the JSON API. */
    hitApi(userId: string): Promise<RateLimitVerdict> {
      return limiter.hit(`api:${userId}`, API_LIMIT);
    },

    signInFailures: {
      /** Whether a sign-in to this account from this address may be tried now. */
      async check(email: string, address: string): Promise<RateLimitVerdict> {
        const site = siteSubject(address);
        const [fromAddress, forAccount, fromSite] = await limiter.checkAll([
          { key: pairKey(email, address), rule: pairRule },
          { key: accountKey(email), rule: accountRule },
          ...(site ? [{ key: sitePairKey(email, site), rule: siteRule(pairRule) }] : []),
        ]);
        if (fromAddress && !fromAddress.allowed) return fromAddress;
        if (fromSite && !fromSite.allowed) return fromSite;
        if (!forAccount || forAccount.allowed || (await isKnownAddress(email, address))) return ALLOWED;
        return forAccount;
      },
      async recordFailure(email: string, address: string): Promise<void> {
        await limiter.hit(pairKey(email, address), pairRule);
        const site = siteSubject(address);
        if (site) await limiter.hit(sitePairKey(email, site), siteRule(pairRule));
        await limiter.hit(accountKey(email), accountRule);
      },
      /**
       * A success ends the run of failures from its address, not from its /48:
       * the owner's sign-in must not renew the budget of a guesser elsewhere in the site.
       */
      clearAddress(email: string, address: string): Promise<void> {
        return limiter.clear(pairKey(email, address));
      },
      /** Whoever proved they own the mailbox may try signing in again from anywhere. */
      clearAccount(email: string): Promise<void> {
        return limiter.clear(accountKey(email));
      },
    },

    sweep: () => limiter.sweep(),
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;

/** The words of a 429 page: how long to wait, rounded up to what a person reads. */
export function retryAfterText(seconds: number): string {
  if (seconds < 60) return "in a minute";
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.ceil(minutes / 60);
  return `in ${hours} hour${hours === 1 ? "" : "s"}`;
}
