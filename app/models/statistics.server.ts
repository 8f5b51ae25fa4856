/**
 * Published statistics (decision record 011): a coordinator publishes a closed round's figures for
 * anyone to read, and may withdraw them with a reason. This is its own state, apart from the
 * round's lifecycle. A publication keeps the figures as published: every figure has been through
 * the suppression plan, and a [c] is kept as no number at all, so the public pages and files read
 * only what was published, and later amendments change nothing until the round is published again.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database, Language } from "#db/types.ts";
import type { Reader } from "#app/auth/policy.server.ts";
import { planOf, type CellFigure, type EarlierRelease, type SuppressionResult, type TotalFigure } from "#app/domain/disclosure.ts";
import { roundSuppressionPlan, UnprotectableSmallCount } from "#app/domain/suppression-plan.server.ts";
import { authorityCells, coverageTotals, reasonGroups, type Coverage, type ReasonGroup } from "./aggregation.server.ts";
import { recordAudit, type Executor } from "./audit.server.ts";
import { listAuthorities, type AuthoritySummary } from "./authority.server.ts";
import { lockRound, type CollectionWithItems } from "./collection.server.ts";
import type { CleanValue } from "#app/schema/return-values.ts";

/** A published value: its fields but the flagged figure's explanation, which is not published; `number` is null for a [c]. */
export interface PublishedCell extends Omit<CleanValue, "queryExplanation"> {
  authorityCode: string;
  itemCode: string;
  hasReturn: boolean;
  comparable: boolean;
  suppressed: boolean;
  /** The language of the reason, counting note and caveat; absent from publications made before it was kept. */
  textLang?: Language | null;
  rate: number | null;
}

export interface PublishedTotal extends Coverage {
  itemCode: string;
  regionCode: string | null;
  /** null for a [c], or when no authority gave a comparable figure. */
  total: number | null;
  suppressed: boolean;
}

export interface StatisticsFigures {
  plan: SuppressionResult;
  authorities: Omit<AuthoritySummary, "aliases">[];
  cells: PublishedCell[];
  totals: PublishedTotal[];
  reasons: ReasonGroup[];
}

export type PublishResult =
  | { ok: true }
  | { ok: false; reason: "notClosed" | "alreadyPublished" | "notPublished" | "notAccepted" }
  | { ok: false; reason: "cannotProtect"; figure: string };

/**
 * A figure of the round by its key in the published table ("cell:<authority>:<item>",
 * "total:<item>:<region>", the region empty for Wales), in words for the page that refuses a
 * release over it; null for a key that names nothing in the round.
 */
export async function figureNamed(db: Executor, collection: CollectionWithItems, key: string): Promise<FigureWords | null> {
  const [kind, first = "", second = ""] = key.split(":");
  const item = collection.items.find((i) => i.code === (kind === "cell" ? second : first));
  if (!item || (kind !== "cell" && kind !== "total")) return null;
  const authorities = await listAuthorities(db);
  const words = { item: { en: item.label_en, cy: item.label_cy }, authority: null, region: null };
  if (kind === "cell") {
    const authority = authorities.find((a) => a.code === first);
    return authority ? { ...words, authority: { en: authority.name_en, cy: authority.name_cy } } : null;
  }
  if (second === "") return words;
  const region = authorities.find((a) => a.region_code === second);
  return region ? { ...words, region: { en: region.region_en, cy: region.region_cy } } : null;
}

type Words = { en: string; cy: string };

/** A figure named for a sentence: its item, and the authority or region it is of (neither: Wales). */
export interface FigureWords {
  item: Words;
  authority: Words | null;
  region: Words | null;
}

/**
 * The figures of a round as they are published: the plan made, recorded as a release, and applied.
 * Inside the publication's transaction, so that the release is kept only if the publication is.
 */
async function statisticsFigures(
  trx: Transaction<Database>,
  reader: Reader,
  collection: CollectionWithItems,
  releasedBy: number | null,
): Promise<StatisticsFigures> {
  const [totals, cells, reasons, authorities] = await Promise.all([
    coverageTotals(trx, reader, collection.id),
    authorityCells(trx, reader, collection.id),
    reasonGroups(trx, reader, collection.id),
    listAuthorities(trx),
  ]);
  if (totals.some((t) => t.withheld) || cells.length !== authorities.length * collection.items.length) {
    throw new Error("statistics: only a reader of every figure may publish a round");
  }
  const plan = await planRelease(trx, collection, { authorities, cells, totals }, { kind: "statistics", releasedBy });
  const hidden = planOf(plan);
  return {
    plan,
    authorities: authorities.map(({ aliases: _aliases, ...a }) => a),
    cells: cells.map((c) => {
      const suppressed = hidden.cell(c.authorityCode, c.itemCode);
      return {
        authorityCode: c.authorityCode,
        itemCode: c.itemCode,
        hasReturn: c.returnStatus !== null,
        state: c.state,
        number: suppressed ? null : c.number,
        comparable: c.comparable,
        suppressed,
        reason: c.reason,
        ageFrom: c.ageFrom,
        ageTo: c.ageTo,
        referenceDateUsed: c.referenceDateUsed,
        countingNote: c.countingNote,
        caveat: c.caveat,
        textLang: c.textLang,
        rate: suppressed ? null : c.rate,
      };
    }),
    totals: totals.map(({ withheld: _withheld, ...t }) => {
      const suppressed = hidden.total(t.itemCode, t.regionCode);
      return { ...t, total: suppressed ? null : t.total, suppressed };
    }),
    reasons,
  };
}

/**
 * The plan for a release of a round's figures (its published statistics, or a workbook for
 * publication), made with every release of the round before it, and recorded with the figures it
 * was made from, so that every later release is planned with this one too. One release of a round
 * at a time: the round's row is locked until the caller's transaction ends. A release identical to
 * the one before it (the same figures, the same plan) is not recorded again.
 */
export async function planRelease(
  trx: Transaction<Database>,
  collection: CollectionWithItems,
  figures: { authorities: { code: string; region_code: string }[]; cells: CellFigure[]; totals: TotalFigure[] },
  release: { kind: "statistics" | "workbook"; releasedBy: number | null },
): Promise<SuppressionResult> {
  await lockRound(trx, collection.id);
  const earlier = await earlierReleases(trx, collection.id);
  const plan = await roundSuppressionPlan(collection, figures.authorities, figures.cells, figures.totals, earlier);
  const cells: CellFigure[] = figures.cells.map(({ authorityCode, itemCode, state, number, comparable }) => ({
    authorityCode,
    itemCode,
    state,
    number,
    comparable,
  }));
  const hidden = [...plan.cells, ...plan.totals];
  const last = earlier.at(-1);
  if (!last || !sameRelease(last, { cells, hidden })) {
    await trx
      .insertInto("disclosure_release")
      .values({
        collection_id: collection.id,
        kind: release.kind,
        released_by: release.releasedBy,
        cells: JSON.stringify(cells),
        hidden: JSON.stringify(hidden),
      })
      .execute();
  }
  return plan;
}

function sameRelease(a: Pick<EarlierRelease, "cells" | "hidden">, b: Pick<EarlierRelease, "cells" | "hidden">) {
  const figures = (release: Pick<EarlierRelease, "cells">) =>
    JSON.stringify(release.cells.map((c) => [c.authorityCode, c.itemCode, c.state, c.number, c.comparable]).sort());
  return figures(a) === figures(b) && JSON.stringify([...a.hidden].sort()) === JSON.stringify([...b.hidden].sort());
}

/**
 * The round's releases so far, withdrawn statistics included (they were public, and readers keep
 * what they downloaded): for each, the figures it was made from, with their totals, and what its
 * plan hid. A new release must not let a reader holding them work out any figure they hid (the
 * plan joins them: suppression-plan.server.ts).
 */
export async function earlierReleases(db: Executor, collectionId: number): Promise<EarlierRelease[]> {
  const releases = await db
    .selectFrom("disclosure_release")
    .select(["cells", "hidden"])
    .where("collection_id", "=", collectionId)
    .orderBy("id")
    .execute();
  if (releases.length === 0) return [];
  const regionOf = new Map((await listAuthorities(db)).map((a) => [a.code, a.region_code]));
  const parsed = <T>(json: unknown) => (typeof json === "string" ? JSON.parse(json) : json) as T;
  return releases.map((release) => {
    const cells = parsed<CellFigure[]>(release.cells);
    return { cells, totals: totalsOf(cells, regionOf), hidden: parsed<string[]>(release.hidden) };
  });
}

/** Each item's total for Wales and for each region: the sum of its comparable figures, none if there are none. */
function totalsOf(cells: CellFigure[], regionOf: Map<string, string>): TotalFigure[] {
  const sums = new Map<string, TotalFigure>();
  for (const cell of cells) {
    if (!cell.comparable || cell.state !== "reported" || cell.number === null) continue;
    for (const regionCode of [null, regionOf.get(cell.authorityCode) ?? ""]) {
      const key = `${cell.itemCode}:${regionCode ?? ""}`;
      const sum = sums.get(key) ?? { itemCode: cell.itemCode, regionCode, total: 0 };
      sum.total = (sum.total ?? 0) + cell.number;
      sums.set(key, sum);
    }
  }
  return [...sums.values()];
}

/**
 * Publishes a closed round's statistics, audited; refused for a round not closed, already published,
 * or with a return not yet accepted. `history` loads a publication made before the portal (the demo
 * data's February 2023, published from the replies as given), which no one accepted.
 */
export async function publishStatistics(
  db: Kysely<Database>,
  reader: Reader,
  collection: CollectionWithItems,
  actorUserId: number | null,
  { now = new Date(), history = false }: { now?: Date; history?: boolean } = {},
): Promise<PublishResult> {
  try {
    return await publishInTransaction(db, reader, collection, actorUserId, { now, history });
  } catch (error) {
    if (error instanceof UnprotectableSmallCount) return { ok: false, reason: "cannotProtect", figure: error.key };
    throw error;
  }
}

async function publishInTransaction(
  db: Kysely<Database>,
  reader: Reader,
  collection: CollectionWithItems,
  actorUserId: number | null,
  { now, history }: { now: Date; history: boolean },
): Promise<PublishResult> {
  return db.transaction().execute(async (trx) => {
    // The round locked before anything is checked: a publication or a reopening at the same moment
    // waits, then sees this one. A refusal plans nothing, so it records no release.
    if ((await lockRound(trx, collection.id)).status !== "closed") return { ok: false as const, reason: "notClosed" as const };
    if (await livePublication(trx, collection.id)) return { ok: false as const, reason: "alreadyPublished" as const };
    if (!history && (await returnsAwaitingAcceptance(trx, collection.id)).length > 0) {
      return { ok: false as const, reason: "notAccepted" as const };
    }
    const figures = await statisticsFigures(trx, reader, collection, actorUserId);
    const row = await trx
      .insertInto("statistics_publication")
      .values({ collection_id: collection.id, published_by: actorUserId, published_at: now, figures: JSON.stringify(figures) })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId,
      action: "statistics.publish",
      entity: "collection",
      entityKey: collection.id,
      after: { publication: row.id, suppressed: { cells: figures.plan.cells.length, totals: figures.plan.totals.length } },
    });
    return { ok: true as const };
  });
}

/**
 * The round's returns whose submitted version, the one totals read, is not the accepted one, by
 * authority code: their figures cannot be published. Everyone may read what is published, officers
 * of other authorities included, who may see another authority's figure only once it is accepted.
 * A return reopened for amendment before it was accepted is among them (`amending`): it can be
 * accepted only once it is submitted again.
 */
export async function returnsAwaitingAcceptance(db: Executor, collectionId: number) {
  return db
    .selectFrom("return as r")
    .innerJoin("authority as a", "a.code", "r.authority_code")
    .select(["a.code", "a.name_en", "a.name_cy", sql<boolean>`r.status = 'draft'`.as("amending")])
    .where("r.collection_id", "=", collectionId)
    .where("r.submitted_version", "is not", null)
    .whereRef("r.accepted_version", "is distinct from", "r.submitted_version")
    .orderBy("a.code")
    .execute();
}

/** Withdraws a round's published statistics, with a reason, audited. The publication row stays. */
export async function withdrawStatistics(
  db: Kysely<Database>,
  collection: CollectionWithItems,
  actorUserId: number,
  reason: string,
): Promise<PublishResult> {
  return db.transaction().execute(async (trx) => {
    const withdrawn = await trx
      .updateTable("statistics_publication")
      .set({ withdrawn_at: new Date(), withdrawn_by: actorUserId, withdrawn_reason: reason })
      .where("collection_id", "=", collection.id)
      .where("withdrawn_at", "is", null)
      .returning("id")
      .executeTakeFirst();
    if (!withdrawn) return { ok: false as const, reason: "notPublished" as const };
    await recordAudit(trx, {
      actorUserId,
      action: "statistics.withdraw",
      entity: "collection",
      entityKey: collection.id,
      before: { publication: withdrawn.id },
      reason,
    });
    return { ok: true as const };
  });
}

async function livePublication(db: Executor, collectionId: number) {
  return db
    .selectFrom("statistics_publication")
    .select(["id", "published_at"])
    .where("collection_id", "=", collectionId)
    .where("withdrawn_at", "is", null)
    .executeTakeFirst();
}

/** When the round's statistics were published, if they are now. */
export async function publicationOf(db: Executor, collectionId: number) {
  return (await livePublication(db, collectionId)) ?? null;
}

/** The rounds whose statistics are published now, newest reference date first. */
export async function listPublishedStatistics(db: Executor) {
  return db
    .selectFrom("statistics_publication as p")
    .innerJoin("collection as c", "c.id", "p.collection_id")
    .select(["c.code", "c.title_en", "c.title_cy", "c.reference_date", "p.published_at"])
    .where("p.withdrawn_at", "is", null)
    .orderBy("c.reference_date", "desc")
    .execute();
}

/** A round's published figures, or null when its statistics are not published. Anyone may read these. */
export async function publishedFigures(db: Executor, collectionId: number) {
  const row = await db
    .selectFrom("statistics_publication")
    .select(["id", "published_at", "figures"])
    .where("collection_id", "=", collectionId)
    .where("withdrawn_at", "is", null)
    .executeTakeFirst();
  if (!row) return null;
  const figures = (typeof row.figures === "string" ? JSON.parse(row.figures) : row.figures) as StatisticsFigures;
  return { id: row.id, publishedAt: row.published_at, figures };
}
