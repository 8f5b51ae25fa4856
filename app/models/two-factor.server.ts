/**
 * The second factor: an authenticator app's codes (TOTP, RFC 6238) and recovery codes. Set up by
 * the person, asked for at sign-in between the right password and a session, reset by an admin.
 * Decision record 016 says why each limit is what it is.
 */
import { createHash, randomBytes, randomInt } from "node:crypto";
import { getTOTPAuthUri, verifyTOTP } from "@epic-web/totp";
import { sql, type Kysely } from "kysely";
import type { Database } from "#db/types.ts";
import { revokeAccountApiTokens } from "./api-token.server.ts";
import { recordAudit, type Executor } from "./audit.server.ts";
import { createSession, hashToken, randomToken, revokeAllSessions } from "./session.server.ts";
import { mustHaveTwoFactor, type Person } from "#app/auth/policy.ts";
import { checkAccountReason } from "#app/schema/forms.ts";
import type { ReasonRefused } from "./account.server.ts";

export const TWO_FACTOR = {
  /** What every authenticator app supports: SHA-1, 6 digits, 30 seconds. */
  algorithm: "SHA-1",
  digits: 6,
  period: 30,
  /** A code of the step before or after the server's is accepted too (clocks drift). */
  window: 1,
  /** How long the step between the password and the code lasts. */
  challengeMinutes: 5,
  /** Wrong codes one sign-in may have before it must start again from the password. */
  failuresPerChallenge: 5,
  /** Wrong codes one account may have over the window, across sign-ins, before codes are refused. */
  failuresPerAccount: 10,
  windowMinutes: 15,
  recoveryCodes: 10,
  issuer: "Care experience data returns",
} as const;

/** The time step a code belongs to. */
export function stepAt(now: Date) {
  return Math.floor(now.getTime() / 1000 / TWO_FACTOR.period);
}

/** A base32 secret of 160 bits, as RFC 4226 recommends. */
export function newSecret() {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  return Array.from(randomBytes(32), (byte) => alphabet[byte % 32]).join("");
}

/** The step of a right code for this secret now (within the window), or null. */
async function stepOfCode(secret: string, code: string): Promise<number | null> {
  const otp = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(otp)) return null;
  // The library reads the clock itself and says how far from its step the code's is.
  const current = stepAt(new Date());
  const matched = await verifyTOTP({
    otp,
    secret,
    period: TWO_FACTOR.period,
    digits: TWO_FACTOR.digits,
    algorithm: TWO_FACTOR.algorithm,
    window: TWO_FACTOR.window,
  });
  return matched ? current + matched.delta : null;
}

/** Whether this account has a confirmed second factor. */
export async function hasTwoFactor(db: Executor, userId: number) {
  const row = await db
    .selectFrom("two_factor")
    .select("user_id")
    .where("user_id", "=", userId)
    .where("confirmed_at", "is not", null)
    .executeTakeFirst();
  return Boolean(row);
}

export interface SetUpState {
  confirmed: boolean;
  /** For a set-up not yet confirmed: the secret, its otpauth:// address and the QR code of it. */
  secret: string | null;
  uri: string | null;
  recoveryCodesLeft: number;
}

/**
 * Where this person's set-up stands. Someone without a confirmed second factor is given a secret
 * to add to their app, the same one each time they come back until they confirm it.
 */
export async function setUpState(db: Kysely<Database>, user: { id: number; email: string }): Promise<SetUpState> {
  await db
    .insertInto("two_factor")
    .values({ user_id: user.id, secret: newSecret() })
    .onConflict((oc) => oc.column("user_id").doNothing())
    .execute();
  const row = await db.selectFrom("two_factor").select(["secret", "confirmed_at"]).where("user_id", "=", user.id).executeTakeFirstOrThrow();
  if (row.confirmed_at) {
    const left = await db
      .selectFrom("recovery_code")
      .select(sql<number>`count(*)`.as("n"))
      .where("user_id", "=", user.id)
      .where("used_at", "is", null)
      .executeTakeFirstOrThrow();
    return { confirmed: true, secret: null, uri: null, recoveryCodesLeft: Number(left.n) };
  }
  const uri = getTOTPAuthUri({
    secret: row.secret,
    period: TWO_FACTOR.period,
    digits: TWO_FACTOR.digits,
    algorithm: TWO_FACTOR.algorithm,
    accountName: user.email,
    issuer: TWO_FACTOR.issuer,
  });
  return { confirmed: false, secret: row.secret, uri, recoveryCodesLeft: 0 };
}

const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** Three groups of four from 31 characters (no 0/o, 1/l/i): about 59 bits. */
function newRecoveryCode() {
  const chars = Array.from({ length: 12 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join("");
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

function normaliseRecoveryCode(code: string) {
  return code.toLowerCase().replace(/[^a-z0-9]/g, "");
}

function hashRecoveryCode(code: string) {
  return createHash("sha256").update(normaliseRecoveryCode(code)).digest("hex");
}

export type ConfirmResult = { ok: true; recoveryCodes: string[] } | { ok: false; reason: "invalid" | "alreadySetUp" };

/**
 * Confirms a set-up with a code from the app: from now on the account's sign-ins ask for one.
 * Makes the recovery codes (returned once, kept hashed) and audits it, in one transaction.
 */
export async function confirmSetUp(
  db: Kysely<Database>,
  user: { id: number; authorityCode: string | null },
  code: string,
  now = new Date(),
): Promise<ConfirmResult> {
  return db.transaction().execute(async (trx): Promise<ConfirmResult> => {
    const row = await trx
      .selectFrom("two_factor")
      .select(["secret", "confirmed_at"])
      .where("user_id", "=", user.id)
      .forUpdate()
      .executeTakeFirst();
    if (row?.confirmed_at) return { ok: false, reason: "alreadySetUp" };
    const step = row ? await stepOfCode(row.secret, code) : null;
    if (!row || step === null) {
      await recordAudit(trx, {
        actorUserId: user.id,
        action: "two_factor.set_up_code_wrong",
        entity: "app_user",
        entityKey: user.id,
        authorityCode: user.authorityCode,
      });
      return { ok: false, reason: "invalid" };
    }
    await trx.updateTable("two_factor").set({ confirmed_at: now, last_used_step: step }).where("user_id", "=", user.id).execute();
    const recoveryCodes = Array.from({ length: TWO_FACTOR.recoveryCodes }, newRecoveryCode);
    await trx.deleteFrom("recovery_code").where("user_id", "=", user.id).execute();
    await trx
      .insertInto("recovery_code")
      .values(recoveryCodes.map((c) => ({ user_id: user.id, code_hash: hashRecoveryCode(c), created_at: now })))
      .execute();
    await recordAudit(trx, {
      actorUserId: user.id,
      action: "two_factor.set_up",
      entity: "app_user",
      entityKey: user.id,
      authorityCode: user.authorityCode,
      after: { recovery_codes: recoveryCodes.length },
    });
    return { ok: true, recoveryCodes };
  });
}

/** Opens the step between a right password and a session; the token goes in the browser's cookie. */
export async function startChallenge(db: Executor, userId: number, address: string, now = new Date()) {
  const token = randomToken();
  await db
    .insertInto("sign_in_challenge")
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      address,
      created_at: now,
      expires_at: new Date(now.getTime() + TWO_FACTOR.challengeMinutes * 60_000),
    })
    .execute();
  return token;
}

/** A challenge that can still be answered: unused, unexpired, under its limit of wrong codes, for an active account. */
export async function findChallenge(db: Executor, token: string, now = new Date()) {
  if (!token) return null;
  return (
    (await db
      .selectFrom("sign_in_challenge as c")
      .innerJoin("app_user as u", "u.id", "c.user_id")
      .select(["c.id", "c.user_id as userId", "u.language"])
      .where("c.token_hash", "=", hashToken(token))
      .where("c.used_at", "is", null)
      .where("c.expires_at", ">", now)
      .where("c.failures", "<", TWO_FACTOR.failuresPerChallenge)
      .where("u.active", "=", true)
      .executeTakeFirst()) ?? null
  );
}

export type ChallengeResult =
  | { ok: true; token: string; user: { id: number; language: "en" | "cy" } }
  | { ok: false; reason: "invalid" | "throttled" }
  /** Gone: used, expired, too many wrong codes, or never was. The person starts again from the password. */
  | { ok: false; reason: "expired" };

/**
 * Answers a sign-in's challenge with an authenticator code or a recovery code. Under a lock on the
 * account's second factor, so that guesses sent at once are counted one after another; wrong codes
 * are counted on the challenge (5 and it is gone) and across the account's challenges (10 in 15
 * minutes and codes are refused). A right code opens the session and closes the challenge, in one
 * transaction; an authenticator code's step is kept so that the same code cannot be used again.
 */
export async function answerChallenge(
  db: Kysely<Database>,
  token: string,
  answer: { kind: "code" | "recoveryCode"; value: string },
  { address, userAgent = null, now = new Date() }: { address: string; userAgent?: string | null; now?: Date },
): Promise<ChallengeResult> {
  return db.transaction().execute(async (trx): Promise<ChallengeResult> => {
    const found = await findChallenge(trx, token, now);
    if (!found) return { ok: false, reason: "expired" };
    const factor = await trx
      .selectFrom("two_factor as f")
      .innerJoin("app_user as u", "u.id", "f.user_id")
      .select(["f.secret", "f.last_used_step", "u.authority_code", "u.language"])
      .where("f.user_id", "=", found.userId)
      .where("f.confirmed_at", "is not", null)
      .forUpdate(["f"])
      .executeTakeFirst();
    // Reset by an admin since the password was given: nothing to check the code against.
    if (!factor) return { ok: false, reason: "expired" };
    // Read again under the lock: a guess answered meanwhile may have used it up.
    const challenge = await findChallenge(trx, token, now);
    if (!challenge) return { ok: false, reason: "expired" };
    const audit = { entity: "app_user", entityKey: challenge.userId, authorityCode: factor.authority_code };

    const since = new Date(now.getTime() - TWO_FACTOR.windowMinutes * 60_000);
    const recent = await trx
      .selectFrom("sign_in_challenge")
      .select(sql<number>`coalesce(sum(failures), 0)`.as("failures"))
      .where("user_id", "=", challenge.userId)
      .where("created_at", ">", since)
      .executeTakeFirstOrThrow();
    if (Number(recent.failures) >= TWO_FACTOR.failuresPerAccount) {
      await recordAudit(trx, { ...audit, actorUserId: null, action: "two_factor.code_refused", after: { address } });
      return { ok: false, reason: "throttled" };
    }

    let accepted: { via: "code"; step: number } | { via: "recoveryCode"; id: number } | null = null;
    if (answer.kind === "code") {
      const step = await stepOfCode(factor.secret, answer.value);
      const replayed = step !== null && factor.last_used_step !== null && step <= factor.last_used_step;
      if (step !== null && !replayed) accepted = { via: "code", step };
    } else if (normaliseRecoveryCode(answer.value).length > 0) {
      // The update is the check: of two uses of one code at the same moment, only one finds it unused.
      const used = await trx
        .updateTable("recovery_code")
        .set({ used_at: now })
        .where("user_id", "=", challenge.userId)
        .where("code_hash", "=", hashRecoveryCode(answer.value))
        .where("used_at", "is", null)
        .returning("id")
        .executeTakeFirst();
      if (used) accepted = { via: "recoveryCode", id: used.id };
    }

    if (!accepted) {
      await trx
        .updateTable("sign_in_challenge")
        .set((eb) => ({ failures: eb("failures", "+", 1) }))
        .where("id", "=", challenge.id)
        .execute();
      await recordAudit(trx, { ...audit, actorUserId: null, action: "two_factor.code_wrong", after: { address, kind: answer.kind } });
      return { ok: false, reason: "invalid" };
    }

    await trx.updateTable("sign_in_challenge").set({ used_at: now }).where("id", "=", challenge.id).execute();
    if (accepted.via === "code") {
      await trx.updateTable("two_factor").set({ last_used_step: accepted.step }).where("user_id", "=", challenge.userId).execute();
    }
    await trx.updateTable("app_user").set({ last_signed_in_at: now }).where("id", "=", challenge.userId).execute();
    const sessionToken = await createSession(trx, challenge.userId, now, { address, userAgent });
    await recordAudit(trx, {
      ...audit,
      actorUserId: challenge.userId,
      action: "session.sign_in",
      after: { address, second_factor: accepted.via === "code" ? "totp" : "recovery_code" },
    });
    return { ok: true, token: sessionToken, user: { id: challenge.userId, language: factor.language } };
  });
}

export type ResetResult = { ok: true; tokensRevoked: number } | { ok: false; reason: "notFound" | "notSetUp" | "self" } | ReasonRefused;

/**
 * An admin takes away another person's second factor (a lost phone): the secret, the recovery
 * codes, any sign-in waiting for a code and every session go, with the reason audited. A
 * coordinator or admin must set it up again at their next sign-in.
 */
export async function resetTwoFactor(
  db: Kysely<Database>,
  userId: number,
  actor: { userId: number; isAdmin: boolean },
  reason: string,
  now = new Date(),
): Promise<ResetResult> {
  if (!actor.isAdmin) throw new Error(`User ${actor.userId} is not an admin and may not reset a second factor`);
  if (userId === actor.userId) return { ok: false, reason: "self" };
  const checked = checkAccountReason(reason);
  if (!checked.ok) return { ok: false, reason: "reason", error: checked.error };
  const why = checked.reason;
  return db.transaction().execute(async (trx): Promise<ResetResult> => {
    const user = await trx.selectFrom("app_user").select(["id", "authority_code"]).where("id", "=", userId).forUpdate().executeTakeFirst();
    if (!user) return { ok: false, reason: "notFound" };
    const removed = await trx.deleteFrom("two_factor").where("user_id", "=", userId).returning("confirmed_at").executeTakeFirst();
    if (!removed?.confirmed_at) return { ok: false, reason: "notSetUp" };
    const codes = await trx.deleteFrom("recovery_code").where("user_id", "=", userId).executeTakeFirst();
    await trx.updateTable("sign_in_challenge").set({ used_at: now }).where("user_id", "=", userId).where("used_at", "is", null).execute();
    await revokeAllSessions(trx, userId);
    // Whoever held the lost phone may have signed in and made a token, for themselves or, on an
    // admin's account, for an officer: it goes with the factor.
    const tokensRevoked = await revokeAccountApiTokens(trx, userId, {
      actorUserId: actor.userId,
      why: "two-factor reset",
      madeForOthers: true,
      now,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: "two_factor.reset",
      entity: "app_user",
      entityKey: userId,
      authorityCode: user.authority_code,
      before: { two_factor: true, recovery_codes: Number(codes.numDeletedRows) },
      after: { two_factor: false },
      reason: why,
    });
    return { ok: true, tokensRevoked };
  });
}

export type TurnOffResult = { ok: true } | { ok: false; reason: "required" | "notSetUp" | "invalid" | "throttled" };

/**
 * An officer or analyst who chose a second factor turns it off, proving it is them with a current
 * code from the app (a stolen session alone cannot). Wrong codes are audited and counted: 10 in
 * 15 minutes and codes are refused, as at sign-in. The secret, the recovery codes and any sign-in
 * waiting for a code go; coordinators and admins must keep theirs.
 */
export async function turnOffTwoFactor(
  db: Kysely<Database>,
  user: Person & { id: number },
  code: string,
  now = new Date(),
): Promise<TurnOffResult> {
  if (mustHaveTwoFactor(user)) return { ok: false, reason: "required" };
  return db.transaction().execute(async (trx): Promise<TurnOffResult> => {
    const factor = await trx
      .selectFrom("two_factor")
      .select(["secret", "last_used_step"])
      .where("user_id", "=", user.id)
      .where("confirmed_at", "is not", null)
      .forUpdate()
      .executeTakeFirst();
    if (!factor) return { ok: false, reason: "notSetUp" };
    const audit = { actorUserId: user.id, entity: "app_user", entityKey: user.id, authorityCode: user.authorityCode };
    const since = new Date(now.getTime() - TWO_FACTOR.windowMinutes * 60_000);
    const wrong = await trx
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("action", "=", "two_factor.turn_off_code_wrong")
      .where("entity_key", "=", String(user.id))
      .where("at", ">", since)
      .executeTakeFirstOrThrow();
    if (Number(wrong.n) >= TWO_FACTOR.failuresPerAccount) {
      await recordAudit(trx, { ...audit, action: "two_factor.code_refused", after: { turning_off: true } });
      return { ok: false, reason: "throttled" };
    }
    const step = await stepOfCode(factor.secret, code);
    if (step === null || (factor.last_used_step !== null && step <= factor.last_used_step)) {
      await recordAudit(trx, { ...audit, action: "two_factor.turn_off_code_wrong" });
      return { ok: false, reason: "invalid" };
    }
    await trx.deleteFrom("two_factor").where("user_id", "=", user.id).execute();
    const codes = await trx.deleteFrom("recovery_code").where("user_id", "=", user.id).executeTakeFirst();
    await trx.updateTable("sign_in_challenge").set({ used_at: now }).where("user_id", "=", user.id).where("used_at", "is", null).execute();
    await recordAudit(trx, {
      ...audit,
      action: "two_factor.turn_off",
      before: { two_factor: true, recovery_codes: Number(codes.numDeletedRows) },
      after: { two_factor: false },
    });
    return { ok: true };
  });
}
