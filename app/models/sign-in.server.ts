import { sql } from "kysely";
import type { Database } from "#db/types.ts";
import type { Kysely, Transaction } from "kysely";
import { hashPassword, verifyPassword } from "#app/auth/password.server.ts";
import { recordAudit } from "./audit.server.ts";
import { createSession } from "./session.server.ts";

/** Failed sign-ins are counted over this window, per email address and per network address. */
export const THROTTLE = {
  windowMinutes: 15,
  /** From this many failures for one email, each further attempt waits a little longer. */
  slowAfter: 3,
  /** At this many failures for one email, sign-in is refused until the window has passed. */
  refuseAfterForEmail: 10,
  /** At this many failures from one network address (any emails), likewise. */
  refuseAfterForAddress: 50,
  maxDelayMs: 5_000,
};

// Verified against when the email is unknown, so the answer takes as long as for a real account.
const decoyHash = hashPassword("decoy-password-for-unknown-accounts");

export type SignInResult =
  | { ok: true; token: string; user: { id: number; language: "en" | "cy" } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterMinutes: number };

/** The first key of the advisory lock sign-ins take on an account (the second is the address's hash). */
const SIGN_IN_LOCK = 41_712;

async function recentFailures(db: Kysely<Database> | Transaction<Database>, email: string, address: string, now: Date) {
  const since = new Date(now.getTime() - THROTTLE.windowMinutes * 60_000);
  const row = await db
    .selectFrom("sign_in_attempt")
    .select([
      sql<number>`count(*) filter (where email = ${email})`.as("forEmail"),
      sql<number>`count(*) filter (where address = ${address})`.as("forAddress"),
    ])
    .where("succeeded", "=", false)
    .where("at", ">", since)
    .where((eb) => eb.or([eb("email", "=", email), eb("address", "=", address)]))
    .executeTakeFirstOrThrow();
  return { forEmail: Number(row.forEmail), forAddress: Number(row.forAddress) };
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
    now = new Date(),
    sleep = defaultSleep,
  }: {
    email: string;
    password: string;
    address: string;
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
    await sql`select pg_advisory_xact_lock(${SIGN_IN_LOCK}, hashtext(${email}))`.execute(trx);
    const failures = await recentFailures(trx, email, address, now);
    if (failures.forEmail >= THROTTLE.refuseAfterForEmail || failures.forAddress >= THROTTLE.refuseAfterForAddress) {
      // Refused attempts are audited, but not counted as failures: counting them would let ten
      // requests every window keep the account's owner out for good.
      await recordAudit(trx, {
        actorUserId: null,
        action: "session.sign_in_refused",
        entity: "app_user",
        entityKey: email,
        after: { address, failuresForEmail: failures.forEmail, failuresFromAddress: failures.forAddress },
        at: now,
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
  await sleep(delayFor(counted.failures.forEmail));

  const user = await db
    .selectFrom("app_user")
    .select(["id", "password_hash", "active", "authority_code", "language"])
    .where("email", "=", email)
    .executeTakeFirst();
  const valid = await verifyPassword(user?.password_hash ?? (await decoyHash), password);
  const succeeded = Boolean(user?.active && user.password_hash && valid);

  return db.transaction().execute(async (trx) => {
    if (succeeded) await trx.updateTable("sign_in_attempt").set({ succeeded: true }).where("id", "=", counted.attemptId).execute();
    await recordAudit(trx, {
      actorUserId: succeeded ? user!.id : null,
      action: succeeded ? "session.sign_in" : "session.sign_in_failed",
      entity: "app_user",
      entityKey: user?.id ?? email,
      authorityCode: user?.authority_code ?? null,
      after: { address },
      at: now,
    });
    if (!succeeded) return { ok: false as const, reason: "invalid" as const };
    const token = await createSession(trx, user!.id, now);
    return { ok: true as const, token, user: { id: user!.id, language: user!.language } };
  });
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
