/**
 * The Welsh Government workbook of one collection. Every figure in it comes from the aggregation
 * module (coverageTotals, authorityCells, reasonGroups, tidyCellsPage); this module only lays
 * them out, translates the words, and, for publication, puts marks in place of small counts.
 */
import ExcelJS from "exceljs";
import type { Kysely } from "kysely";
import type { Database, Language } from "#db/types.ts";
import {
  authorityCells,
  coverageTotals,
  itemDenominators,
  reasonGroups,
  tidyCellsPage,
  type AuthorityCell,
  type DenominatorInfo,
  type TidyCell,
} from "#app/models/aggregation.server.ts";
import type { Reader } from "#app/auth/policy.server.ts";
import { listAuthorities } from "#app/models/authority.server.ts";
import { recordAudit, type Executor } from "#app/models/audit.server.ts";
import type { CollectionWithItems } from "#app/models/collection.server.ts";
import { coverageText } from "#app/domain/coverage.ts";
import { roundStage, type RoundStage } from "#app/domain/round.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { MARKS, NOTHING_SUPPRESSED, planOf, type SuppressionPlan } from "#app/domain/disclosure.ts";
import { planRelease } from "#app/models/statistics.server.ts";
import {
  fill,
  finishTable,
  fitColumns,
  figureFormat,
  fitRowHeights,
  FORMAT,
  printSetup,
  STATE_FILL,
  styleHeader,
  walesWallTime,
} from "./excel-format.server.ts";
import { formatDate, formatDateTime, formatNumber, pick, translator, type Translator } from "#app/i18n/i18n.ts";
import { asShownIn } from "#app/i18n/portal-text.ts";
import { figureStatus, TIDY_COLUMNS, type TidyColumn, tidyHeaders, tidyValues, UNPUBLISHED_COLUMNS } from "./tidy-table.ts";
import { areaNames, coverageCounts, coverageHeadings } from "./summary-sheet.server.ts";
import { describeDeviation } from "#app/domain/values.ts";
import { denominatorSource, ratePer } from "#app/domain/denominators.ts";

export interface WorkbookOptions {
  lang: Language;
  /**
   * Small counts suppressed, for publication, and the workbook recorded as a release of the round,
   * so that later releases protect what it hides; otherwise every figure is kept.
   */
  publish: boolean;
  /** Whose figures the workbook may hold. */
  reader: Reader;
  /** Who takes it: their name goes on the About sheet. */
  exportedBy: { id: number; name: string };
  now?: Date;
}

const PAGE = 5000;

/** Every row of one collection's tidy table that the reader may see, read a page at a time. */
export async function collectionTidyCells(db: Executor, reader: Reader, collectionId: number): Promise<TidyCell[]> {
  const cells: TidyCell[] = [];
  for (let page = await tidyCellsPage(db, reader, { collectionId, limit: PAGE }); page.length > 0; ) {
    cells.push(...page);
    if (page.length < PAGE) break;
    page = await tidyCellsPage(db, reader, { collectionId, after: page.at(-1)!, limit: PAGE });
  }
  return cells;
}

type Authorities = Awaited<ReturnType<typeof listAuthorities>>;

export async function collectionWorkbook(db: Kysely<Database>, collection: CollectionWithItems, options: WorkbookOptions): Promise<Buffer> {
  const t = translator(options.lang);
  const [totals, cells, groups, authorities, tidy, denominators] = await Promise.all([
    coverageTotals(db, options.reader, collection.id),
    authorityCells(db, options.reader, collection.id),
    reasonGroups(db, options.reader, collection.id),
    listAuthorities(db),
    collectionTidyCells(db, options.reader, collection.id),
    itemDenominators(db, collection.id),
  ]);
  const plan = options.publish
    ? planOf(
        await db.transaction().execute(async (trx) => {
          const release = await planRelease(
            trx,
            collection,
            { authorities, cells, totals },
            { kind: "workbook", releasedBy: options.exportedBy.id },
          );
          await recordAudit(trx, {
            actorUserId: options.exportedBy.id,
            action: "collection.workbook_for_publication",
            entity: "collection",
            entityKey: collection.id,
            after: { suppressed: { cells: release.cells.length, totals: release.totals.length } },
          });
          return release;
        }),
      )
    : NOTHING_SUPPRESSED;
  // A workbook for publication says what the published statistics say about a figure, no more: the
  // answer to an automatic query and the words first written can give away a [c] beside them.
  const cell = new Map(
    cells.map((c) => [`${c.authorityCode}:${c.itemCode}`, options.publish ? { ...c, queryExplanation: null, asWritten: null } : c]),
  );
  const cellOf = (authorityCode: string, itemCode: string) => cell.get(`${authorityCode}:${itemCode}`)!;
  const labels = Object.fromEntries(collection.items.map((i) => [i.code, pick(t.lang, i, "label")]));
  const stage = roundStage(collection, todayInWales(options.now));
  const provisional = figureStatus(collection.status) === "provisional";
  const tidyColumns = options.publish ? TIDY_COLUMNS.filter((column) => !UNPUBLISHED_COLUMNS.has(column)) : TIDY_COLUMNS;
  const context: SheetContext = { t, collection, authorities, cellOf, plan, labels, stage, denominators, provisional, tidyColumns };

  const workbook = new ExcelJS.Workbook();
  workbook.creator = t("service.name");
  workbook.created = options.now ?? new Date();
  aboutSheet(workbook, context, totals, options);
  summarySheet(workbook, context, totals);
  byAuthoritySheet(workbook, context);
  gapsSheet(workbook, context, groups);
  notesSheet(workbook, context);
  definitionsSheet(workbook, context);
  dataSheet(workbook, context, tidy);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

interface SheetContext {
  t: Translator;
  collection: CollectionWithItems;
  authorities: Authorities;
  cellOf: (authorityCode: string, itemCode: string) => AuthorityCell;
  plan: SuppressionPlan;
  labels: Record<string, string>;
  stage: RoundStage;
  /** What each item's rates are per 10,000 of, by item code. */
  denominators: Map<string, DenominatorInfo | null>;
  /** The round is still open: every figure is marked [p]. */
  provisional: boolean;
  /** The Data sheet's columns. */
  tidyColumns: readonly TidyColumn[];
}

function denominatorText(t: Translator, denominator: DenominatorInfo) {
  return {
    label: pick(t.lang, denominator, "label"),
    source: denominatorSource(t.lang, denominator),
    // A year, not a quantity: "2021", never "2,021".
    year: String(denominator.year),
  };
}

function totalText(t: Translator, total: number | null, suppressed: boolean) {
  if (suppressed) return MARKS.suppressed;
  return total === null ? null : formatNumber(t.lang, total);
}

function aboutSheet(
  workbook: ExcelJS.Workbook,
  { t, collection, plan, labels, stage, denominators }: SheetContext,
  totals: Awaited<ReturnType<typeof coverageTotals>>,
  options: WorkbookOptions,
) {
  const sheet = workbook.addWorksheet(t("export.sheet.about"));
  sheet.columns = [{ width: 34 }, { width: 100 }];
  const title = sheet.addRow([pick(t.lang, collection, "title")]);
  title.font = { bold: true, size: 16 };
  sheet.addRow([]);
  const pair = (label: string, value: string) => {
    const row = sheet.addRow([label, value]);
    row.getCell(1).font = { bold: true };
    row.getCell(1).alignment = { wrapText: true, vertical: "top" };
    row.getCell(2).alignment = { wrapText: true, vertical: "top" };
  };
  const heading = (text: string) => {
    sheet.addRow([]);
    sheet.addRow([text]).font = { bold: true, size: 13 };
  };
  const now = options.now ?? new Date();
  pair(t("collection.field.title"), pick(t.lang, collection, "title"));
  pair(t("catalogue.code"), collection.code);
  pair(t("collection.field.referenceDate"), formatDate(t.lang, collection.reference_date));
  pair(t("export.about.status"), t(`export.about.status.${stage}`));
  pair(t("export.about.exportedAt"), formatDateTime(t.lang, now));
  pair(t("export.about.exportedBy"), options.exportedBy.name);
  pair(
    t("export.about.figures"),
    options.publish
      ? t("export.about.forPublication", { max: collection.rules.smallCountMax, mark: MARKS.suppressed })
      : t("export.about.notForPublication"),
  );

  heading(t("export.about.source"));
  pair(t("export.about.askedBy"), t("export.about.askedByText"));
  pair(t("export.about.askedOf"), t("export.about.askedOfText"));
  pair(
    t("export.about.when"),
    t("export.about.whenText", {
      opens: formatDate(t.lang, collection.opens_on),
      due: formatDate(t.lang, collection.due_on),
      asAt: formatDate(t.lang, collection.reference_date),
    }),
  );
  pair(t("collection.guidance"), pick(t.lang, collection, "guidance"));
  // Each denominator once, with the items whose rates are per 10,000 of it.
  const byDenominator = new Map<string | null, { denominator: DenominatorInfo | null; items: string[] }>();
  for (const item of collection.items) {
    const denominator = denominators.get(item.code) ?? null;
    const entry = byDenominator.get(denominator?.code ?? null) ?? { denominator, items: [] };
    entry.items.push(labels[item.code]!);
    byDenominator.set(denominator?.code ?? null, entry);
  }
  for (const { denominator, items } of byDenominator.values()) {
    const list = items.join("; ");
    pair(
      t("export.about.denominator"),
      denominator
        ? t("export.about.denominatorText", { ...denominatorText(t, denominator), items: list })
        : t("export.about.noDenominator", { items: list }),
    );
  }
  pair(t("export.about.contact"), t("export.about.contactText"));

  heading(t("export.about.questions"));
  for (const item of collection.items) pair(pick(t.lang, item, "label"), pick(t.lang, item, "definition"));

  heading(t("export.about.coverage"));
  for (const total of totals.filter((row) => row.regionCode === null)) {
    const shown = totalText(t, total.total, plan.total(total.itemCode, null));
    const sentence =
      shown === null
        ? t("collection.totals.noComparable")
        : t("coverage.sentence", { total: shown, comparable: total.comparable, expected: total.expected });
    pair(labels[total.itemCode] ?? total.itemCode, coverageText(t, total, stage, sentence));
  }

  heading(t("export.about.legend"));
  for (const state of ["reported", "not_collected", "unknown", "not_applicable", "blank", "noReturn"] as const) {
    pair(t(`state.${state}`), t(`export.legend.${state}`));
  }
  pair(MARKS.nonComparable, t("export.legend.nonComparable", { mark: MARKS.nonComparable }));
  if (figureStatus(collection.status) === "provisional")
    pair(MARKS.provisional, t("export.legend.provisional", { mark: MARKS.provisional }));
  pair(MARKS.suppressed, t("export.legend.suppressed", { mark: MARKS.suppressed, max: collection.rules.smallCountMax }));
  pair(t("export.legend.notesLabel"), t("export.legend.notes"));
  pair(t("export.sheet.data"), t("export.legend.codes"));
  fitRowHeights(sheet);
  printSetup(sheet);
}

function summarySheet(
  workbook: ExcelJS.Workbook,
  { t, authorities, plan, labels, stage }: SheetContext,
  totals: Awaited<ReturnType<typeof coverageTotals>>,
) {
  const sheet = workbook.addWorksheet(t("export.sheet.summary"));
  const areaName = areaNames(t, authorities);
  const headers = [
    t("export.column.itemCode"),
    t("collection.totals.item"),
    t("export.column.area"),
    t("collection.totals.total"),
    ...coverageHeadings(t),
    t("collection.totals.coverage"),
  ];
  sheet.addRow(headers);
  for (const total of totals) {
    const suppressed = plan.total(total.itemCode, total.regionCode);
    const row = sheet.addRow([
      total.itemCode,
      labels[total.itemCode] ?? total.itemCode,
      areaName(total.regionCode),
      suppressed ? MARKS.suppressed : total.total,
      ...coverageCounts(total),
      total.total === null ? t("collection.totals.noComparable") : coverageText(t, total, stage),
    ]);
    for (let column = 4; column <= 12; column++) row.getCell(column).numFmt = FORMAT.count;
    if (total.regionCode === null) row.font = { bold: true };
  }
  finishTable(sheet, { lastRow: sheet.rowCount, columns: headers.length, freezeColumns: 3 });
  fitColumns(sheet);
}

function valueCell(t: Translator, target: ExcelJS.Cell, value: AuthorityCell, suppressed: boolean, provisional: boolean) {
  if (value.returnStatus === null) target.value = t("state.noReturn");
  else if (value.state === null) target.value = t("state.blank");
  else if (value.state !== "reported") target.value = t(`state.${value.state}`);
  else if (suppressed) target.value = MARKS.suppressed;
  else {
    target.value = value.number;
    target.numFmt = figureFormat({ comparable: value.comparable, provisional });
  }
  if (value.state === "reported" && !value.comparable) target.font = { italic: true };
  const note = noteLines(t, value);
  if (note.length > 0) target.note = note.join("\n");
  target.alignment = { horizontal: "right" };
}

/** Everything said about a value, each with what it is: what differed, why there is none, notes, and the authority's own words. */
function valueNotes(t: Translator, value: AuthorityCell): [kind: string, text: string][] {
  const notes: [string, string][] = [];
  // The portal's own notes in the workbook's language; the authorities' words as they wrote them.
  const words = (text: string) => asShownIn(t.lang, text, value.textLang).text;
  if (value.state === "reported" && !value.comparable) notes.push([t("export.notes.kind.deviation"), describeDeviation(t, value)]);
  if (value.reason) notes.push([t("export.notes.kind.reason"), words(value.reason)]);
  if (value.caveat) notes.push([t("export.notes.kind.caveat"), words(value.caveat)]);
  if (value.queryExplanation) notes.push([t("value.queryExplanation"), words(value.queryExplanation)]);
  if (value.asWritten) notes.push([t("value.asWritten"), value.asWritten]);
  return notes;
}

function noteLines(t: Translator, value: AuthorityCell) {
  return valueNotes(t, value).map(([kind, text]) => `${kind}: ${text}`);
}

function authorityColumns(t: Translator) {
  return [t("chase.csv.authorityCode"), t("collection.authorities.authority"), t("collection.authorities.region")];
}

function authorityRow(t: Translator, authority: Authorities[number]) {
  return [authority.code, pick(t.lang, authority, "name"), t.lang === "cy" ? authority.region_cy : authority.region_en];
}

function byAuthoritySheet(
  workbook: ExcelJS.Workbook,
  { t, collection, authorities, cellOf, plan, labels, denominators, provisional }: SheetContext,
) {
  const sheet = workbook.addWorksheet(t("export.sheet.byAuthority"));
  const rateHeader = (itemCode: string) => {
    const item = labels[itemCode]!;
    const denominator = denominators.get(itemCode) ?? null;
    return denominator
      ? t("export.column.rateSourced", { item, ...denominatorText(t, denominator), per: ratePer(t, denominator) })
      : t("export.column.rate", { item, per: ratePer(t, null) });
  };
  const headers = [...authorityColumns(t), ...collection.items.flatMap((item) => [labels[item.code]!, rateHeader(item.code)])];
  sheet.addRow(headers);
  for (const authority of authorities) {
    const row = sheet.addRow(authorityRow(t, authority));
    collection.items.forEach((item, i) => {
      const value = cellOf(authority.code, item.code);
      const suppressed = plan.cell(authority.code, item.code);
      valueCell(t, row.getCell(4 + 2 * i), value, suppressed, provisional);
      const rate = row.getCell(5 + 2 * i);
      // Rates are of comparable figures only, as the totals are.
      if (value.comparable && value.rate !== null) {
        rate.value = suppressed ? MARKS.suppressed : value.rate;
        rate.numFmt = FORMAT.rate;
        rate.alignment = { horizontal: "right" };
      }
    });
  }
  finishTable(sheet, { lastRow: sheet.rowCount, columns: headers.length, freezeColumns: 2 });
  fitColumns(sheet, { max: 40, minOf: itemColumnsAtLeast16 });
}

/** Columns of figures under long item labels: wide enough that the labels wrap to a few lines. */
const itemColumnsAtLeast16 = (column: number) => (column >= 4 ? 16 : 8);

function gapsSheet(
  workbook: ExcelJS.Workbook,
  { t, collection, authorities, cellOf, labels }: SheetContext,
  groups: Awaited<ReturnType<typeof reasonGroups>>,
) {
  const sheet = workbook.addWorksheet(t("export.sheet.gaps"));
  const headers = [...authorityColumns(t), ...collection.items.map((item) => labels[item.code]!)];
  sheet.addRow(headers);
  for (const authority of authorities) {
    const row = sheet.addRow(authorityRow(t, authority));
    collection.items.forEach((item, i) => {
      const value = cellOf(authority.code, item.code);
      const target = row.getCell(4 + i);
      const [text, colour] =
        value.returnStatus === null
          ? [t("state.noReturn"), STATE_FILL.noReturn]
          : value.state === null
            ? [t("state.blank"), STATE_FILL.missing]
            : value.state !== "reported"
              ? [t(`state.${value.state}`), STATE_FILL.missing]
              : value.comparable
                ? [t("export.gaps.comparable"), STATE_FILL.comparable]
                : [`${t("export.gaps.nonComparable")} ${MARKS.nonComparable}`, STATE_FILL.nonComparable];
      target.value = text;
      target.fill = fill(colour);
      const note = noteLines(t, value);
      if (note.length > 0) target.note = note.join("\n");
    });
  }
  const gridEnd = sheet.rowCount;
  finishTable(sheet, { lastRow: gridEnd, columns: headers.length, freezeColumns: 2 });

  const names = new Map(authorities.map((a) => [a.code, pick(t.lang, a, "name")]));
  sheet.addRow([]);
  sheet.addRow([t("export.gaps.reasons")]).font = { bold: true, size: 13 };
  const reasonsHeader = sheet.addRow([
    t("export.column.itemCode"),
    t("collection.totals.item"),
    t("export.column.answer"),
    t("value.reason"),
    t("export.gaps.count"),
    t("export.gaps.authorities"),
  ]);
  styleHeader(reasonsHeader);
  for (const group of groups) {
    const row = sheet.addRow([
      group.itemCode,
      labels[group.itemCode] ?? group.itemCode,
      t(`state.${group.state}`),
      group.reason,
      group.authorityCodes.length,
      group.authorityCodes.map((code) => names.get(code) ?? code).join(", "),
    ]);
    row.alignment = { vertical: "top" };
  }
  fitColumns(sheet, { max: 50, minOf: itemColumnsAtLeast16 });
}

function notesSheet(workbook: ExcelJS.Workbook, { t, collection, authorities, cellOf, plan, labels, provisional }: SheetContext) {
  const sheet = workbook.addWorksheet(t("export.sheet.notes"));
  const headers = [
    ...authorityColumns(t).slice(0, 2),
    t("export.column.itemCode"),
    t("collection.totals.item"),
    t("export.column.answer"),
    t("export.column.value"),
    t("export.notes.kind"),
    t("export.notes.text"),
  ];
  sheet.addRow(headers);
  for (const authority of authorities) {
    for (const item of collection.items) {
      const value = cellOf(authority.code, item.code);
      for (const [kind, text] of valueNotes(t, value)) {
        const row = sheet.addRow([
          authority.code,
          pick(t.lang, authority, "name"),
          item.code,
          labels[item.code]!,
          value.state ? t(`state.${value.state}`) : t("state.blank"),
        ]);
        const figure = row.getCell(6);
        if (value.state === "reported") {
          figure.value = plan.cell(authority.code, item.code) ? MARKS.suppressed : value.number;
          figure.numFmt = figureFormat({ comparable: value.comparable, provisional });
        }
        row.getCell(7).value = kind;
        row.getCell(8).value = text;
      }
    }
  }
  finishTable(sheet, { lastRow: sheet.rowCount, columns: headers.length, freezeColumns: 2 });
  fitColumns(sheet, { max: 80 });
}

function definitionsSheet(workbook: ExcelJS.Workbook, { t, collection }: SheetContext) {
  const sheet = workbook.addWorksheet(t("export.sheet.definitions"));
  const headers = [
    t("export.column.itemCode"),
    t("itemForm.labelEn"),
    t("itemForm.labelCy"),
    t("export.definitions.definitionEn"),
    t("export.definitions.definitionCy"),
    t("catalogue.ageBand"),
    t("itemForm.min"),
    t("export.definitions.max"),
    t("collectionForm.required"),
    t("catalogue.parent"),
  ];
  sheet.addRow(headers);
  for (const item of collection.items) {
    sheet.addRow([
      item.code,
      item.label_en,
      item.label_cy,
      item.definition_en,
      item.definition_cy,
      item.age_from !== null && item.age_to !== null ? t("value.ageBand", { from: item.age_from, to: item.age_to }) : null,
      item.min_value,
      item.max_value,
      item.required ? t("export.required.yes") : t("export.required.no"),
      item.parent_code,
    ]);
  }
  finishTable(sheet, { lastRow: sheet.rowCount, columns: headers.length, freezeColumns: 1 });
  fitColumns(sheet, { max: 70 });
}

function dataSheet(workbook: ExcelJS.Workbook, { t, plan, provisional, tidyColumns }: SheetContext, tidy: TidyCell[]) {
  const sheet = workbook.addWorksheet(t("export.sheet.data"));
  sheet.addRow(tidyHeaders(t, tidyColumns));
  for (const cell of tidy) {
    const values = tidyValues(t, cell, { suppressed: plan.cell(cell.authorityCode, cell.itemCode) });
    const row = sheet.addRow(
      tidyColumns.map((column) =>
        column === "submittedAt" && values.submittedAt instanceof Date ? walesWallTime(values.submittedAt) : values[column],
      ),
    );
    tidyColumns.forEach((column, i) => {
      const target = row.getCell(i + 1);
      if (column === "submittedAt") target.numFmt = FORMAT.dateTime;
      else if (target.value instanceof Date) target.numFmt = FORMAT.date;
      else if (column === "value") target.numFmt = figureFormat({ comparable: true, provisional });
    });
  }
  finishTable(sheet, { lastRow: sheet.rowCount, columns: tidyColumns.length, freezeColumns: 0 });
  fitColumns(sheet, { max: 50 });
}
