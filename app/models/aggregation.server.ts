/**
 * Every total, count and rate the portal shows or exports comes from here, in SQL, so the pages,
 * the workbook and the CSV always agree. Totals read each return's latest submitted version:
 * drafts, and amendments still in progress, never reach a total. Every function that reads figures
 * takes the reader, and returns only what that reader may see (policy.server.ts).
 */
import { sql, type Expression, type ExpressionBuilder, type Selectable } from "kysely";
import type { CollectionItemTable, CollectionStatus, Database, DenominatorTable, Language, ReturnTable, ValueState } from "#db/types.ts";
import type { Reader } from "#app/auth/policy.server.ts";
import type { CleanValue } from "#app/schema/return-values.ts";
import type { Executor } from "./audit.server.ts";
import { VALUE_COLUMNS } from "./value-columns.server.ts";

export interface Coverage {
  /** Authorities expected to answer: all 22 for Wales, a region's members for a region. */
  expected: number;
  comparable: number;
  nonComparable: number;
  notCollected: number;
  unknown: number;
  notApplicable: number;
  /** A submitted return that left this (optional) item blank. */
  notAnswered: number;
  noReturn: number;
}

/** A total of comparable values, and whether the reader is kept from it. */
export interface Total {
  /** The sum of comparable values only; null when no authority gave one, or when it is withheld. */
  total: number | null;
  /** The reader may not see every figure the total is made of: they get its coverage only. */
  withheld: boolean;
}

export interface CoverageTotal extends Coverage, Total {
  itemCode: string;
  /** null for the whole of Wales. */
  regionCode: string | null;
}

/** Where submittedCells and the queries like it have the figure's collection, return and authority. */
const CELL = { collection: "c", ret: "r", authorityCode: "a.code" };

/**
 * The denominator an item's rates are per 10,000 of: the item's own, else its collection's
 * (decision 012). For queries that have the item as `di` and the collection as `c`.
 */
const RATE_DENOMINATOR = sql<string | null>`coalesce(di.denominator_code, c.denominator_code)`;

/** The sum of the comparable values a query groups, for a reader who may see every one of them. */
function comparableTotal(reader: Reader) {
  const visible = reader.seesEvery(CELL, sql<boolean>`v.is_comparable`);
  return [
    sql<number | null>`case when ${visible} then sum(v.number) filter (where v.is_comparable) end`.as("total"),
    sql<boolean>`not ${visible}`.as("withheld"),
  ] as const;
}

/** The Coverage of the values a query groups, one per authority expected (`r` the return, `v` the value). */
const COVERAGE_COUNTS = [
  sql<number>`count(*)`.as("expected"),
  sql<number>`count(*) filter (where v.is_comparable)`.as("comparable"),
  sql<number>`count(*) filter (where v.state = 'reported' and not v.is_comparable)`.as("nonComparable"),
  sql<number>`count(*) filter (where v.state = 'not_collected')`.as("notCollected"),
  sql<number>`count(*) filter (where v.state = 'unknown')`.as("unknown"),
  sql<number>`count(*) filter (where v.state = 'not_applicable')`.as("notApplicable"),
  sql<number>`count(*) filter (where r.id is not null and v.state is null)`.as("notAnswered"),
  sql<number>`count(*) filter (where r.id is null)`.as("noReturn"),
] as const;

/**
 * The submitted value of the cell whose return is `r` and item `ci`, as `v`, to be joined laterally:
 * one primary-key lookup per cell. As a plain join, the planner's cost of those lookups (660 at
 * random_page_cost 4) can pass that of hashing every value of every round, and at ten years of
 * history it read all 77,000 for each page: 45 ms where the lookups take 3. A subquery with a limit
 * is not flattened into a join, so the lookups are its only plan.
 */
function submittedValue(eb: ExpressionBuilder<Database & { r: ReturnTable; ci: CollectionItemTable }, "r" | "ci">) {
  return eb
    .selectFrom("return_version_value")
    .select([...VALUE_COLUMNS, "is_comparable", "text_lang"])
    .whereRef("return_id", "=", "r.id")
    .whereRef("version", "=", "r.submitted_version")
    .whereRef("item_code", "=", "ci.item_code")
    .limit(1)
    .as("v");
}

/** Each authority's latest submitted value of each item of a collection, blank where there is none. */
function submittedCells(db: Executor, collectionId: number) {
  return db
    .selectFrom("collection_item as ci")
    .innerJoin("collection as c", "c.id", "ci.collection_id")
    .innerJoin("authority as a", (join) => join.onTrue())
    .leftJoin("return as r", (join) =>
      join
        .onRef("r.collection_id", "=", "ci.collection_id")
        .onRef("r.authority_code", "=", "a.code")
        .on("r.submitted_version", "is not", null),
    )
    .leftJoinLateral(submittedValue, (join) => join.onTrue())
    .where("ci.collection_id", "=", collectionId);
}

/** The Wales and regional totals of each item, with their coverage; a total the reader may not see is withheld. */
export async function coverageTotals(db: Executor, reader: Reader, collectionId: number): Promise<CoverageTotal[]> {
  const rows = await submittedCells(db, collectionId)
    .select([
      "ci.item_code as itemCode",
      sql<string | null>`case when grouping(a.region_code) = 0 then a.region_code end`.as("regionCode"),
      ...comparableTotal(reader),
      ...COVERAGE_COUNTS,
    ])
    .groupBy(sql`grouping sets ((ci.position, ci.item_code), (ci.position, ci.item_code, a.region_code))`)
    .orderBy("ci.position")
    .orderBy(sql`a.region_code nulls first`)
    .execute();
  return rows.map((r) => ({ ...r, total: r.total === null ? null : Number(r.total) }));
}

/** One authority's value of one item (its fields as the schema's CleanValue has them) and where its return stands. */
export interface AuthorityCell extends CleanValue {
  authorityCode: string;
  itemCode: string;
  returnStatus: string | null;
  submittedVersion: number | null;
  comparable: boolean;
  /** The language the reason, counting note, caveat and explanation were written in; null: not known. */
  textLang: Language | null;
  /** What the authority actually wrote, where the value was read from free text, and its language. */
  asWritten: string | null;
  asWrittenLang: Language | null;
  /**
   * Per 10,000 of the item's denominator (itemDenominators); null when the value or the denominator is missing,
   * and for a value counted differently: a rate is given only where it can be compared (decision 012).
   */
  rate: number | null;
}

/** Each authority's value of each item of a collection, for the authorities whose figures the reader may see. */
export async function authorityCells(db: Executor, reader: Reader, collectionId: number): Promise<AuthorityCell[]> {
  return submittedCells(db, collectionId)
    .where(reader.sees(CELL))
    .leftJoin("reply_text as rt", (join) => join.onRef("rt.return_id", "=", "r.id").onRef("rt.item_code", "=", "ci.item_code"))
    .innerJoin("data_item as di", "di.code", "ci.item_code")
    .leftJoin("denominator_value as d", (join) =>
      join.on("d.denominator_code", "=", RATE_DENOMINATOR).onRef("d.authority_code", "=", "a.code"),
    )
    .select([
      "a.code as authorityCode",
      "ci.item_code as itemCode",
      "r.status as returnStatus",
      "r.submitted_version as submittedVersion",
      "v.state",
      "v.number",
      sql<boolean>`coalesce(v.is_comparable, false)`.as("comparable"),
      "v.reason",
      "v.age_from as ageFrom",
      "v.age_to as ageTo",
      "v.reference_date_used as referenceDateUsed",
      "v.counting_note as countingNote",
      "v.caveat",
      "v.query_explanation as queryExplanation",
      "v.text_lang as textLang",
      "rt.text as asWritten",
      "rt.lang as asWrittenLang",
      sql<number | null>`case when v.is_comparable then v.number * 10000.0 / d.value end`.as("rate"),
    ])
    .orderBy("a.code")
    .orderBy("ci.position")
    .execute()
    .then((rows) => rows.map((r) => ({ ...r, rate: r.rate === null ? null : Number(r.rate) })));
}

export interface PreviousValue {
  state: ValueState | null;
  number: number | null;
  collectionCode: string;
  title_en: string;
  title_cy: string;
  /** The earlier round's reference date: the hint names the round by it. */
  referenceDate: string;
}

/** Where queries that start from the return have the figure's collection, return and authority. */
const RETURN = { collection: "c", ret: "r", authorityCode: "r.authority_code" };
/** A peer's return in the round the rate check compares with (`rateBasis`). */
const BASIS_RETURN = { collection: "bc", ret: "r", authorityCode: "r.authority_code" };

/**
 * The latest earlier round (by reference date) in which an authority submitted a value of an item:
 * walked from the newest round back, it stops at the first, so it reads one round however many
 * years lie behind it (the index on collection's reference date keeps the walk in order).
 */
function latestEarlierValue(
  db: Executor,
  {
    authorityCode,
    itemCode,
    before,
  }: { authorityCode: string | Expression<string>; itemCode: string | Expression<string>; before: string },
) {
  return db
    .selectFrom("collection as c")
    .innerJoin("collection_item as ci", (join) => join.onRef("ci.collection_id", "=", "c.id").on("ci.item_code", "=", itemCode))
    .innerJoin("return as r", (join) =>
      join.onRef("r.collection_id", "=", "c.id").on("r.authority_code", "=", authorityCode).on("r.submitted_version", "is not", null),
    )
    .innerJoin("return_version_value as v", (join) =>
      join.onRef("v.return_id", "=", "r.id").onRef("v.version", "=", "r.submitted_version").onRef("v.item_code", "=", "ci.item_code"),
    )
    .where("c.reference_date", "<", before)
    .orderBy("c.reference_date", "desc")
    .orderBy("c.id", "desc")
    .limit(1);
}

/**
 * This authority's latest submitted value of each item in an earlier round (by reference date),
 * where the reader may see it.
 */
export async function previousValues(
  db: Executor,
  reader: Reader,
  { authorityCode, before, itemCodes }: { authorityCode: string; before: string; itemCodes: string[] },
) {
  if (itemCodes.length === 0) return new Map<string, PreviousValue>();
  const rows = await db
    .selectFrom("data_item as di")
    .innerJoinLateral(
      (eb) =>
        latestEarlierValue(db, { authorityCode, itemCode: eb.ref("di.code"), before })
          .select([
            "v.state",
            "v.number",
            "c.code as collectionCode",
            "c.title_en",
            "c.title_cy",
            "c.reference_date as referenceDate",
            reader.sees(RETURN).as("visible"),
          ])
          .as("p"),
      (join) => join.onTrue(),
    )
    .select(["di.code", "p.state", "p.number", "p.collectionCode", "p.title_en", "p.title_cy", "p.referenceDate"])
    .where("di.code", "in", itemCodes)
    // The latest earlier round, then whether it may be seen: never an older round passed off as the last.
    .where("p.visible", "=", true)
    .execute();
  return new Map<string, PreviousValue>(rows.map(({ code, ...previous }) => [code, previous]));
}

/**
 * What the rate check compares a return's figures with, in one query: for each item, the other
 * authorities' comparable rates per 10,000 that the reader may see, from the latest round up to this
 * one in which the reader may compare authorities (this round itself for a reader of every
 * authority; for an officer, the latest closed round open to comparison, where they see accepted
 * figures only); and this authority's population for each item's rates, where its denominator has one.
 */
export async function rateBasis(
  db: Executor,
  reader: Reader,
  { collection, authorityCode }: { collection: { id: number; reference_date: string }; authorityCode: string },
) {
  const rows = await db
    // Each item's round and denominator once, before the peers' figures are read (materialized:
    // inlined, PostgreSQL looked the round up again for every peer; and the fewer tables the main
    // query joins, the less it takes to plan, which it does on every request: eight took 10 ms).
    .with(
      (cte) => cte("basis").materialized(),
      (qb) =>
        qb
          .selectFrom("collection_item as ci")
          .innerJoin("collection as c", "c.id", "ci.collection_id")
          .innerJoin("data_item as di", "di.code", "ci.item_code")
          .select((eb) => [
            "ci.item_code",
            RATE_DENOMINATOR.as("denominator_code"),
            eb
              .selectFrom("collection as round")
              .innerJoin("collection_item as round_item", "round_item.collection_id", "round.id")
              .select("round.id")
              .whereRef("round_item.item_code", "=", "ci.item_code")
              .where("round.reference_date", "<=", collection.reference_date)
              .where(reader.comparesIn("round"))
              .orderBy(sql`round.id = ${collection.id}`, "desc")
              .orderBy("round.reference_date", "desc")
              .orderBy("round.id", "desc")
              .limit(1)
              .as("round_id"),
          ])
          .where("ci.collection_id", "=", collection.id),
    )
    .selectFrom("basis")
    .innerJoin("collection as bc", "bc.id", "basis.round_id")
    .innerJoin("return as r", "r.collection_id", "bc.id")
    .innerJoin("return_version_value as v", (join) =>
      join.onRef("v.return_id", "=", "r.id").onRef("v.version", "=", "r.submitted_version").onRef("v.item_code", "=", "basis.item_code"),
    )
    // The peers' rates per this round's denominator, as this authority's own rate is.
    .innerJoin("denominator_value as d", (join) =>
      join.onRef("d.denominator_code", "=", "basis.denominator_code").onRef("d.authority_code", "=", "r.authority_code"),
    )
    .select(["basis.item_code", sql<number | null>`v.number * 10000.0 / d.value`.as("rate"), sql<number | null>`null`.as("population")])
    .where("r.authority_code", "<>", authorityCode)
    .where("v.is_comparable", "=", true)
    .where(reader.sees(BASIS_RETURN))
    .unionAll((qb) =>
      qb
        .selectFrom("basis")
        .innerJoin("denominator_value as d", (join) =>
          join.onRef("d.denominator_code", "=", "basis.denominator_code").on("d.authority_code", "=", authorityCode),
        )
        .select(["basis.item_code", sql<number | null>`null`.as("rate"), sql<number | null>`d.value`.as("population")]),
    )
    .execute();
  const peerRates = new Map<string, number[]>();
  const denominators = new Map<string, number>();
  for (const row of rows) {
    if (row.population !== null) denominators.set(row.item_code, row.population);
    else peerRates.set(row.item_code, [...(peerRates.get(row.item_code) ?? []), Number(row.rate)]);
  }
  return { peerRates, denominators };
}

export interface ReasonGroup {
  itemCode: string;
  state: Exclude<ValueState, "reported">;
  reason: string;
  /** The language the reason was written in; null when not known, or not the same for all who gave it. */
  lang: Language | null;
  /** The authorities that gave this reason, by code, in name order. */
  authorityCodes: string[];
}

/**
 * Why figures are missing: for each item and state that is not a number, each distinct reason with
 * the authorities that gave it, most common first. The same reason typed with other spacing or
 * capitals counts once.
 */
export async function reasonGroups(db: Executor, reader: Reader, collectionId: number): Promise<ReasonGroup[]> {
  const rows = await submittedCells(db, collectionId)
    .where(reader.sees(CELL))
    .select([
      "ci.item_code as itemCode",
      sql<Exclude<ValueState, "reported">>`v.state`.as("state"),
      sql<string>`min(btrim(v.reason))`.as("reason"),
      sql<Language | null>`case when count(distinct v.text_lang) = 1 and count(v.text_lang) = count(*) then min(v.text_lang) end`.as(
        "lang",
      ),
      sql<string[]>`array_agg(a.code order by a.name_en)`.as("authorityCodes"),
    ])
    .where("v.state", "in", ["not_collected", "unknown", "not_applicable"])
    .groupBy(["ci.position", "ci.item_code", "v.state", sql`lower(regexp_replace(btrim(v.reason), '\\s+', ' ', 'g'))`])
    .orderBy("ci.position")
    .orderBy(sql`count(*)`, "desc")
    .orderBy(sql`min(btrim(v.reason))`)
    .execute();
  return rows;
}

/**
 * Each authority's latest submitted value of one item in an earlier round, where the reader may see
 * it: one item's latest earlier round per authority, never every item's of every year.
 */
export async function previousCells(db: Executor, reader: Reader, { itemCode, before }: { itemCode: string; before: string }) {
  return (
    db
      .selectFrom("authority as a")
      .innerJoinLateral(
        (eb) =>
          latestEarlierValue(db, { authorityCode: eb.ref("a.code"), itemCode, before })
            .select(["v.state", "v.number", "v.is_comparable as comparable", reader.sees(RETURN).as("visible")])
            .as("p"),
        (join) => join.onTrue(),
      )
      .select(["a.code as authorityCode", "p.state", "p.number", "p.comparable"])
      // The latest earlier round, then whether it may be seen: never an older round passed off as the last.
      .where("p.visible", "=", true)
      .orderBy("a.code")
      .execute()
  );
}

export interface TrendPoint extends Coverage, Total {
  collectionCode: string;
  status: CollectionStatus;
  dueOn: string;
  title_en: string;
  title_cy: string;
  referenceDate: string;
  /**
   * Whether exactly the same authorities gave a comparable figure here as at the point before, so
   * that a line may join the two totals. Which authorities they are stays on the server.
   */
  sameCoverageAsPrevious: boolean;
}

/** Every authority's latest submitted value of an item in every published collection that asks for it, blank where there is none. */
function itemCells(db: Executor, itemCode: string) {
  return db
    .selectFrom("collection as c")
    .innerJoin("collection_item as ci", (join) => join.onRef("ci.collection_id", "=", "c.id").on("ci.item_code", "=", itemCode))
    .innerJoin("authority as a", (join) => join.onTrue())
    .leftJoin("return as r", (join) =>
      join.onRef("r.collection_id", "=", "c.id").onRef("r.authority_code", "=", "a.code").on("r.submitted_version", "is not", null),
    )
    .leftJoinLateral(submittedValue, (join) => join.onTrue())
    .where("c.status", "<>", "draft");
}

/**
 * An item across every published collection that asks for it: the Wales total of comparable values
 * (where the reader may see it), its coverage, and whether it covers the same authorities as the
 * point before it.
 */
export async function itemTrend(db: Executor, reader: Reader, itemCode: string): Promise<TrendPoint[]> {
  const rows = await itemCells(db, itemCode)
    .select([
      "c.code as collectionCode",
      "c.title_en",
      "c.title_cy",
      "c.reference_date as referenceDate",
      "c.status",
      "c.due_on as dueOn",
      ...comparableTotal(reader),
      ...COVERAGE_COUNTS,
      sql<string>`coalesce(string_agg(a.code, ',' order by a.code) filter (where v.is_comparable), '')`.as("comparableSet"),
    ])
    .groupBy(["c.id", "c.code", "c.title_en", "c.title_cy", "c.reference_date", "c.status", "c.due_on"])
    .orderBy("c.reference_date")
    .execute();
  return rows.map(({ comparableSet, ...r }, i) => ({
    ...r,
    total: r.total === null ? null : Number(r.total),
    sameCoverageAsPrevious: i > 0 && comparableSet !== "" && comparableSet === rows[i - 1]!.comparableSet,
  }));
}

/**
 * Each authority's submitted value of an item in every published collection, for per-authority
 * trends: one row per authority and collection the reader may see (`returned` false where the
 * authority gave no return), none where they may not.
 */
export async function itemHistory(db: Executor, reader: Reader, itemCode: string) {
  return itemCells(db, itemCode)
    .select([
      "a.code as authorityCode",
      "c.code as collectionCode",
      sql<boolean>`r.id is not null`.as("returned"),
      "v.state",
      "v.number",
      sql<boolean>`coalesce(v.is_comparable, false)`.as("comparable"),
    ])
    .where(reader.sees(CELL))
    .orderBy("c.reference_date")
    .orderBy("a.code")
    .execute();
}

export type DenominatorInfo = Selectable<DenominatorTable>;

/** The denominator each item of a collection's rates are per 10,000 of, by item code: null where there is none. */
export async function itemDenominators(db: Executor, collectionId: number): Promise<Map<string, DenominatorInfo | null>> {
  const rows = await db
    .selectFrom("collection_item as ci")
    .innerJoin("collection as c", "c.id", "ci.collection_id")
    .innerJoin("data_item as di", "di.code", "ci.item_code")
    .leftJoin("denominator as dn", (join) => join.on("dn.code", "=", RATE_DENOMINATOR))
    .select(["ci.item_code", "dn.code", "dn.label_en", "dn.label_cy", "dn.source", "dn.source_cy", "dn.year"])
    .where("ci.collection_id", "=", collectionId)
    .orderBy("ci.position")
    .execute();
  return new Map(rows.map(({ item_code, ...dn }) => [item_code, dn.code === null ? null : (dn as DenominatorInfo)]));
}

/** One row of the tidy table: an authority's latest submitted value of one item, blank where there is none. */
/** One value of the tidy table: its fields (CleanValue), its round, authority and item, and where its return stands. */
export interface TidyCell extends CleanValue {
  collectionId: number;
  collectionCode: string;
  referenceDate: string;
  authorityCode: string;
  authorityNameEn: string;
  authorityNameCy: string;
  regionEn: string;
  regionCy: string;
  itemCode: string;
  position: number;
  comparable: boolean;
  returnStatus: string | null;
  submittedVersion: number | null;
  submittedAt: Date | null;
  /** The round's status: an open round's figures are provisional. */
  collectionStatus: CollectionStatus;
  asWritten: string | null;
  /** Every query the coordinator raised on this value, message by message: when, who, what. */
  queryThread: string | null;
}

/** Where the previous page of tidyCellsPage ended. */
export type TidyCursor = Pick<TidyCell, "collectionId" | "authorityCode" | "position">;

/**
 * A page of the tidy table: authority x item of every published collection (or of one), ordered by
 * collection, authority and item position, read by keyset after `after`, so that an export of
 * every round reads the database in pages of constant size however long the history grows. Only
 * the rows the reader may see.
 */
export async function tidyCellsPage(
  db: Executor,
  reader: Reader,
  { collectionId, after, limit }: { collectionId?: number; after?: TidyCursor | null; limit: number },
): Promise<TidyCell[]> {
  const rows = await db
    .selectFrom("collection as c")
    .innerJoin("collection_item as ci", "ci.collection_id", "c.id")
    .innerJoin("authority as a", (join) => join.onTrue())
    .innerJoin("region as g", "g.code", "a.region_code")
    .leftJoin("return as r", (join) =>
      join.onRef("r.collection_id", "=", "c.id").onRef("r.authority_code", "=", "a.code").on("r.submitted_version", "is not", null),
    )
    .leftJoin("return_version as rv", (join) => join.onRef("rv.return_id", "=", "r.id").onRef("rv.version", "=", "r.submitted_version"))
    .leftJoin("return_version_value as v", (join) =>
      join.onRef("v.return_id", "=", "r.id").onRef("v.version", "=", "r.submitted_version").onRef("v.item_code", "=", "ci.item_code"),
    )
    .leftJoin("reply_text as rt", (join) => join.onRef("rt.return_id", "=", "r.id").onRef("rt.item_code", "=", "ci.item_code"))
    .select([
      "c.id as collectionId",
      "c.code as collectionCode",
      "c.reference_date as referenceDate",
      "a.code as authorityCode",
      "a.name_en as authorityNameEn",
      "a.name_cy as authorityNameCy",
      "g.name_en as regionEn",
      "g.name_cy as regionCy",
      "ci.item_code as itemCode",
      "ci.position",
      "v.state",
      "v.number",
      sql<boolean>`coalesce(v.is_comparable, false)`.as("comparable"),
      "v.age_from as ageFrom",
      "v.age_to as ageTo",
      "v.reference_date_used as referenceDateUsed",
      "v.counting_note as countingNote",
      "v.caveat",
      "v.reason",
      "r.status as returnStatus",
      "r.submitted_version as submittedVersion",
      "rv.submitted_at as submittedAt",
      "c.status as collectionStatus",
      "v.query_explanation as queryExplanation",
      "rt.text as asWritten",
      sql<string | null>`(
        select string_agg(
          to_char(m.at at time zone 'Europe/London', 'YYYY-MM-DD HH24:MI') || ' ' || u.name || ': ' || m.body,
          E'\n' order by q.raised_at, q.id, m.at, m.id)
        from value_query q
        join value_query_message m on m.query_id = q.id
        join app_user u on u.id = m.author_id
        where q.return_id = r.id and q.item_code = ci.item_code)`.as("queryThread"),
    ])
    .where("c.status", "<>", "draft")
    .where(reader.sees(CELL))
    .$if(collectionId !== undefined, (qb) => qb.where("c.id", "=", collectionId!))
    .$if(Boolean(after), (qb) =>
      qb.where(sql<boolean>`(c.id, a.code, ci.position) > (${after!.collectionId}, ${after!.authorityCode}, ${after!.position})`),
    )
    .orderBy("c.id")
    .orderBy("a.code")
    .orderBy("ci.position")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, submittedAt: r.submittedAt === null ? null : new Date(r.submittedAt) }));
}
