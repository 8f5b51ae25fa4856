import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { recordAudit, type Executor } from "./audit.server.ts";

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

/** A new session for the user; returns the token for the cookie (only its hash is stored). */
export async function createSession(db: Executor, userId: number, now = new Date()) {
  const token = randomToken();
  await db
    .insertInto("session")
    .values({
      id: hashToken(token),
      user_id: userId,
      csrf_token: randomToken(),
      created_at: now,
      expires_at: new Date(now.getTime() + SESSION_HOURS * 3600_000),
    })
    .execute();
  return token;
}

/** The live session for a cookie's token, with its active user; null when expired, revoked or unknown. */
export async function findSession(db: Executor, token: string, now = new Date()) {
  return (
    (await db
      .selectFrom("session as s")
      .innerJoin("app_user as u", "u.id", "s.user_id")
      .select([
        "s.id as sessionId",
        "s.csrf_token as csrfToken",
        "u.id",
        "u.email",
        "u.name",
        "u.role",
        "u.is_admin as isAdmin",
        "u.authority_code as authorityCode",
        "u.language",
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
