/**
 * The coordinator's desk: what is waiting for them across every round, and accepting clean returns
 * in bulk. Statuses, not figures, except where the bulk acceptance checks a return's flags; every
 * read still goes through the reader, so a desk read can only return returns its reader may see.
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "#db/types.ts";
import { findFlags, type FlagKind } from "#app/schema/return-values.ts";
import type { Reader } from "#app/auth/policy.server.ts";
import { QUEUE_KINDS } from "#app/domain/board.ts";
import type { Executor } from "./audit.server.ts";
import { previousValues, rateBasis } from "./aggregation.server.ts";
import { returnDefinition, type CollectionWithItems } from "./collection.server.ts";
import { findReturn, flagBasis, flagsAskedAtSubmission, submittedValues, type Actor, type ReturnScope } from "./return.server.ts";
import { acceptReturnIn, type AcceptResult } from "./value-query.server.ts";

const RETURN = { collection: "c", ret: "r", authorityCode: "r.authority_code" } as const;

/** Which return a row of the desk is about: its round's code and titles, its authority's code and names. */
const RETURN_NAMES = ["c.code as collectionCode", "c.title_en", "c.title_cy", "a.code as authorityCode", "a.name_en", "a.name_cy"] as const;

/**
 * Everything waiting for a coordinator, oldest first within each kind:
 * - submitted: a first version submitted and not yet accepted or queried;
 * - amendment: a later version submitted, never accepted before;
 * - changedAfterAcceptance: a version submitted after the one the coordinator accepted;
 * - reply: an open query whose latest message is the authority's;
 * - pastDue: an open round's authorities with nothing submitted after the due date, per round.
 */
export async function waitingForCoordinator(db: Executor, reader: Reader, { today }: { today: string }) {
  const [returns, replies, pastDue] = await Promise.all([
    db
      .selectFrom("return as r")
      .innerJoin("collection as c", "c.id", "r.collection_id")
      .innerJoin("authority as a", "a.code", "r.authority_code")
      .innerJoin("return_version as rv", (join) => join.onRef("rv.return_id", "=", "r.id").onRef("rv.version", "=", "r.submitted_version"))
      .select([
        ...RETURN_NAMES,
        "r.submitted_version as version",
        "r.accepted_version as acceptedVersion",
        "rv.submitted_at as at",
        "rv.amendment_reason as reason",
        "rv.amendment_reason_lang as reasonLang",
      ])
      // A closed round's review is over: the desk shows the rounds still open.
      .where("c.status", "=", "open")
      .where("r.status", "in", ["submitted", "queried"])
      .where((eb) => eb.or([eb("r.status", "=", "submitted"), eb("r.submitted_version", ">", eb.ref("r.accepted_version"))]))
      .where(reader.sees(RETURN))
      .orderBy("rv.submitted_at")
      .execute(),
    db
      .selectFrom("value_query as q")
      .innerJoin("return as r", "r.id", "q.return_id")
      .innerJoin("collection as c", "c.id", "r.collection_id")
      .innerJoin("authority as a", "a.code", "r.authority_code")
      .innerJoin("data_item as di", "di.code", "q.item_code")
      .innerJoin(
        (eb) =>
          eb
            .selectFrom("value_query_message as m")
            .innerJoin("app_user as u", "u.id", "m.author_id")
            .distinctOn("m.query_id")
            .select(["m.query_id", "m.at", "u.role", "u.name"])
            .orderBy("m.query_id")
            .orderBy("m.id", "desc")
            .as("last"),
        (join) => join.onRef("last.query_id", "=", "q.id"),
      )
      .select(["q.id as queryId", ...RETURN_NAMES, "di.label_en", "di.label_cy", "last.at", "last.name as author"])
      .where("q.status", "=", "open")
      .where("c.status", "=", "open")
      .where("last.role", "=", "officer")
      .where(reader.sees(RETURN))
      .orderBy("last.at")
      .execute(),
    db
      .selectFrom("collection as c")
      .innerJoin("authority as a", (join) => join.on(sql<boolean>`true`))
      .leftJoin("return as r", (join) => join.onRef("r.collection_id", "=", "c.id").onRef("r.authority_code", "=", "a.code"))
      .select([
        "c.code as collectionCode",
        "c.title_en",
        "c.title_cy",
        "c.due_on",
        sql<string[]>`array_agg(a.code order by a.name_en)`.as("authorityCodes"),
      ])
      .where("c.status", "=", "open")
      .where("c.due_on", "<", today)
      .where("r.submitted_version", "is", null)
      .where((eb) => eb.or([eb("r.id", "is", null), reader.sees(RETURN)]))
      .groupBy(["c.id", "c.code", "c.title_en", "c.title_cy", "c.due_on"])
      .orderBy("c.due_on")
      .execute(),
  ]);
  const byKind = (kind: "submitted" | "amendment" | "changedAfterAcceptance") =>
    returns.filter((r) => returnKind(r) === kind).map(({ acceptedVersion: _a, ...rest }) => rest);
  return {
    submitted: byKind("submitted"),
    reply: replies,
    amendment: byKind("amendment"),
    changedAfterAcceptance: byKind("changedAfterAcceptance"),
    pastDue: pastDue.map((row) => ({ ...row, count: row.authorityCodes.length })),
  };
}

function returnKind(row: { version: number | null; acceptedVersion: number | null }) {
  if (row.acceptedVersion !== null && (row.version ?? 0) > row.acceptedVersion) return "changedAfterAcceptance";
  return (row.version ?? 0) > 1 ? "amendment" : "submitted";
}

export type Queue = Awaited<ReturnType<typeof waitingForCoordinator>>;

export function queueSize(queue: Queue) {
  return QUEUE_KINDS.reduce((n, kind) => n + queue[kind].length, 0);
}

function median(sorted: number[]) {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const oneDecimal = (n: number) => Math.round(n * 10) / 10;

/** One automatic flag on a submitted figure, with the figures behind it and the officer's explanation. */
export interface FlagContext {
  itemCode: string;
  kind: FlagKind;
  current: number | null;
  /** change and stoppedCollecting: the authority's figure last round, and that round. */
  previous: { number: number; referenceDate: string; title_en: string; title_cy: string } | null;
  /** change: the change as a percentage of last round's figure (null from a zero). */
  changePercent: number | null;
  /** outlier: the authority's rate per 10,000, and the other authorities' median and spread. */
  rate: number | null;
  peers: { count: number; median: number; spread: number; low: number; high: number } | null;
  /**
   * Whether the officer's own checks raised it too when they submitted, and so asked them to explain
   * it. An outlier against figures officers may not see is the reader's only (decision 019).
   */
  askedOfOfficer: boolean;
  explanation: string | null;
}

/**
 * The automatic flags on a return's submitted version, each with its figures: last round's figure
 * and the change, or the rate against the peers' median and spread (the median absolute deviation,
 * as the check uses). Read as `reader`: a reader who may not see a peer's figure gets no median.
 */
export async function flagsInContext(db: Executor, reader: Reader, scope: ReturnScope): Promise<FlagContext[]> {
  const { collection, authorityCode } = scope;
  const [values, previous, rates] = await Promise.all([
    submittedValues(db, scope),
    previousValues(db, reader, { authorityCode, before: collection.reference_date, itemCodes: collection.items.map((i) => i.code) }),
    rateBasis(db, reader, { collection, authorityCode }),
  ]);
  const definition = returnDefinition(collection);
  const findings = findFlags(definition, values, { previous, ...rates });
  if (findings.length === 0) return [];
  // What the officer's checks raised when they submitted; for a version submitted before that was
  // kept, their checks as they read now (the same last round; only the rate check's peers differ).
  const officers =
    (await flagsAskedAtSubmission(db, scope)) ??
    (findings.some((f) => f.kind === "outlier") ? findFlags(definition, values, await flagBasis(db, scope)) : findings);
  const roundCodes = [...new Set([...previous.values()].map((p) => p.collectionCode))];
  const rounds = new Map(
    (roundCodes.length > 0
      ? await db.selectFrom("collection").select(["code", "reference_date"]).where("code", "in", roundCodes).execute()
      : []
    ).map((r) => [r.code, r.reference_date]),
  );
  return findings.map((finding) => {
    const value = values[finding.itemCode]!;
    const before = previous.get(finding.itemCode);
    const last =
      before && before.number !== null
        ? {
            number: before.number,
            referenceDate: rounds.get(before.collectionCode) ?? "",
            title_en: before.title_en,
            title_cy: before.title_cy,
          }
        : null;
    const sorted = [...(rates.peerRates.get(finding.itemCode) ?? [])].sort((a, b) => a - b);
    const centre = sorted.length > 0 ? median(sorted) : 0;
    const denominator = rates.denominators.get(finding.itemCode);
    return {
      itemCode: finding.itemCode,
      kind: finding.kind,
      current: value.number,
      previous: finding.kind === "outlier" ? null : last,
      changePercent:
        finding.kind === "change" && last && last.number !== 0 && value.number !== null
          ? oneDecimal(((value.number - last.number) / last.number) * 100)
          : null,
      rate: finding.kind === "outlier" && denominator && value.number !== null ? oneDecimal((value.number / denominator) * 10_000) : null,
      peers:
        finding.kind === "outlier" && sorted.length > 0
          ? {
              count: sorted.length,
              median: oneDecimal(centre),
              spread: oneDecimal(median(sorted.map((r) => Math.abs(r - centre)).sort((a, b) => a - b))),
              low: oneDecimal(sorted[0]!),
              high: oneDecimal(sorted[sorted.length - 1]!),
            }
          : null,
      askedOfOfficer: officers.some((f) => f.itemCode === finding.itemCode && f.kind === finding.kind),
      explanation: value.queryExplanation,
    };
  });
}

/** Why a submitted return cannot be accepted in bulk; none when it is clean. */
export type NotClean = "openQueries" | "unexplainedFlags" | "notSubmitted";

/**
 * The returns of a round waiting for acceptance (submitted or queried), each with whether it is
 * clean: submitted, no open query, and every automatic flag on it explained.
 */
export async function acceptanceCandidates(db: Executor, reader: Reader, collection: CollectionWithItems) {
  const rows = await db
    .selectFrom("return as r")
    .innerJoin("collection as c", "c.id", "r.collection_id")
    .innerJoin("authority as a", "a.code", "r.authority_code")
    .innerJoin("return_version as rv", (join) => join.onRef("rv.return_id", "=", "r.id").onRef("rv.version", "=", "r.submitted_version"))
    .select((eb) => [
      "a.code",
      "a.name_en",
      "a.name_cy",
      "r.status",
      "r.lock_version as lockVersion",
      "r.submitted_version as version",
      "rv.submitted_at as submittedAt",
      eb
        .selectFrom("value_query as q")
        .select((q) => q.fn.countAll<number>().as("n"))
        .whereRef("q.return_id", "=", "r.id")
        .where("q.status", "=", "open")
        .as("openQueries"),
    ])
    .where("c.id", "=", collection.id)
    .where("r.status", "in", ["submitted", "queried"])
    .where(reader.sees(RETURN))
    .orderBy("a.name_en")
    .execute();
  return Promise.all(
    rows.map(async (row) => {
      const flags = await flagsInContext(db, reader, { collection, authorityCode: row.code });
      const unexplained = flags.filter((f) => !f.explanation).map((f) => f.itemCode);
      const openQueries = Number(row.openQueries ?? 0);
      const problem: NotClean | null =
        row.status !== "submitted" ? "notSubmitted" : openQueries > 0 ? "openQueries" : unexplained.length > 0 ? "unexplainedFlags" : null;
      return { ...row, openQueries, flags: flags.length, unexplained, problem };
    }),
  );
}

export type Candidate = Awaited<ReturnType<typeof acceptanceCandidates>>[number];

export type BulkAcceptResult =
  | { ok: true; accepted: string[] }
  | { ok: false; refused: { authorityCode: string; reason: Exclude<AcceptResult, { ok: true }>["reason"] | "notClean" }[] };

/**
 * Accepts several returns of one round in one transaction, each at the lock version the
 * coordinator confirmed: all of them, or (when any has changed or is no longer clean) none.
 * Each acceptance is audited as a single one is.
 */
export async function acceptInBulk(
  db: Kysely<Database>,
  reader: Reader,
  collection: CollectionWithItems,
  { returns, actor, now = new Date() }: { returns: { authorityCode: string; basedOn: number }[]; actor: Actor; now?: Date },
): Promise<BulkAcceptResult> {
  return db
    .transaction()
    .execute(async (trx) => {
      const refused: Exclude<BulkAcceptResult, { ok: true }>["refused"] = [];
      for (const { authorityCode, basedOn } of returns) {
        const scope = { collection, authorityCode };
        const ret = await findReturn(trx, scope);
        // Re-read inside the transaction: a flag explained at confirmation must still be explained.
        const flags = ret ? await flagsInContext(trx, reader, scope) : [];
        if (flags.some((f) => !f.explanation)) {
          refused.push({ authorityCode, reason: "notClean" });
          continue;
        }
        const result = await acceptReturnIn(trx, scope, { basedOn, actor, now });
        if (!result.ok) refused.push({ authorityCode, reason: result.reason });
      }
      if (refused.length > 0) throw new BulkRefused(refused);
      return { ok: true as const, accepted: returns.map((r) => r.authorityCode) };
    })
    .catch((error: unknown) => {
      if (error instanceof BulkRefused) return { ok: false as const, refused: error.refused };
      throw error;
    });
}

class BulkRefused extends Error {
  constructor(readonly refused: Exclude<BulkAcceptResult, { ok: true }>["refused"]) {
    super("Bulk acceptance refused");
  }
}
