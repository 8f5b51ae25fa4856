import { sql } from "kysely";
import type { ReturnStatus } from "#db/types.ts";
import { boardStatusOf, type BoardStatus } from "#app/domain/board.ts";
import type { Executor } from "./audit.server.ts";

/**
 * The completeness board: every authority, grouped by region, with where its return stands.
 * "Outstanding" means not yet submitted: no return, or a draft never submitted. An amendment in
 * progress is not outstanding: its last submitted version stands. Only an open round has
 * authorities that are overdue: once it is closed, those without a return did not reply.
 */
export async function completenessBoard(db: Executor, { collectionId, today }: { collectionId: number; today: string }) {
  const rows = await db
    .selectFrom("authority as a")
    .innerJoin("region as g", "g.code", "a.region_code")
    .innerJoin("collection as c", (join) => join.on("c.id", "=", collectionId))
    .leftJoin("return as r", (join) => join.onRef("r.collection_id", "=", "c.id").onRef("r.authority_code", "=", "a.code"))
    .leftJoin("return_version as rv", (join) => join.onRef("rv.return_id", "=", "r.id").onRef("rv.version", "=", "r.submitted_version"))
    .leftJoin("app_user as u", "u.id", "rv.submitted_by")
    // The latest chase of the authority for this round, and who sent it (the audit log is its record).
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom("audit_log as l")
          .leftJoin("app_user as cu", "cu.id", "l.actor_user_id")
          .select(["l.at", "cu.name"])
          .where("l.action", "=", "return.chase")
          .where("l.entity", "=", "collection")
          .whereRef("l.entity_key", "=", sql`c.id::text`)
          .whereRef("l.authority_code", "=", "a.code")
          .orderBy("l.at", "desc")
          .limit(1)
          .as("chase"),
      (join) => join.onTrue(),
    )
    .select((eb) => [
      "a.code",
      "a.name_en",
      "a.name_cy",
      "a.region_code",
      "g.name_en as region_en",
      "g.name_cy as region_cy",
      "r.status",
      "r.updated_at as lastActivity",
      "r.submitted_version as submittedVersion",
      "rv.submitted_at as submittedAt",
      "rv.signed_off_name as signedOffName",
      "rv.signed_off_lang as signedOffLang",
      "u.name as submittedByName",
      "chase.at as lastChasedAt",
      "chase.name as lastChasedBy",
      sql<boolean>`r.accepted_version is not null and r.status <> 'accepted'`.as("changedAfterAcceptance"),
      sql<boolean>`r.submitted_version is null and c.status = 'open' and c.due_on < ${today}`.as("overdue"),
      eb
        .selectFrom("value_query as q")
        .select((q) => q.fn.countAll<number>().as("n"))
        .whereRef("q.return_id", "=", "r.id")
        .where("q.status", "=", "open")
        .as("openQueries"),
      eb
        .selectFrom("value as v")
        .select((q) => q.fn.countAll<number>().as("n"))
        .whereRef("v.return_id", "=", "r.id")
        .where("v.state", "is not", null)
        .as("filled"),
      eb
        .selectFrom("value as v")
        .select((q) => q.fn.countAll<number>().as("n"))
        .whereRef("v.return_id", "=", "r.id")
        .where("v.state", "=", "reported")
        .as("figures"),
    ])
    .orderBy("g.name_en")
    .orderBy("a.name_en")
    .execute();
  return rows.map((row) => ({
    ...row,
    status: row.status as ReturnStatus | null,
    openQueries: Number(row.openQueries ?? 0),
    filled: Number(row.filled ?? 0),
    /** Of the items answered, those answered with a figure; the rest gave a reason instead. */
    figures: Number(row.figures ?? 0),
    changedAfterAcceptance: Boolean(row.changedAfterAcceptance),
    overdue: Boolean(row.overdue),
  }));
}

export type BoardRow = Awaited<ReturnType<typeof completenessBoard>>[number];

/** The counts at the top of the board, over every authority whatever the filter shows. */
export function boardCounts(rows: BoardRow[]) {
  const counts: Record<BoardStatus, number> = { notStarted: 0, draft: 0, submitted: 0, queried: 0, accepted: 0, overdue: 0 };
  for (const row of rows) {
    counts[boardStatusOf(row)] += 1;
    if (row.overdue) counts.overdue += 1;
  }
  return counts;
}

/**
 * Officers of the authorities that have not submitted, for chasing by hand: of those the board's
 * filter shows (`authorityCodes`), each with the items its draft has not yet answered.
 */
export async function chaseList(db: Executor, collectionId: number, authorityCodes: string[]) {
  if (authorityCodes.length === 0) return [];
  return db
    .selectFrom("authority as a")
    .leftJoin("return as r", (join) => join.onRef("r.authority_code", "=", "a.code").on("r.collection_id", "=", collectionId))
    .leftJoin("app_user as u", (join) =>
      join.onRef("u.authority_code", "=", "a.code").on("u.role", "=", "officer").on("u.active", "=", true),
    )
    .select((eb) => [
      "a.code",
      "a.name_en",
      "a.name_cy",
      "r.status",
      "u.name",
      "u.email",
      eb
        .selectFrom("value as v")
        .select(sql<string[]>`coalesce(array_agg(v.item_code), '{}')`.as("codes"))
        .whereRef("v.return_id", "=", "r.id")
        .where("v.state", "is not", null)
        .as("answered"),
    ])
    .where("r.submitted_version", "is", null)
    .where("a.code", "in", authorityCodes)
    .orderBy("a.name_en")
    .orderBy("u.name")
    .execute();
}

/** The latest chase of one authority for a round, as the board confirms it: when, by whom, to whom, and the email's subject. */
export async function lastChase(db: Executor, collectionId: number, authorityCode: string) {
  const [audit, email] = await Promise.all([
    db
      .selectFrom("audit_log as l")
      .leftJoin("app_user as u", "u.id", "l.actor_user_id")
      .select(["l.at", "l.after", "u.name as by"])
      .where("l.action", "=", "return.chase")
      .where("l.entity", "=", "collection")
      .where("l.entity_key", "=", String(collectionId))
      .where("l.authority_code", "=", authorityCode)
      .orderBy("l.at", "desc")
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom("outbox")
      .select(["subject"])
      .where("kind", "=", "chase")
      .where("collection_id", "=", collectionId)
      .where("authority_code", "=", authorityCode)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst(),
  ]);
  if (!audit) return null;
  const after = (typeof audit.after === "string" ? JSON.parse(audit.after) : audit.after) as {
    recipients?: string[];
    queued?: number;
  } | null;
  return {
    at: audit.at,
    /** Who chased: null for the portal itself (or an account since removed). */
    by: audit.by,
    recipients: after?.recipients ?? [],
    queued: after?.queued ?? 0,
    subject: email?.subject ?? null,
  };
}
