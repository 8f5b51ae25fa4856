/**
 * Tokens for the machine API (issue 18, decision 013). A token is shown once, when it is made;
 * only its SHA-256 is stored. It acts for its owner, and on every request the owner is read
 * afresh (role, authority, active) so that a token never does more than its owner could now.
 * Each use is counted in the token's row, in one statement, so the throttle holds across every
 * instance of the portal.
 */
import { sql, type Kysely } from "kysely";
import type { ApiScope, Database, Language, Role } from "#db/types.ts";
import { mayIssueToken, may } from "#app/auth/policy.ts";
import type { TokenForm } from "#app/schema/api-token.ts";
import { recordAudit, type AuditEntry, type Executor } from "./audit.server.ts";
import { hashToken, randomToken } from "./session.server.ts";

/** A token reads as what it is in logs and secret scanners: the portal's prefix, then 43 random characters. */
export const TOKEN_PREFIX = "wdr_";
const TOKEN_PATTERN = /^wdr_[A-Za-z0-9_-]{43}$/;

/** Requests per token per window: enough for any return or script, too few to crowd out others. */
export const THROTTLE = { windowSeconds: 60, requests: 120 } as const;

/** Who is making or revoking a token: a signed-in person. */
export interface TokenActor {
  id: number;
  role: Role;
  isAdmin: boolean;
  authorityCode: string | null;
}

export type CreateTokenResult = { ok: true; id: number; token: string } | { ok: false; reason: "notAllowed" };

/**
 * Makes a token for `form.ownerId` (the maker when null): `returns:write` for an officer's own
 * authority, `figures:read` for a coordinator or an analyst. Returns the token: it is never
 * readable again.
 */
export async function createApiToken(
  db: Kysely<Database>,
  maker: TokenActor,
  form: TokenForm,
  now = new Date(),
): Promise<CreateTokenResult> {
  return db.transaction().execute(async (trx): Promise<CreateTokenResult> => {
    const owner = await trx
      .selectFrom("app_user")
      .select(["id", "role", "is_admin as isAdmin", "authority_code as authorityCode"])
      .where("id", "=", form.ownerId ?? maker.id)
      .where("active", "=", true)
      .executeTakeFirst();
    if (!owner) return { ok: false, reason: "notAllowed" };
    const scope: ApiScope = owner.role === "officer" ? "returns:write" : "figures:read";
    const authorityCode = scope === "returns:write" ? owner.authorityCode : null;
    if (!mayIssueToken(maker, owner, scope, authorityCode)) return { ok: false, reason: "notAllowed" };
    const token = `${TOKEN_PREFIX}${randomToken()}`;
    const expiresAt = new Date(now.getTime() + Number(form.lifetime) * 86_400_000);
    const created = await trx
      .insertInto("api_token")
      .values({
        owner_id: owner.id,
        created_by: maker.id,
        name: form.name,
        scope,
        authority_code: authorityCode,
        token_hash: hashToken(token),
        created_at: now,
        expires_at: expiresAt,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: maker.id,
      action: "api_token.create",
      entity: "api_token",
      entityKey: created.id,
      authorityCode,
      after: { name: form.name, scope, authority_code: authorityCode, owner_id: owner.id, expires_at: expiresAt.toISOString() },
    });
    return { ok: true, id: created.id, token };
  });
}

/** The tokens a person may see and revoke: their own and those they made; an admin sees everyone's. */
export async function listApiTokens(db: Executor, viewer: TokenActor) {
  const admin = may(viewer, "manageAccounts");
  return db
    .selectFrom("api_token as t")
    .innerJoin("app_user as o", "o.id", "t.owner_id")
    .select([
      "t.id",
      "t.name",
      "t.scope",
      "t.authority_code as authorityCode",
      "o.name as ownerName",
      "t.created_at as createdAt",
      "t.expires_at as expiresAt",
      "t.revoked_at as revokedAt",
      "t.last_used_at as lastUsedAt",
    ])
    .$if(!admin, (qb) => qb.where((eb) => eb.or([eb("t.owner_id", "=", viewer.id), eb("t.created_by", "=", viewer.id)])))
    .orderBy("t.created_at", "desc")
    .orderBy("t.id", "desc")
    .execute();
}

/** The officers an admin may make a token for, to fill in their authority's returns from its own system. */
export async function tokenOwnerChoices(db: Executor) {
  return db
    .selectFrom("app_user as u")
    .innerJoin("authority as a", "a.code", "u.authority_code")
    .select(["u.id", "u.name", "u.email", "a.name_en as authorityEn", "a.name_cy as authorityCy"])
    .where("u.role", "=", "officer")
    .where("u.active", "=", true)
    .orderBy("a.name_en")
    .orderBy("u.name")
    .execute();
}

/** The audit row of a token's revocation: by whom, the token as it was, and why when it went with its account. */
function revocationAudit(
  actorUserId: number,
  token: { id: number; name: string; scope: ApiScope; authority_code: string | null },
  now: Date,
  reason?: string,
): AuditEntry {
  return {
    actorUserId,
    action: "api_token.revoke",
    entity: "api_token",
    entityKey: token.id,
    authorityCode: token.authority_code,
    before: { name: token.name, scope: token.scope, revoked_at: null },
    after: { revoked_at: now.toISOString() },
    reason,
  };
}

export type RevokeTokenResult = { ok: true } | { ok: false; reason: "notFound" };

/** Revokes a token the person may see (listApiTokens); at once, for every instance. */
export async function revokeApiToken(
  db: Kysely<Database>,
  actor: TokenActor,
  tokenId: number,
  now = new Date(),
): Promise<RevokeTokenResult> {
  const admin = may(actor, "manageAccounts");
  return db.transaction().execute(async (trx): Promise<RevokeTokenResult> => {
    const revoked = await trx
      .updateTable("api_token")
      .set({ revoked_at: now, revoked_by: actor.id })
      .where("id", "=", tokenId)
      .where("revoked_at", "is", null)
      .$if(!admin, (qb) => qb.where((eb) => eb.or([eb("owner_id", "=", actor.id), eb("created_by", "=", actor.id)])))
      .returning(["id", "name", "scope", "authority_code"])
      .executeTakeFirst();
    if (!revoked) return { ok: false, reason: "notFound" };
    await recordAudit(trx, revocationAudit(actor.id, revoked, now));
    return { ok: true };
  });
}

/**
 * Revokes every live token an account owns, in the caller's transaction, each audited as a
 * revocation is: when its password is set through a link (whoever knew the old one may have made
 * a token with it), when an admin resets its second factor (so may whoever held the lost phone),
 * and when it is deactivated (a token must not come back when it is reactivated). `madeForOthers`
 * takes the tokens the account made for other people too: after a password or a phone may have
 * been someone else's, a token an admin's account made for an officer may be theirs; and whoever
 * made a token saw it once, so a deactivated admin may still hold the secret of one they made.
 * `actorUserId` is who did it (the person setting their password, the admin); `why` says why.
 * Returns how many were revoked.
 */
export async function revokeAccountApiTokens(
  trx: Executor,
  userId: number,
  { actorUserId, why, madeForOthers = false, now = new Date() }: { actorUserId: number; why: string; madeForOthers?: boolean; now?: Date },
): Promise<number> {
  const revoked = await trx
    .updateTable("api_token")
    .set({ revoked_at: now, revoked_by: actorUserId })
    .where((eb) => (madeForOthers ? eb.or([eb("owner_id", "=", userId), eb("created_by", "=", userId)]) : eb("owner_id", "=", userId)))
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .returning(["id", "name", "scope", "authority_code"])
    .execute();
  await recordAudit(
    trx,
    revoked.map((token) => revocationAudit(actorUserId, token, now, why)),
  );
  return revoked.length;
}

/** A live token and its owner as they are now. */
export interface TokenUser {
  tokenId: number;
  tokenName: string;
  scope: ApiScope;
  /** The authority a returns:write token is for. */
  tokenAuthority: string | null;
  id: number;
  name: string;
  role: Role;
  isAdmin: boolean;
  authorityCode: string | null;
  language: Language;
}

export type AuthenticateResult =
  | { ok: true; user: TokenUser }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; user: TokenUser; retryAfter: number };

/**
 * The token a request carries, if it is live (known, not revoked, not expired, its owner active),
 * counted against its throttle in the same statement: a fixed window of THROTTLE.windowSeconds,
 * kept in the token's row, so that every instance counts the same requests.
 */
export async function authenticateApiToken(db: Executor, token: string, now = new Date()): Promise<AuthenticateResult> {
  if (!TOKEN_PATTERN.test(token)) return { ok: false, reason: "invalid" };
  const windowStart = new Date(now.getTime() - THROTTLE.windowSeconds * 1000);
  const newWindow = sql<boolean>`(t.window_started_at is null or t.window_started_at <= ${windowStart})`;
  const row = await db
    .updateTable("api_token as t")
    .from("app_user as u")
    .set({
      last_used_at: now,
      window_started_at: sql`case when ${newWindow} then ${now}::timestamptz else t.window_started_at end`,
      window_requests: sql`case when ${newWindow} then 1 else t.window_requests + 1 end`,
    })
    .whereRef("u.id", "=", "t.owner_id")
    .where("t.token_hash", "=", hashToken(token))
    .where("t.revoked_at", "is", null)
    .where("t.expires_at", ">", now)
    .where("u.active", "=", true)
    .returning([
      "t.id as tokenId",
      "t.name as tokenName",
      "t.scope",
      "t.authority_code as tokenAuthority",
      "t.window_started_at as windowStartedAt",
      "t.window_requests as windowRequests",
      "u.id",
      "u.name",
      "u.role",
      "u.is_admin as isAdmin",
      "u.authority_code as authorityCode",
      "u.language",
    ])
    .executeTakeFirst();
  if (!row) return { ok: false, reason: "invalid" };
  const { windowStartedAt, windowRequests, ...user } = row;
  if (windowRequests > THROTTLE.requests) {
    const ends = new Date(windowStartedAt ?? now).getTime() + THROTTLE.windowSeconds * 1000;
    return { ok: false, reason: "throttled", user, retryAfter: Math.max(1, Math.ceil((ends - now.getTime()) / 1000)) };
  }
  return { ok: true, user };
}

/** A change made with a token, on record beside the change itself (call it in the change's transaction). */
export async function recordTokenUse(
  db: Executor,
  user: TokenUser,
  { method, path, status, authorityCode }: { method: string; path: string; status: number; authorityCode: string | null },
) {
  await recordAudit(db, {
    actorUserId: user.id,
    action: "api_token.use",
    entity: "api_token",
    entityKey: user.tokenId,
    authorityCode,
    after: { method, path, status, token: user.tokenName },
  });
}
