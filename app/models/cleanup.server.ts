/**
 * Removes the records kept only to throttle or to finish a sign-in, once no rule reads them: the
 * scheduled worker's hourly expiry job runs it. Each is kept a day past the longest window that
 * counts it, so a clock a little out between instances removes nothing still counted.
 */
import type { Executor } from "./audit.server.ts";
import { THROTTLE } from "./sign-in.server.ts";
import { RESET_THROTTLE } from "./account.server.ts";
import { TWO_FACTOR } from "./two-factor.server.ts";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export async function deleteExpiredSignInRecords(db: Executor, now = new Date()) {
  const before = (minutes: number) => new Date(now.getTime() - minutes * MINUTE - DAY);
  // A challenge's wrong codes count against its account for windowMinutes after it was made.
  const challenges = await db
    .deleteFrom("sign_in_challenge")
    .where("created_at", "<", before(Math.max(TWO_FACTOR.challengeMinutes, TWO_FACTOR.windowMinutes)))
    .executeTakeFirst();
  const resetRequests = await db
    .deleteFrom("password_reset_request")
    .where("at", "<", before(RESET_THROTTLE.windowMinutes))
    .executeTakeFirst();
  // A failed sign-in counts for the throttle's window; a successful one makes its address known for knownAddressDays.
  const signInAttempts = await db
    .deleteFrom("sign_in_attempt")
    .where((eb) =>
      eb.or([
        eb.and([eb("succeeded", "=", false), eb("at", "<", before(THROTTLE.windowMinutes))]),
        eb("at", "<", before(THROTTLE.knownAddressDays * 24 * 60)),
      ]),
    )
    .executeTakeFirst();
  return {
    challenges: Number(challenges.numDeletedRows),
    resetRequests: Number(resetRequests.numDeletedRows),
    signInAttempts: Number(signInAttempts.numDeletedRows),
  };
}
