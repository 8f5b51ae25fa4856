/**
 * Accounts: who may sign in. Only an admin changes them; every change is audited in its own
 * transaction. An invited person has no password until they use their single-use link.
 */
import type { ExpressionBuilder, Kysely } from "kysely";
import { sql } from "kysely";
import type { Database, LinkPurpose } from "#db/types.ts";
import { checkAccountReason, fieldErrors, type INVITATION_FIELDS, InvitationSchema, type InvitationInput } from "#app/schema/forms.ts";
import type { MessageKey } from "#app/i18n/i18n.ts";
import { hashPassword } from "#app/auth/password.server.ts";
import { recordAudit, type Executor } from "./audit.server.ts";
import { queueEmail } from "./outbox.server.ts";
import { invitationEmail, passwordResetEmail } from "#app/email/emails.ts";
import { hashToken, PERSON_COLUMNS, randomToken, revokeAllSessions } from "./session.server.ts";
import { revokeAccountApiTokens } from "./api-token.server.ts";

export const INVITATION_DAYS = 7;
export const PASSWORD_RESET_MINUTES = 60;
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/** Who is changing an account: only an admin may. */
export interface AccountActor {
  userId: number;
  isAdmin: boolean;
}

function assertAdmin(actor: AccountActor) {
  if (!actor.isAdmin) throw new Error(`User ${actor.userId} is not an admin and may not change accounts`);
}

/** Where an account stands, as the accounts page shows it. */
export type AccountState = "invited" | "invitationExpired" | "active" | "deactivated";

export function accountState(
  user: { active: boolean; hasPassword: boolean; invitationExpiresAt: Date | string | null },
  now = new Date(),
): AccountState {
  if (!user.active) return "deactivated";
  if (user.hasPassword) return "active";
  return user.invitationExpiresAt && new Date(user.invitationExpiresAt) > now ? "invited" : "invitationExpired";
}

/** Accounts, by name, or the one `userId` names, with their state and the last change to it. */
function usersQuery(db: Executor) {
  return db
    .selectFrom("app_user as u")
    .leftJoin("authority as a", "a.code", "u.authority_code")
    .leftJoin("app_user as changer", "changer.id", "u.active_changed_by")
    .select([
      ...PERSON_COLUMNS,
      "a.name_en as authority_en",
      "a.name_cy as authority_cy",
      "u.active",
      "u.created_at as createdAt",
      "u.last_signed_in_at as lastSignedInAt",
      "u.active_changed_at as activeChangedAt",
      "changer.name as activeChangedBy",
      "u.active_change_reason as activeChangeReason",
      "u.active_change_reason_lang as activeChangeReasonLang",
      (eb) => eb("u.password_hash", "is not", null).as("hasPassword"),
      (eb) =>
        eb
          .exists(
            eb.selectFrom("two_factor as f").select("f.user_id").whereRef("f.user_id", "=", "u.id").where("f.confirmed_at", "is not", null),
          )
          .as("hasTwoFactor"),
      // The invitation still waiting to be used, if any: its expiry says "invited" or "expired".
      (eb) =>
        eb
          .selectFrom("invitation as i")
          .select((inner) => inner.fn.max("i.expires_at").as("expires"))
          .whereRef("i.user_id", "=", "u.id")
          .where("i.purpose", "=", "invitation")
          .where("i.used_at", "is", null)
          .where("i.revoked_at", "is", null)
          .as("invitationExpiresAt"),
      (eb) =>
        eb
          .selectFrom("session as s")
          .select((inner) => inner.fn.countAll<number>().as("n"))
          .whereRef("s.user_id", "=", "u.id")
          .where("s.revoked_at", "is", null)
          .where("s.expires_at", ">", sql<Date>`now()`)
          .as("liveSessions"),
    ])
    .orderBy("u.name")
    .orderBy("u.email");
}

function withState<
  R extends { active: boolean; hasPassword: unknown; hasTwoFactor: unknown; invitationExpiresAt: unknown; liveSessions: unknown },
>(row: R, now: Date) {
  const hasPassword = Boolean(row.hasPassword);
  const invitationExpiresAt = (row.invitationExpiresAt as Date | string | null) ?? null;
  return {
    ...row,
    hasPassword,
    hasTwoFactor: Boolean(row.hasTwoFactor),
    invitationExpiresAt,
    liveSessions: Number(row.liveSessions ?? 0),
    state: accountState({ active: row.active, hasPassword, invitationExpiresAt }, now),
  };
}

export async function listUsers(db: Executor, now = new Date()) {
  const rows = await usersQuery(db).execute();
  return rows.map((row) => withState(row, now));
}

/** One account as the accounts page shows it, or null. */
export async function accountDetails(db: Executor, userId: number, now = new Date()) {
  if (!Number.isSafeInteger(userId) || userId <= 0) return null;
  const row = await usersQuery(db).where("u.id", "=", userId).executeTakeFirst();
  return row ? withState(row, now) : null;
}

export type UserSummary = Awaited<ReturnType<typeof listUsers>>[number];

export async function findUser(db: Executor, userId: number) {
  if (!Number.isSafeInteger(userId) || userId <= 0) return null;
  return (
    (await db
      .selectFrom("app_user")
      .select(["id", "email", "name", "role", "authority_code as authorityCode", "active"])
      .where("id", "=", userId)
      .executeTakeFirst()) ?? null
  );
}

export type InviteField = (typeof INVITATION_FIELDS)[number];
export type InviteErrors = Partial<Record<InviteField, MessageKey>>;

export type InviteResult =
  | { ok: true; userId: number; token: string; email: string }
  | { ok: false; errors: InviteErrors; email: string; invitedUserId?: number };

/**
 * Creates the account (with no password), its invitation and the email carrying the link, in one
 * transaction. Refuses, changing nothing, anything that is not a valid new account.
 */
export async function inviteUser(
  db: Kysely<Database>,
  input: InvitationInput,
  actor: AccountActor,
  { baseUrl, now = new Date() }: { baseUrl: string; now?: Date },
): Promise<InviteResult> {
  assertAdmin(actor);
  const parsed = InvitationSchema.safeParse({ ...input, authorityCode: input.authorityCode ?? "" });
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error), email: input.email.trim().toLowerCase() };
  const { email, name, role, authorityCode, language } = parsed.data;

  return db.transaction().execute(async (trx): Promise<InviteResult> => {
    if (authorityCode) {
      const authority = await trx.selectFrom("authority").select("code").where("code", "=", authorityCode).executeTakeFirst();
      if (!authority) return { ok: false, errors: { authorityCode: "account.error.authorityMissing" }, email };
    }
    // On conflict, nothing: two admins inviting the same address at once get one account and one refusal.
    const created = await trx
      .insertInto("app_user")
      .values({ email, name, role, authority_code: authorityCode, language, password_hash: null })
      .onConflict((oc) => oc.column("email").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!created) {
      // Someone invited who never set a password is sent their invitation again from their page.
      const existing = await trx.selectFrom("app_user").select(["id", "password_hash"]).where("email", "=", email).executeTakeFirst();
      if (existing && existing.password_hash === null) {
        return { ok: false, errors: { email: "account.error.emailInvited" }, email, invitedUserId: existing.id };
      }
      return { ok: false, errors: { email: "account.error.emailTaken" }, email };
    }

    const { token, expiresAt } = await sendInvitation(trx, { userId: created.id, email, name, authorityCode }, actor, { baseUrl, now });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: "account.invite",
      entity: "app_user",
      entityKey: created.id,
      authorityCode,
      after: { email, name, role, authority_code: authorityCode, language, invitation_expires_at: expiresAt.toISOString() },
    });
    return { ok: true, userId: created.id, token, email };
  });
}

/** A new single-use link for the account; any earlier unused one of the same purpose stops working. */
async function newPasswordLink(
  trx: Executor,
  {
    userId,
    purpose,
    createdBy,
    now,
    expiresAt,
  }: { userId: number; purpose: LinkPurpose; createdBy: number | null; now: Date; expiresAt: Date },
) {
  await trx
    .updateTable("invitation")
    .set({ revoked_at: now })
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .where("revoked_at", "is", null)
    .execute();
  const token = randomToken();
  await trx
    .insertInto("invitation")
    .values({ user_id: userId, purpose, token_hash: hashToken(token), created_by: createdBy, created_at: now, expires_at: expiresAt })
    .execute();
  return token;
}

const setPasswordLink = (baseUrl: string, token: string) => `${baseUrl.replace(/\/+$/, "")}/set-password/${token}`;

async function sendInvitation(
  trx: Executor,
  user: { userId: number; email: string; name: string; authorityCode: string | null },
  actor: AccountActor,
  { baseUrl, now }: { baseUrl: string; now: Date },
) {
  const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 86_400_000);
  const token = await newPasswordLink(trx, { userId: user.userId, purpose: "invitation", createdBy: actor.userId, now, expiresAt });
  const link = setPasswordLink(baseUrl, token);
  await queueEmail(trx, {
    kind: "invitation",
    to: user.email,
    ...invitationEmail({ name: user.name, link, expiresAt }),
    authorityCode: user.authorityCode,
    createdAt: now,
  });
  return { token, expiresAt };
}

export type ResendResult = { ok: true; token: string } | { ok: false; reason: "notFound" | "notInvited" };

/**
 * Sends an invitation again, expired or not, to an active account with no password yet: a new
 * link, valid for INVITATION_DAYS; the old one stops working. Audited.
 */
export async function resendInvitation(
  db: Kysely<Database>,
  userId: number,
  actor: AccountActor,
  { baseUrl, now = new Date() }: { baseUrl: string; now?: Date },
): Promise<ResendResult> {
  assertAdmin(actor);
  if (!Number.isSafeInteger(userId) || userId <= 0) return { ok: false, reason: "notFound" };
  return db.transaction().execute(async (trx): Promise<ResendResult> => {
    const user = await trx
      .selectFrom("app_user")
      .select(["id", "email", "name", "authority_code", "active", "password_hash"])
      .where("id", "=", userId)
      .forUpdate()
      .executeTakeFirst();
    if (!user) return { ok: false, reason: "notFound" };
    if (!user.active || user.password_hash !== null) return { ok: false, reason: "notInvited" };
    const { token, expiresAt } = await sendInvitation(
      trx,
      { userId, email: user.email, name: user.name, authorityCode: user.authority_code },
      actor,
      { baseUrl, now },
    );
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: "account.resend_invitation",
      entity: "app_user",
      entityKey: userId,
      authorityCode: user.authority_code,
      after: { invitation_expires_at: expiresAt.toISOString() },
    });
    return { ok: true, token };
  });
}

/** An account, locked until the transaction ends: whether it may sign in is decided by one admin at a time. */
function lockAccount(trx: Executor, userId: number) {
  return trx.selectFrom("app_user").select(["id", "active", "authority_code"]).where("id", "=", userId).forUpdate().executeTakeFirst();
}

/** The language the admin writes in: theirs on the portal, as their reason is kept with it. */
function writtenInBy(eb: ExpressionBuilder<Database, "app_user">, actor: AccountActor) {
  return eb.selectFrom("app_user as author").select("author.language").where("author.id", "=", actor.userId);
}

/** The admin's reason was missing or too long: `error` says which, as the form shows it. */
export type ReasonRefused = { ok: false; reason: "reason"; error: MessageKey };

export type DeactivateResult =
  | { ok: true; tokensRevoked: number }
  | { ok: false; reason: "notFound" | "alreadyInactive" | "self" }
  | ReasonRefused;

/**
 * Stops the account signing in, ends its sessions at once, everywhere, and revokes its API tokens,
 * with the admin's reason, kept on the account (the accounts page shows it) and in the audit log.
 */
export async function deactivateUser(
  db: Kysely<Database>,
  userId: number,
  typedReason: string,
  actor: AccountActor,
  now = new Date(),
): Promise<DeactivateResult> {
  assertAdmin(actor);
  // An admin who locked themselves out could leave nobody able to manage accounts.
  if (userId === actor.userId) return { ok: false, reason: "self" };
  const why = checkAccountReason(typedReason);
  if (!why.ok) return { ok: false, reason: "reason", error: why.error };
  if (!Number.isSafeInteger(userId) || userId <= 0) return { ok: false, reason: "notFound" };
  return db.transaction().execute(async (trx): Promise<DeactivateResult> => {
    const user = await lockAccount(trx, userId);
    if (!user) return { ok: false, reason: "notFound" };
    if (!user.active) return { ok: false, reason: "alreadyInactive" };
    await trx
      .updateTable("app_user")
      .set((eb) => ({
        active: false,
        active_changed_at: now,
        active_changed_by: actor.userId,
        active_change_reason: why.reason,
        active_change_reason_lang: writtenInBy(eb, actor),
      }))
      .where("id", "=", userId)
      .execute();
    await revokeAllSessions(trx, userId);
    // Revoked, not merely refused while inactive: reactivating the account must not bring them back.
    const tokensRevoked = await revokeAccountApiTokens(trx, userId, {
      actorUserId: actor.userId,
      why: "account deactivated",
      madeForOthers: true,
      now,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: "account.deactivate",
      entity: "app_user",
      entityKey: userId,
      authorityCode: user.authority_code,
      before: { active: true },
      after: { active: false, api_tokens_revoked: tokensRevoked },
      reason: why.reason,
    });
    return { ok: true, tokensRevoked };
  });
}

export type ReactivateResult = { ok: true } | { ok: false; reason: "notFound" | "alreadyActive" } | ReasonRefused;

/**
 * Lets a deactivated account sign in again, with the admin's reason, audited. Its sessions stay
 * ended and its API tokens revoked: any still live (an account deactivated before deactivating
 * revoked them) are revoked now, so that no token comes back with the account.
 */
export async function reactivateUser(
  db: Kysely<Database>,
  userId: number,
  typedReason: string,
  actor: AccountActor,
  now = new Date(),
): Promise<ReactivateResult> {
  assertAdmin(actor);
  const why = checkAccountReason(typedReason);
  if (!why.ok) return { ok: false, reason: "reason", error: why.error };
  const reason = why.reason;
  if (!Number.isSafeInteger(userId) || userId <= 0) return { ok: false, reason: "notFound" };
  return db.transaction().execute(async (trx): Promise<ReactivateResult> => {
    const user = await lockAccount(trx, userId);
    if (!user) return { ok: false, reason: "notFound" };
    if (user.active) return { ok: false, reason: "alreadyActive" };
    await trx
      .updateTable("app_user")
      .set((eb) => ({
        active: true,
        active_changed_at: now,
        active_changed_by: actor.userId,
        active_change_reason: reason,
        active_change_reason_lang: writtenInBy(eb, actor),
      }))
      .where("id", "=", userId)
      .execute();
    await revokeAccountApiTokens(trx, userId, { actorUserId: actor.userId, why: "account reactivated", now });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: "account.reactivate",
      entity: "app_user",
      entityKey: userId,
      authorityCode: user.authority_code,
      before: { active: false },
      after: { active: true },
      reason,
    });
    return { ok: true };
  });
}

/** Forgotten-password requests are counted over this window, per email address typed and per network address. */
export const RESET_THROTTLE = {
  windowMinutes: 60,
  perEmail: 3,
  perAddress: 20,
};

/** The first keys of the advisory locks a request takes: on its network address, then on its email address. */
const RESET_ADDRESS_LOCK = 41_714;
const RESET_EMAIL_LOCK = 41_713;

export type ResetOutcome = "sent" | "invitee" | "none" | "throttled";

/**
 * A forgotten-password request. The person is told the same whatever happens here; what happens
 * is: an active account with a password gets a single-use link, valid PASSWORD_RESET_MINUTES, in
 * its language (an earlier unused one stops working); an invitee is pointed to their invitation;
 * an unknown or deactivated address gets nothing. Counted before anything else, under locks on the
 * network address and the email address (in that order, always), so simultaneous requests are
 * counted one after another; beyond the limits nothing is sent, and the refusal is audited.
 */
export async function requestPasswordReset(
  db: Kysely<Database>,
  { email: typedEmail, address, baseUrl, now = new Date() }: { email: string; address: string; baseUrl: string; now?: Date },
): Promise<ResetOutcome> {
  const email = typedEmail.trim().toLowerCase().slice(0, 254);
  return db.transaction().execute(async (trx): Promise<ResetOutcome> => {
    await sql`select pg_advisory_xact_lock(${RESET_ADDRESS_LOCK}, hashtext(${address}))`.execute(trx);
    await sql`select pg_advisory_xact_lock(${RESET_EMAIL_LOCK}, hashtext(${email}))`.execute(trx);
    const since = new Date(now.getTime() - RESET_THROTTLE.windowMinutes * 60_000);
    const counted = await trx
      .selectFrom("password_reset_request")
      .select([
        sql<number>`count(*) filter (where email = ${email})`.as("forEmail"),
        sql<number>`count(*) filter (where address = ${address})`.as("forAddress"),
      ])
      .where("at", ">", since)
      .where((eb) => eb.or([eb("email", "=", email), eb("address", "=", address)]))
      .executeTakeFirstOrThrow();
    const forEmail = Number(counted.forEmail);
    const forAddress = Number(counted.forAddress);
    if (forEmail >= RESET_THROTTLE.perEmail || forAddress >= RESET_THROTTLE.perAddress) {
      await recordAudit(trx, {
        actorUserId: null,
        action: "account.password_reset_refused",
        entity: "app_user",
        entityKey: email,
        after: { address, requestsForEmail: forEmail, requestsFromAddress: forAddress },
      });
      return "throttled";
    }
    await trx.insertInto("password_reset_request").values({ email, address, at: now }).execute();

    const user = await trx
      .selectFrom("app_user")
      .select(["id", "name", "language", "active", "authority_code", "password_hash"])
      .where("email", "=", email)
      .executeTakeFirst();
    const outcome: ResetOutcome = !user?.active ? "none" : user.password_hash === null ? "invitee" : "sent";
    if (user && outcome !== "none") {
      const expiresAt = new Date(now.getTime() + PASSWORD_RESET_MINUTES * 60_000);
      const link =
        outcome === "sent"
          ? setPasswordLink(
              baseUrl,
              await newPasswordLink(trx, { userId: user.id, purpose: "password_reset", createdBy: null, now, expiresAt }),
            )
          : null;
      await queueEmail(trx, {
        kind: "password_reset",
        to: email,
        ...passwordResetEmail(user.language, { name: user.name, link, expiresAt }),
        authorityCode: user.authority_code,
        createdAt: now,
      });
    }
    await recordAudit(trx, {
      actorUserId: null,
      action: "account.password_reset_requested",
      entity: "app_user",
      entityKey: user?.id ?? email,
      authorityCode: user?.authority_code ?? null,
      after: { address, outcome },
    });
    return outcome;
  });
}

/**
 * The invitation a link's token names: whether it can still be used (unused, unexpired, for an
 * active account), whether it has been used, and its account's language. Null for a token that
 * names none.
 */
export async function findInvitation(db: Executor, token: string, now = new Date()) {
  if (!token) return null;
  const found = await db
    .selectFrom("invitation as i")
    .innerJoin("app_user as u", "u.id", "i.user_id")
    .select([
      "i.id",
      "i.user_id as userId",
      "i.purpose",
      "i.used_at as usedAt",
      "i.revoked_at as revokedAt",
      "i.expires_at as expiresAt",
      "u.email",
      "u.active",
      "u.language",
    ])
    .where("i.token_hash", "=", hashToken(token))
    .executeTakeFirst();
  if (!found) return null;
  const used = found.usedAt !== null;
  return { ...found, used, usable: !used && found.revokedAt === null && found.active && new Date(found.expiresAt) > now };
}

export type PasswordProblem =
  | "setPassword.error.passwordMissing"
  | "setPassword.error.passwordTooShort"
  | "setPassword.error.passwordTooLong";

export function passwordProblem(password: string): PasswordProblem | null {
  if (!password) return "setPassword.error.passwordMissing";
  // Counted in characters as a person counts them, not UTF-16 units.
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return "setPassword.error.passwordTooShort";
  if (length > PASSWORD_MAX_LENGTH) return "setPassword.error.passwordTooLong";
  return null;
}

export type SetPasswordResult =
  | { ok: true; userId: number; email: string; tokensRevoked: number }
  | { ok: false; reason: "invalidLink" }
  | { ok: false; reason: "password"; problem: PasswordProblem };

/**
 * Uses an invitation or a forgotten-password link: sets the password, marks the link used, ends
 * every session the account had and revokes its API tokens, in one transaction. A link works once, before it expires or is
 * replaced, for an active account.
 */
export async function setPasswordWithInvitation(
  db: Kysely<Database>,
  token: string,
  password: string,
  now = new Date(),
): Promise<SetPasswordResult> {
  const problem = passwordProblem(password);
  if (problem) return { ok: false, reason: "password", problem };
  if (!(await findInvitation(db, token, now))?.usable) return { ok: false, reason: "invalidLink" };
  // Hashed before the transaction: argon2 is deliberately slow, and nothing should wait on it.
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx): Promise<SetPasswordResult> => {
    // The update is the check: of two uses of one link at the same moment, only one finds it unused.
    const used = await trx
      .updateTable("invitation as i")
      .from("app_user as u")
      .set({ used_at: now })
      .whereRef("u.id", "=", "i.user_id")
      .where("i.token_hash", "=", hashToken(token))
      .where("i.used_at", "is", null)
      .where("i.revoked_at", "is", null)
      .where("i.expires_at", ">", now)
      .where("u.active", "=", true)
      .returning(["i.id", "i.user_id as userId", "i.purpose", "u.email", "u.authority_code as authorityCode"])
      .executeTakeFirst();
    if (!used) return { ok: false, reason: "invalidLink" };
    await trx.updateTable("app_user").set({ password_hash: passwordHash }).where("id", "=", used.userId).execute();
    // The password is set: no other link of the account may set it again.
    await trx
      .updateTable("invitation")
      .set({ revoked_at: now })
      .where("user_id", "=", used.userId)
      .where("used_at", "is", null)
      .where("revoked_at", "is", null)
      .execute();
    // A new password signs the account out everywhere: whoever knew the old one is out too.
    await revokeAllSessions(trx, used.userId);
    // And its API tokens, and those it made for others: one made with a stolen password must not
    // outlive the new one.
    const tokensRevoked = await revokeAccountApiTokens(trx, used.userId, {
      actorUserId: used.userId,
      why: used.purpose === "password_reset" ? "password reset" : "password set",
      madeForOthers: true,
      now,
    });
    await recordAudit(trx, {
      actorUserId: used.userId,
      action: used.purpose === "password_reset" ? "account.reset_password" : "account.set_password",
      entity: "app_user",
      entityKey: used.userId,
      authorityCode: used.authorityCode,
      after: { invitation_id: used.id, api_tokens_revoked: tokensRevoked },
    });
    return { ok: true, userId: used.userId, email: used.email, tokensRevoked };
  });
}

/**
 * Removes set-password links dead for more than 30 days: used, replaced, or (a forgotten-password
 * link) expired. Until then a link says it was used or has expired; after, that it is not valid:
 * either way it sets no password. An invitation never used nor replaced stays, however old: the
 * accounts page reads from it that the account's invitation has expired.
 */
export async function deleteExpiredInvitations(db: Executor, now = new Date()) {
  const monthAgo = new Date(now.getTime() - 30 * 86_400_000);
  const deleted = await db
    .deleteFrom("invitation")
    .where((eb) =>
      eb.or([
        eb("used_at", "<", monthAgo),
        eb("revoked_at", "<", monthAgo),
        eb.and([eb("purpose", "=", "password_reset"), eb("expires_at", "<", monthAgo)]),
      ]),
    )
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}
