/**
 * Accounts: who may sign in. Only an admin changes them; every change is audited in its own
 * transaction. An invited person has no password until they use their single-use link.
 */
import type { Kysely } from "kysely";
import { LANGUAGES, ROLES, type Database, type Language, type Role } from "#db/types.ts";
import type { MessageKey } from "#app/i18n/i18n.ts";
import { hashPassword } from "#app/auth/password.server.ts";
import { recordAudit, type Executor } from "./audit.server.ts";
import { invitationEmail, queueEmail } from "./outbox.server.ts";
import { hashToken, randomToken, revokeAllSessions } from "./session.server.ts";

export const INVITATION_DAYS = 7;
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

export async function listUsers(db: Executor) {
  const rows = await db
    .selectFrom("app_user as u")
    .leftJoin("authority as a", "a.code", "u.authority_code")
    .select([
      "u.id",
      "u.email",
      "u.name",
      "u.role",
      "u.is_admin as isAdmin",
      "u.authority_code as authorityCode",
      "a.name_en as authority_en",
      "a.name_cy as authority_cy",
      "u.language",
      "u.active",
      "u.created_at as createdAt",
      (eb) => eb("u.password_hash", "is not", null).as("hasPassword"),
    ])
    .orderBy("u.name")
    .orderBy("u.email")
    .execute();
  return rows.map((row) => ({ ...row, hasPassword: Boolean(row.hasPassword) }));
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

export interface InviteInput {
  email: string;
  name: string;
  role: string;
  authorityCode: string | null;
  language: string;
}

export type InviteField = "email" | "name" | "role" | "authorityCode" | "language";
export type InviteErrors = Partial<Record<InviteField, MessageKey>>;

export type InviteResult = { ok: true; userId: number; token: string; email: string } | { ok: false; errors: InviteErrors; email: string };

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);
const isLanguage = (value: string): value is Language => (LANGUAGES as readonly string[]).includes(value);

/**
 * Creates the account (with no password), its invitation and the email carrying the link, in one
 * transaction. Refuses, changing nothing, anything that is not a valid new account.
 */
export async function inviteUser(
  db: Kysely<Database>,
  input: InviteInput,
  actor: AccountActor,
  { baseUrl, now = new Date() }: { baseUrl: string; now?: Date },
): Promise<InviteResult> {
  assertAdmin(actor);
  const email = input.email.trim().toLowerCase();
  const name = input.name.trim();
  const authorityCode = input.authorityCode?.trim() || null;
  const errors: InviteErrors = {};
  if (!email) errors.email = "account.error.emailMissing";
  else if (email.length > 254) errors.email = "account.error.emailTooLong";
  else if (!EMAIL_PATTERN.test(email)) errors.email = "account.error.emailInvalid";
  if (!name) errors.name = "account.error.nameMissing";
  else if (name.length > 200) errors.name = "account.error.nameTooLong";
  if (!isRole(input.role)) errors.role = "account.error.roleMissing";
  else if (input.role === "officer" && !authorityCode) errors.authorityCode = "account.error.authorityMissing";
  else if (input.role !== "officer" && authorityCode) errors.authorityCode = "account.error.authorityNotForRole";
  if (!isLanguage(input.language)) errors.language = "account.error.languageMissing";
  if (Object.keys(errors).length > 0 || !isRole(input.role) || !isLanguage(input.language)) return { ok: false, errors, email };
  const role = input.role;
  const language = input.language;

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
    if (!created) return { ok: false, errors: { email: "account.error.emailTaken" }, email };

    const token = randomToken();
    const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 86_400_000);
    await trx
      .insertInto("invitation")
      .values({ user_id: created.id, token_hash: hashToken(token), created_by: actor.userId, created_at: now, expires_at: expiresAt })
      .execute();
    const link = `${baseUrl.replace(/\/+$/, "")}/set-password/${token}`;
    await queueEmail(trx, { kind: "invitation", to: email, ...invitationEmail({ name, link, expiresAt }), authorityCode, createdAt: now });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: "account.invite",
      entity: "app_user",
      entityKey: created.id,
      authorityCode,
      after: { email, name, role, authority_code: authorityCode, language, invitation_expires_at: expiresAt.toISOString() },
      at: now,
    });
    return { ok: true, userId: created.id, token, email };
  });
}

export type DeactivateResult = { ok: true } | { ok: false; reason: "notFound" | "alreadyInactive" | "self" };

/** Stops the account signing in, and ends its sessions at once, everywhere. */
export async function deactivateUser(
  db: Kysely<Database>,
  userId: number,
  actor: AccountActor,
  now = new Date(),
): Promise<DeactivateResult> {
  assertAdmin(actor);
  // An admin who locked themselves out could leave nobody able to manage accounts.
  if (userId === actor.userId) return { ok: false, reason: "self" };
  if (!Number.isSafeInteger(userId) || userId <= 0) return { ok: false, reason: "notFound" };
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom("app_user")
      .select(["id", "active", "authority_code"])
      .where("id", "=", userId)
      .forUpdate()
      .executeTakeFirst();
    if (!user) return { ok: false as const, reason: "notFound" as const };
    if (!user.active) return { ok: false as const, reason: "alreadyInactive" as const };
    await trx.updateTable("app_user").set({ active: false }).where("id", "=", userId).execute();
    await revokeAllSessions(trx, userId);
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: "account.deactivate",
      entity: "app_user",
      entityKey: userId,
      authorityCode: user.authority_code,
      before: { active: true },
      after: { active: false },
      at: now,
    });
    return { ok: true as const };
  });
}

/**
 * The invitation a link's token names: whether it can still be used (unused, unexpired, for an
 * active account) and whether it has been used. Null for a token that names none.
 */
export async function findInvitation(db: Executor, token: string, now = new Date()) {
  if (!token) return null;
  const found = await db
    .selectFrom("invitation as i")
    .innerJoin("app_user as u", "u.id", "i.user_id")
    .select(["i.id", "i.user_id as userId", "i.used_at as usedAt", "i.expires_at as expiresAt", "u.email", "u.active"])
    .where("i.token_hash", "=", hashToken(token))
    .executeTakeFirst();
  if (!found) return null;
  const used = found.usedAt !== null;
  return { ...found, used, usable: !used && found.active && new Date(found.expiresAt) > now };
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
  | { ok: true; userId: number; email: string }
  | { ok: false; reason: "invalidLink" }
  | { ok: false; reason: "password"; problem: PasswordProblem };

/**
 * Uses an invitation: sets the password, marks the invitation used and ends any session the
 * account had, in one transaction. A link works once, before it expires, for an active account.
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
      .where("i.expires_at", ">", now)
      .where("u.active", "=", true)
      .returning(["i.id", "i.user_id as userId", "u.email", "u.authority_code as authorityCode"])
      .executeTakeFirst();
    if (!used) return { ok: false, reason: "invalidLink" };
    await trx.updateTable("app_user").set({ password_hash: passwordHash }).where("id", "=", used.userId).execute();
    await revokeAllSessions(trx, used.userId);
    await recordAudit(trx, {
      actorUserId: used.userId,
      action: "account.set_password",
      entity: "app_user",
      entityKey: used.userId,
      authorityCode: used.authorityCode,
      after: { invitation_id: used.id },
      at: now,
    });
    return { ok: true, userId: used.userId, email: used.email };
  });
}

/**
 * Removes invitations never used that expired more than 30 days ago. Until then their link says it
 * has expired; after, that it is not valid: either way it sets no password.
 */
export async function deleteExpiredInvitations(db: Executor, now = new Date()) {
  const deleted = await db
    .deleteFrom("invitation")
    .where("used_at", "is", null)
    .where("expires_at", "<", new Date(now.getTime() - 30 * 86_400_000))
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}
