import { sql } from "kysely";
import type { Database } from "#db/types.ts";
import type { Kysely } from "kysely";
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

async function recentFailures(db: Kysely<Database>, email: string, address: string, now: Date) {
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
  const failures = await recentFailures(db, email, address, now);
  if (failures.forEmail >= THROTTLE.refuseAfterForEmail || failures.forAddress >= THROTTLE.refuseAfterForAddress) {
    return { ok: false, reason: "throttled", retryAfterMinutes: THROTTLE.windowMinutes };
  }
  await sleep(delayFor(failures.forEmail));

  const user = await db
    .selectFrom("app_user")
    .select(["id", "password_hash", "active", "authority_code", "language"])
    .where("email", "=", email)
    .executeTakeFirst();
  const valid = await verifyPassword(user?.password_hash ?? (await decoyHash), password);
  const succeeded = Boolean(user?.active && user.password_hash && valid);

  return db.transaction().execute(async (trx) => {
    await trx.insertInto("sign_in_attempt").values({ email, address, succeeded, at: now }).execute();
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
