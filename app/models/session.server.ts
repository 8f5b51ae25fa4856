import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { recordAudit, type Executor } from "./audit.server.ts";
import type { AccountActor } from "./account.server.ts";

export const SESSION_HOURS = 8;

export function randomToken() {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string) {
  return createHash("sha256").update(token).digest("hex");
}

export function sameToken(a: string, b: string) {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** How stale a session's "last used" may get before a request updates it: not a write per request. */
export const LAST_USED_PRECISION_MINUTES = 5;

/**
 * A new session for the user; returns the token for the cookie (only its hash is stored). The
 * network address and User-Agent are kept so that the person can recognise it among their sessions.
 */
export async function createSession(
  db: Executor,
  userId: number,
  now = new Date(),
  { address = null, userAgent = null }: { address?: string | null; userAgent?: string | null } = {},
) {
  const token = randomToken();
  await db
    .insertInto("session")
    .values({
      id: hashToken(token),
      user_id: userId,
      csrf_token: randomToken(),
      created_at: now,
      expires_at: new Date(now.getTime() + SESSION_HOURS * 3600_000),
      last_used_at: now,
      address: address?.slice(0, 100) ?? null,
      user_agent: userAgent?.slice(0, 512) ?? null,
    })
    .execute();
  return token;
}

/** A person as the pages know them, from `app_user as u`: who they are, their role, authority and language. */
export const PERSON_COLUMNS = [
  "u.id",
  "u.email",
  "u.name",
  "u.role",
  "u.is_admin as isAdmin",
  "u.authority_code as authorityCode",
  "u.language",
] as const;

/** The live session for a cookie's token, with its active user; null when expired, revoked or unknown. */
export async function findSession(db: Executor, token: string, now = new Date()) {
  return (
    (await db
      .selectFrom("session as s")
      .innerJoin("app_user as u", "u.id", "s.user_id")
      .select([
        "s.id as sessionId",
        "s.csrf_token as csrfToken",
        "s.last_used_at as lastUsedAt",
        ...PERSON_COLUMNS,
        (eb) =>
          eb
            .exists(
              eb
                .selectFrom("two_factor as f")
                .select("f.user_id")
                .whereRef("f.user_id", "=", "u.id")
                .where("f.confirmed_at", "is not", null),
            )
            .$castTo<boolean>()
            .as("hasTwoFactor"),
      ])
      .where("s.id", "=", hashToken(token))
      .where("s.revoked_at", "is", null)
      .where("s.expires_at", ">", now)
      .where("u.active", "=", true)
      .executeTakeFirst()) ?? null
  );
}

export type SessionUser = NonNullable<Awaited<ReturnType<typeof findSession>>>;

export async function revokeSession(db: Executor, user: SessionUser) {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("session").set({ revoked_at: new Date() }).where("id", "=", user.sessionId).execute();
    await recordAudit(trx, {
      actorUserId: user.id,
      action: "session.sign_out",
      entity: "app_user",
      entityKey: user.id,
      authorityCode: user.authorityCode,
    });
  });
}

/** Marks the session used now, when it was last marked more than LAST_USED_PRECISION_MINUTES ago. */
export async function touchSession(db: Executor, user: SessionUser, now = new Date()) {
  const stale = now.getTime() - LAST_USED_PRECISION_MINUTES * 60_000;
  if (user.lastUsedAt && new Date(user.lastUsedAt).getTime() > stale) return;
  await db.updateTable("session").set({ last_used_at: now }).where("id", "=", user.sessionId).execute();
}

/** A person's live sessions, the most recently used first. */
export async function listSessions(db: Executor, userId: number, now = new Date()) {
  return db
    .selectFrom("session")
    .select(["id", "created_at as createdAt", "last_used_at as lastUsedAt", "address", "user_agent as userAgent"])
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .orderBy((eb) => eb.fn.coalesce("last_used_at", "created_at"), "desc")
    .orderBy("id")
    .execute();
}

/**
 * Ends one of the person's own sessions (never anyone else's: the id is looked for among theirs),
 * audited. "current" when it was the one this request came with.
 */
export async function endSession(db: Executor, user: SessionUser, sessionId: string): Promise<"ended" | "current" | "none"> {
  if (!/^[0-9a-f]{64}$/.test(sessionId)) return "none";
  return db.transaction().execute(async (trx) => {
    const ended = await trx
      .updateTable("session")
      .set({ revoked_at: new Date() })
      .where("id", "=", sessionId)
      .where("user_id", "=", user.id)
      .where("revoked_at", "is", null)
      .returning("created_at")
      .executeTakeFirst();
    if (!ended) return "none" as const;
    await recordAudit(trx, {
      actorUserId: user.id,
      action: "session.end",
      entity: "app_user",
      entityKey: user.id,
      authorityCode: user.authorityCode,
      after: { session_started_at: new Date(ended.created_at).toISOString(), current: sessionId === user.sessionId },
    });
    return sessionId === user.sessionId ? ("current" as const) : ("ended" as const);
  });
}

/** An admin ends every session of an account at once, audited; returns how many were live. */
export async function endAllSessions(db: Executor, userId: number, actor: AccountActor) {
  if (!actor.isAdmin) throw new Error(`User ${actor.userId} is not an admin and may not end others' sessions`);
  return db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom("app_user").select(["id", "authority_code"]).where("id", "=", userId).executeTakeFirst();
    if (!user) return 0;
    const ended = await trx
      .updateTable("session")
      .set({ revoked_at: new Date() })
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", new Date())
      .returning("id")
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: "account.end_sessions",
      entity: "app_user",
      entityKey: userId,
      authorityCode: user.authority_code,
      after: { ended: ended.length },
    });
    return ended.length;
  });
}

/** Ends every session of a user, e.g. when their password changes or the account is deactivated. */
export async function revokeAllSessions(db: Executor, userId: number) {
  await db.updateTable("session").set({ revoked_at: new Date() }).where("user_id", "=", userId).where("revoked_at", "is", null).execute();
}

/** Removes sessions that ended (expired or revoked) more than a day ago: they can never be used again. */
export async function deleteEndedSessions(db: Executor, now = new Date()) {
  const dayAgo = new Date(now.getTime() - 86_400_000);
  const deleted = await db
    .deleteFrom("session")
    .where((eb) => eb.or([eb("expires_at", "<", dayAgo), eb("revoked_at", "<", dayAgo)]))
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}
