/**
 * A coordinator's queries on the values of a submitted return, and the thread that follows.
 * Scoped like returns: every function takes the return's scope and filters by its authority.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "#db/types.ts";
import { may } from "#app/auth/policy.ts";
import { recordAudit, type Executor } from "./audit.server.ts";
import { findReturn, isStoredInteger, writtenIn, type Actor, type ReturnScope } from "./return.server.ts";
import { notifyQueryEvent, notifyReturnEvent, officersOf } from "./notification.server.ts";
import { publicBaseUrl } from "#app/email/mailer.server.ts";

/**
 * Who hears of a thread's new message, in the same transaction: the authority's active officers
 * when a coordinator raises a query or replies; the coordinator who raised it when an officer
 * replies. Each is notified in their own language, with a link to the thread.
 */
async function notifyThread(
  trx: Transaction<Database>,
  scope: ReturnScope,
  {
    kind,
    queryId,
    messageId,
    actor,
    baseUrl,
    now,
  }: { kind: "query_raised" | "query_reply"; queryId: number; messageId: number; actor: Actor; baseUrl: string; now: Date },
) {
  const thread = await trx.selectFrom("value_query").select(["raised_by"]).where("id", "=", queryId).executeTakeFirstOrThrow();
  const fromOfficer = actor.role === "officer";
  const recipients = fromOfficer
    ? await trx
        .selectFrom("app_user")
        .select(["id", "name", "email", "language"])
        .where("active", "=", true)
        .where("id", "=", thread.raised_by)
        .where("id", "!=", actor.userId ?? 0)
        .execute()
    : await officersOf(trx, scope.authorityCode, actor.userId);
  await notifyQueryEvent(trx, scope, {
    kind,
    queryId,
    messageId,
    recipients,
    actorUserId: actor.userId,
    baseUrl,
    now,
  });
}

export type QueryResult = { ok: true } | { ok: false; reason: "notFound" | "notSubmitted" | "notAllowed" | "resolved" };

/** Threads on this return, oldest first, each with its messages and who wrote them; `only`: just that thread, if it is this return's. */
export async function listQueries(db: Executor, scope: ReturnScope, only?: number) {
  if (only !== undefined && !isStoredInteger(only)) return [];
  const queries = await db
    .selectFrom("value_query as q")
    .innerJoin("return as r", "r.id", "q.return_id")
    .innerJoin("app_user as u", "u.id", "q.raised_by")
    .select(["q.id", "q.item_code", "q.status", "q.raised_at", "q.resolved_at", "u.name as raised_by_name"])
    .where("r.collection_id", "=", scope.collection.id)
    .where("r.authority_code", "=", scope.authorityCode)
    .$if(only !== undefined, (qb) => qb.where("q.id", "=", only!))
    .orderBy("q.id")
    .execute();
  if (queries.length === 0) return [];
  const messages = await db
    .selectFrom("value_query_message as m")
    .innerJoin("app_user as u", "u.id", "m.author_id")
    .select(["m.id", "m.query_id", "m.at", "m.body", "m.lang", "u.name as author_name", "u.role as author_role"])
    .where(
      "m.query_id",
      "in",
      queries.map((q) => q.id),
    )
    .orderBy("m.id")
    .execute();
  return queries.map((q) => ({ ...q, messages: messages.filter((m) => m.query_id === q.id) }));
}

export type QueryThread = Awaited<ReturnType<typeof listQueries>>[number];

async function openQueryCount(db: Executor, returnId: number) {
  const row = await db
    .selectFrom("value_query")
    .select((eb) => eb.fn.countAll<number>().as("open"))
    .where("return_id", "=", returnId)
    .where("status", "=", "open")
    .executeTakeFirstOrThrow();
  return Number(row.open);
}

/** Raises a query on one value of a submitted return; the return becomes "queried". Coordinators only. */
export async function raiseQuery(
  db: Kysely<Database>,
  scope: ReturnScope,
  {
    itemCode,
    body,
    actor,
    now = new Date(),
    baseUrl = publicBaseUrl(),
  }: { itemCode: string; body: string; actor: Actor; now?: Date; baseUrl?: string },
): Promise<QueryResult> {
  if (!may(actor, "reviewReturn", scope.authorityCode)) return { ok: false, reason: "notAllowed" };
  if (!scope.collection.items.some((i) => i.code === itemCode)) return { ok: false, reason: "notFound" };
  return db.transaction().execute(async (trx) => {
    const ret = await findReturn(trx, scope);
    if (!ret || ret.submitted_version === null) return { ok: false as const, reason: "notSubmitted" as const };
    const query = await trx
      .insertInto("value_query")
      .values({ return_id: ret.id, item_code: itemCode, raised_by: actor.userId!, raised_at: now })
      .returning("id")
      .executeTakeFirstOrThrow();
    const message = await trx
      .insertInto("value_query_message")
      .values({ query_id: query.id, author_id: actor.userId!, at: now, body, lang: await writtenIn(trx, actor) })
      .returning("id")
      .executeTakeFirstOrThrow();
    const becomesQueried = ret.status === "submitted" || ret.status === "accepted";
    if (becomesQueried) {
      await trx.updateTable("return").set({ status: "queried", updated_at: now }).where("id", "=", ret.id).execute();
    }
    await recordAudit(trx, [
      {
        actorUserId: actor.userId,
        action: "query.raise",
        entity: "value_query",
        entityKey: query.id,
        authorityCode: scope.authorityCode,
        after: { item_code: itemCode, body },
      },
      ...(becomesQueried
        ? [
            {
              actorUserId: actor.userId,
              action: "return.query",
              entity: "return",
              entityKey: ret.id,
              authorityCode: scope.authorityCode,
              before: { status: ret.status },
              after: { status: "queried" },
            },
          ]
        : []),
    ]);
    await notifyThread(trx, scope, { kind: "query_raised", queryId: query.id, messageId: message.id, actor, baseUrl, now });
    return { ok: true as const };
  });
}

async function findQuery(db: Executor, scope: ReturnScope, queryId: number) {
  if (!isStoredInteger(queryId)) return undefined;
  return db
    .selectFrom("value_query as q")
    .innerJoin("return as r", "r.id", "q.return_id")
    .select(["q.id", "q.status", "q.return_id", "r.status as return_status"])
    .where("q.id", "=", queryId)
    .where("r.collection_id", "=", scope.collection.id)
    .where("r.authority_code", "=", scope.authorityCode)
    .executeTakeFirst();
}

/** A reply on the thread, from the authority's officer or a coordinator. */
export async function replyToQuery(
  db: Kysely<Database>,
  scope: ReturnScope,
  {
    queryId,
    body,
    actor,
    now = new Date(),
    baseUrl = publicBaseUrl(),
  }: { queryId: number; body: string; actor: Actor; now?: Date; baseUrl?: string },
): Promise<QueryResult> {
  if (!may(actor, "workOnReturn", scope.authorityCode)) return { ok: false, reason: "notAllowed" };
  return db.transaction().execute(async (trx) => {
    const query = await findQuery(trx, scope, queryId);
    if (!query) return { ok: false as const, reason: "notFound" as const };
    if (query.status === "resolved") return { ok: false as const, reason: "resolved" as const };
    const message = await trx
      .insertInto("value_query_message")
      .values({ query_id: queryId, author_id: actor.userId!, at: now, body, lang: await writtenIn(trx, actor) })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: "query.reply",
      entity: "value_query",
      entityKey: queryId,
      authorityCode: scope.authorityCode,
      after: { body },
    });
    await notifyThread(trx, scope, { kind: "query_reply", queryId, messageId: message.id, actor, baseUrl, now });
    return { ok: true as const };
  });
}

/** Resolves a query; when none is left open, a queried return goes back to "submitted". Coordinators only. */
export async function resolveQuery(
  db: Kysely<Database>,
  scope: ReturnScope,
  { queryId, body, actor, now = new Date() }: { queryId: number; body: string | null; actor: Actor; now?: Date },
): Promise<QueryResult> {
  if (!may(actor, "reviewReturn", scope.authorityCode)) return { ok: false, reason: "notAllowed" };
  return db.transaction().execute(async (trx) => {
    const query = await findQuery(trx, scope, queryId);
    if (!query) return { ok: false as const, reason: "notFound" as const };
    if (query.status === "resolved") return { ok: false as const, reason: "resolved" as const };
    if (body) {
      await trx
        .insertInto("value_query_message")
        .values({ query_id: queryId, author_id: actor.userId!, at: now, body, lang: await writtenIn(trx, actor) })
        .execute();
    }
    await trx
      .updateTable("value_query")
      .set({ status: "resolved", resolved_by: actor.userId, resolved_at: now })
      .where("id", "=", queryId)
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: "query.resolve",
      entity: "value_query",
      entityKey: queryId,
      authorityCode: scope.authorityCode,
      before: { status: "open" },
      after: { status: "resolved", body },
    });
    if (query.return_status === "queried" && (await openQueryCount(trx, query.return_id)) === 0) {
      await trx.updateTable("return").set({ status: "submitted", updated_at: now }).where("id", "=", query.return_id).execute();
      await recordAudit(trx, {
        actorUserId: actor.userId,
        action: "return.queries_resolved",
        entity: "return",
        entityKey: query.return_id,
        authorityCode: scope.authorityCode,
        before: { status: "queried" },
        after: { status: "submitted" },
      });
    }
    return { ok: true as const };
  });
}

export type AcceptResult = { ok: true } | { ok: false; reason: "notAllowed" | "notSubmitted" | "openQueries" | "conflict" };

/** Accepts the latest submitted version of a return with no open query. Coordinators only. */
export async function acceptReturn(db: Kysely<Database>, scope: ReturnScope, change: AcceptChange): Promise<AcceptResult> {
  if (!may(change.actor, "reviewReturn", scope.authorityCode)) return { ok: false, reason: "notAllowed" };
  return db.transaction().execute((trx) => acceptReturnIn(trx, scope, change));
}

export type AcceptChange = { basedOn: number; actor: Actor; now?: Date };

/** acceptReturn inside the caller's transaction, for an acceptance of several returns at once. */
export async function acceptReturnIn(
  trx: Transaction<Database>,
  scope: ReturnScope,
  { basedOn, actor, now = new Date() }: AcceptChange,
): Promise<AcceptResult> {
  if (!may(actor, "reviewReturn", scope.authorityCode)) return { ok: false, reason: "notAllowed" };
  const ret = await findReturn(trx, scope);
  if (!ret || ret.status === "draft" || ret.status === "accepted") return { ok: false as const, reason: "notSubmitted" as const };
  if ((await openQueryCount(trx, ret.id)) > 0) return { ok: false as const, reason: "openQueries" as const };
  if (!isStoredInteger(basedOn)) return { ok: false as const, reason: "conflict" as const };
  const accepted = await trx
    .updateTable("return")
    .set((eb) => ({
      status: "accepted",
      accepted_version: ret.submitted_version,
      accepted_at: now,
      accepted_by: actor.userId,
      lock_version: eb("lock_version", "+", 1),
      updated_at: now,
    }))
    .where("id", "=", ret.id)
    .where("status", "=", "submitted")
    .where("lock_version", "=", basedOn)
    .returning("id")
    .executeTakeFirst();
  if (!accepted) return { ok: false as const, reason: "conflict" as const };
  await recordAudit(trx, {
    actorUserId: actor.userId,
    action: "return.accept",
    entity: "return",
    entityKey: ret.id,
    authorityCode: scope.authorityCode,
    before: { status: ret.status, accepted_version: ret.accepted_version },
    after: { status: "accepted", accepted_version: ret.submitted_version },
  });
  await notifyReturnEvent(trx, scope, { kind: "return_accepted", version: ret.submitted_version! }, { actorUserId: actor.userId, now });
  return { ok: true as const };
}

/** Open queries on an authority's returns, for its officers' home page. */
export async function openQueriesForAuthority(db: Executor, authorityCode: string) {
  return db
    .selectFrom("value_query as q")
    .innerJoin("return as r", "r.id", "q.return_id")
    .innerJoin("collection as c", "c.id", "r.collection_id")
    .select(["q.id", "q.item_code", "c.code as collectionCode", "c.title_en", "c.title_cy"])
    .where("r.authority_code", "=", authorityCode)
    .where("q.status", "=", "open")
    .orderBy("q.id")
    .execute();
}
