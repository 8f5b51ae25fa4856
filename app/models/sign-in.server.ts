import { sql } from "kysely";
import type { Database } from "#db/types.ts";
import type { Kysely, Transaction } from "kysely";
import { hashPassword, verifyPassword } from "#app/auth/password.server.ts";
import { recordAudit } from "./audit.server.ts";
import { createSession } from "./session.server.ts";
import { hasTwoFactor, startChallenge } from "./two-factor.server.ts";

/**
 * Failed sign-ins, counted over a window. The throttle slows and stops guessing where it comes from
 * without letting anyone lock a person out (decision 010):
 * - per account and network address: slowed from `slowAfter` failures, refused from `refuseAfter`,
 *   so an attacker at one address cannot keep the account's owner out at another;
 * - per account from anywhere: from `underAttackAfter` failures the account is under attack, and an
 *   address it has not signed in from lately gets only `refuseAfterUnderAttack` failures, so guessing
 *   spread over many addresses costs each one dearly, while the owner's first try from anywhere is
 *   still checked;
 * - per network address, whatever the accounts: from `refuseAfterForAddress` failures that address
 *   may sign in only to accounts that have signed in from it lately (a council's shared NAT: the
 *   colleagues get in, the guesser cannot go on to other accounts).
 * Refused attempts are audited but not counted: counting them would let refusals extend the wait.
 */
export const THROTTLE = {
  windowMinutes: 15,
  slowAfter: 3,
  refuseAfter: 10,
  underAttackAfter: 10,
  refuseAfterUnderAttack: 3,
  refuseAfterForAddress: 50,
  /** An account "has signed in from" an address when it did so within this many days. */
  knownAddressDays: 90,
  maxDelayMs: 5_000,
};

// Verified against when the email is unknown, so the answer takes as long as for a real account.
const decoyHash = hashPassword("decoy-password-for-unknown-accounts");

export type SignInResult =
  | { ok: true; token: string; user: { id: number; language: "en" | "cy" } }
  /** The right password, for an account with a second factor: no session yet, a challenge for the code. */
  | { ok: "secondFactor"; challenge: string }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterMinutes: number };

/** The first keys of the advisory locks sign-ins take on an account, then on a network address. */
const SIGN_IN_LOCK = 41_712;
const SIGN_IN_ADDRESS_LOCK = 41_713;

async function recentFailures(db: Transaction<Database>, email: string, address: string, now: Date) {
  const since = new Date(now.getTime() - THROTTLE.windowMinutes * 60_000);
  const knownSince = new Date(now.getTime() - THROTTLE.knownAddressDays * 86_400_000);
  const row = await db
    .selectFrom("sign_in_attempt")
    .select([
      sql<number>`count(*) filter (where email = ${email} and address = ${address})`.as("forEmailFromAddress"),
      sql<number>`count(*) filter (where email = ${email})`.as("forEmail"),
      sql<number>`count(*) filter (where address = ${address})`.as("fromAddress"),
      sql<boolean>`exists (select from sign_in_attempt s where s.email = ${email} and s.address = ${address}
        and s.succeeded and s.at > ${knownSince})`.as("knownAddress"),
    ])
    .where("succeeded", "=", false)
    .where("at", ">", since)
    .where((eb) => eb.or([eb("email", "=", email), eb("address", "=", address)]))
    .executeTakeFirstOrThrow();
  return {
    forEmailFromAddress: Number(row.forEmailFromAddress),
    forEmail: Number(row.forEmail),
    fromAddress: Number(row.fromAddress),
    knownAddress: Boolean(row.knownAddress),
  };
}

type Failures = Awaited<ReturnType<typeof recentFailures>>;

/** Why an attempt is refused without its password being looked at, or null when it is checked. */
function refusal(f: Failures) {
  if (f.forEmailFromAddress >= THROTTLE.refuseAfter) return "account_from_address" as const;
  if (!f.knownAddress && f.forEmail >= THROTTLE.underAttackAfter && f.forEmailFromAddress >= THROTTLE.refuseAfterUnderAttack)
    return "account_under_attack" as const;
  if (!f.knownAddress && f.fromAddress >= THROTTLE.refuseAfterForAddress) return "address" as const;
  return null;
}

export function delayFor(failures: number) {
  if (failures < THROTTLE.slowAfter) return 0;
  return Math.min(250 * 2 ** (failures - THROTTLE.slowAfter), THROTTLE.maxDelayMs);
}

/**
 * Checks the password and opens a session. Says nothing about whether the account exists: an
 * unknown email, a wrong password and a deactivated account all get "invalid".
 */
export async function signIn(
  db: Kysely<Database>,
  {
    email: typedEmail,
    password,
    address,
    userAgent = null,
    now = new Date(),
    sleep = defaultSleep,
  }: {
    email: string;
    password: string;
    address: string;
    /** The browser's User-Agent, kept with the session so the person can recognise it. */
    userAgent?: string | null;
    now?: Date;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<SignInResult> {
  // No address is longer than 254 characters (RFC 5321). Anything longer is still counted and
  // recorded as a failure, by its first 254: an indexed column cannot hold a megabyte.
  const email = typedEmail.trim().toLowerCase().slice(0, 254);

  // The attempt is counted before the password is checked, as a failure until it proves otherwise,
  // and under a lock on the account: 50 guesses sent at once are counted one after another, so they
  // cost 50, and those beyond the limit are refused without their password being looked at. (Counting
  // after the check let 48 of 50 simultaneous guesses through, a correct one among them.)
  const counted = await db.transaction().execute(async (trx) => {
    // Always the account's lock first, then the address's: no two sign-ins wait for each other in a circle.
    await sql`select pg_advisory_xact_lock(${SIGN_IN_LOCK}, hashtext(${email}))`.execute(trx);
    await sql`select pg_advisory_xact_lock(${SIGN_IN_ADDRESS_LOCK}, hashtext(${address}))`.execute(trx);
    const failures = await recentFailures(trx, email, address, now);
    const refused = refusal(failures);
    if (refused) {
      await recordAudit(trx, {
        actorUserId: null,
        action: "session.sign_in_refused",
        entity: "app_user",
        entityKey: email,
        after: { address, because: refused, ...failures },
      });
      return { refused: true as const };
    }
    const attempt = await trx
      .insertInto("sign_in_attempt")
      .values({ email, address, succeeded: false, at: now })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { refused: false as const, attemptId: attempt.id, failures };
  });
  if (counted.refused) return { ok: false, reason: "throttled", retryAfterMinutes: THROTTLE.windowMinutes };
  await sleep(delayFor(counted.failures.forEmailFromAddress));

  const user = await db
    .selectFrom("app_user")
    .select(["id", "password_hash", "active", "authority_code", "language"])
    .where("email", "=", email)
    .executeTakeFirst();
  const valid = await verifyPassword(user?.password_hash ?? (await decoyHash), password);
  const succeeded = Boolean(user?.active && user.password_hash && valid);

  return db.transaction().execute(async (trx): Promise<SignInResult> => {
    if (succeeded) await trx.updateTable("sign_in_attempt").set({ succeeded: true }).where("id", "=", counted.attemptId).execute();
    const secondFactor = succeeded && (await hasTwoFactor(trx, user!.id));
    await recordAudit(trx, {
      actorUserId: succeeded ? user!.id : null,
      action: secondFactor ? "session.password_accepted" : succeeded ? "session.sign_in" : "session.sign_in_failed",
      entity: "app_user",
      entityKey: user?.id ?? email,
      authorityCode: user?.authority_code ?? null,
      after: { address },
    });
    if (!succeeded) return { ok: false as const, reason: "invalid" as const };
    if (secondFactor) return { ok: "secondFactor", challenge: await startChallenge(trx, user!.id, address, now) };
    await trx.updateTable("app_user").set({ last_signed_in_at: now }).where("id", "=", user!.id).execute();
    const token = await createSession(trx, user!.id, now, { address, userAgent });
    return { ok: true as const, token, user: { id: user!.id, language: user!.language } };
  });
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
