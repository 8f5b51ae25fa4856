/**
 * Published statistics as files (decision record 011): the StatsWales CSV, its lookup of item
 * codes, and the tidy CSV, all read from the figures as published (statistics.server.ts), so every
 * one of them carries the same numbers and the same [c] as the public page.
 *
 * The StatsWales layout, one row per value (README, "Published statistics"):
 *   area_code      W06… for an authority, the region's health-board code W11…, W92000004 for Wales
 *   area_type      authority | region | country
 *   item_code      the data item's code (its descriptions are in the lookup CSV)
 *   reference_date the round's "as at" date, ISO 8601
 *   value          a whole number, or empty where there is none to publish
 *   notes_codes    the GSS shorthand for the value, space-separated: [c] [x] [z] [u] [d] [p]
 */
import { stringify } from "csv-stringify/sync";
import ExcelJS from "exceljs";
import { formatDate, isLanguage, pick, type Translator } from "#app/i18n/i18n.ts";
import { languageOf } from "#app/i18n/language.server.ts";
import { asShownIn } from "#app/i18n/portal-text.ts";
import { describeDeviation } from "#app/domain/values.ts";
import { finishTable, fitColumns, fitRowHeights, FORMAT } from "./excel-format.server.ts";
import type { CollectionWithItems } from "#app/models/collection.server.ts";
import type { PublishedTotal, StatisticsFigures } from "#app/models/statistics.server.ts";
import { cellMarks, MARK_ORDER, MARKS, notesCodes, type Mark } from "#app/domain/disclosure.ts";
import { inertCsvText } from "./tidy-table.ts";
import { areaNames, coverageCounts, coverageHeadings } from "./summary-sheet.server.ts";

export const WALES_CODE = "W92000004";

export const STATSWALES_COLUMNS = ["area_code", "area_type", "item_code", "reference_date", "value", "notes_codes"] as const;
export const LOOKUP_COLUMNS = ["item_code", "description_en", "description_cy", "definition_en", "definition_cy"] as const;

/** The marks of a published total: [c], or [x] when no authority gave a comparable figure. */
export function totalMarks(total: Pick<PublishedTotal, "total" | "suppressed">): Mark[] {
  if (total.suppressed) return ["suppressed"];
  return total.total === null ? ["notAvailable"] : [];
}

/**
 * The portal's region code -> an ONS/GSS area code. The boards have no codes of their own; each
 * covers exactly the area of one Local Health Board, so each takes that health board's code from
 * the ONS's "Local Health Boards (April 2019) Names and Codes in Wales" (Bridgend moved from
 * Abertawe Bro Morgannwg to Cwm Taf Morgannwg on 1 April 2019, hence W11000030 and W11000031).
 */
export const REGION_ONS_CODES = new Map([
  ["north-wales", "W11000023"], // Betsi Cadwaladr University Health Board
  ["powys", "W11000024"], // Powys Teaching Health Board
  ["west-wales", "W11000025"], // Hywel Dda University Health Board
  ["gwent", "W11000028"], // Aneurin Bevan University Health Board
  ["cardiff-and-vale", "W11000029"], // Cardiff and Vale University Health Board
  ["cwm-taf-morgannwg", "W11000030"], // Cwm Taf Morgannwg University Health Board
  ["west-glamorgan", "W11000031"], // Swansea Bay University Health Board
]);

export function statsWalesRows(collection: CollectionWithItems, figures: StatisticsFigures) {
  const rows: Record<(typeof STATSWALES_COLUMNS)[number], string>[] = [];
  for (const item of collection.items) {
    for (const total of figures.totals.filter((t) => t.itemCode === item.code)) {
      rows.push({
        area_code: total.regionCode === null ? WALES_CODE : (REGION_ONS_CODES.get(total.regionCode) ?? total.regionCode),
        area_type: total.regionCode === null ? "country" : "region",
        item_code: item.code,
        reference_date: collection.reference_date,
        value: total.total === null ? "" : String(total.total),
        notes_codes: notesCodes(totalMarks(total)),
      });
    }
    for (const cell of figures.cells.filter((c) => c.itemCode === item.code)) {
      rows.push({
        area_code: cell.authorityCode,
        area_type: "authority",
        item_code: item.code,
        reference_date: collection.reference_date,
        value: cell.number === null ? "" : String(cell.number),
        notes_codes: notesCodes(cellMarks(cell)),
      });
    }
  }
  return rows;
}

export function statsWalesCsv(collection: CollectionWithItems, figures: StatisticsFigures) {
  const rows = statsWalesRows(collection, figures);
  return stringify([[...STATSWALES_COLUMNS], ...rows.map((r) => STATSWALES_COLUMNS.map((c) => r[c]))]);
}

export function itemLookupCsv(collection: CollectionWithItems) {
  return stringify([
    [...LOOKUP_COLUMNS],
    ...collection.items.map((i) => [i.code, i.label_en, i.label_cy, i.definition_en, i.definition_cy].map(inertCsvText)),
  ]);
}

/** Headers of a published file: a download anyone may cache, as the page. */
export function publishedFileHeaders(fileName: string, contentType: string): HeadersInit {
  return {
    "Content-Type": contentType,
    "Content-Disposition": `attachment; filename="${fileName}"`,
    "Cache-Control": PUBLISHED_CACHE,
  };
}

/** A public download's language: ?lang=cy or ?lang=en, otherwise the visitor's choice or browser's. */
export function publicLanguage(request: Request) {
  const asked = new URL(request.url).searchParams.get("lang");
  return isLanguage(asked) ? asked : languageOf(request);
}

/** Published statistics change only when a coordinator publishes or withdraws them. */
export const PUBLISHED_CACHE = "public, max-age=300";

export const VALUES_COLUMNS = [
  "area_code",
  "area_name",
  "region",
  "item_code",
  "item",
  "reference_date",
  "answer",
  "value",
  "notes_codes",
  "counted_differently",
  "reason",
  "caveat",
] as const;

/** The tidy table of a publication, one row per authority x item, in the reader's language. */
export function publishedValueRows(t: Translator, collection: CollectionWithItems, figures: StatisticsFigures) {
  const authority = new Map(figures.authorities.map((a) => [a.code, a]));
  return collection.items.flatMap((item) =>
    figures.cells
      .filter((c) => c.itemCode === item.code)
      .map((c) => {
        const a = authority.get(c.authorityCode)!;
        return {
          area_code: c.authorityCode,
          area_name: pick(t.lang, a, "name"),
          region: t.lang === "cy" ? a.region_cy : a.region_en,
          item_code: item.code,
          item: pick(t.lang, item, "label"),
          reference_date: collection.reference_date,
          answer: !c.hasReturn ? t("state.noReturn") : c.state === null ? t("state.blank") : t(`state.${c.state}`),
          value: c.number,
          notes_codes: notesCodes(cellMarks(c)),
          counted_differently: c.state === "reported" && !c.comparable ? describeDeviation(t, c) : "",
          // The portal's own notes in the file's language; the authorities' words as they wrote them.
          reason: c.reason ? asShownIn(t.lang, c.reason, c.textLang ?? null).text : "",
          caveat: c.caveat ? asShownIn(t.lang, c.caveat, c.textLang ?? null).text : "",
        } satisfies Record<(typeof VALUES_COLUMNS)[number], string | number | null>;
      }),
  );
}

export function publishedValuesCsv(t: Translator, collection: CollectionWithItems, figures: StatisticsFigures) {
  return stringify([
    [...VALUES_COLUMNS],
    ...publishedValueRows(t, collection, figures).map((r) =>
      VALUES_COLUMNS.map((c) => (typeof r[c] === "string" ? inertCsvText(r[c] as string) : r[c] === null ? "" : String(r[c]))),
    ),
  ]);
}

/**
 * The workbook of a publication: About (what it is, when it was published, the symbols; never who
 * downloaded it), Summary (Wales and regions with coverage), By authority, and the tidy table.
 */
export async function publishedWorkbook(
  t: Translator,
  collection: CollectionWithItems,
  publication: { publishedAt: Date | string; figures: StatisticsFigures },
): Promise<Buffer> {
  const { figures } = publication;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = t("service.owner");
  workbook.created = new Date(publication.publishedAt);
  const about = workbook.addWorksheet(t("export.sheet.about"));
  about.columns = [{ width: 34 }, { width: 100 }];
  about.addRow([pick(t.lang, collection, "title")]).font = { bold: true, size: 16 };
  const pair = (label: string, value: string) => {
    const row = about.addRow([label, value]);
    row.getCell(1).font = { bold: true };
    row.alignment = { wrapText: true, vertical: "top" };
  };
  pair(t("catalogue.code"), collection.code);
  pair(t("collection.field.referenceDate"), formatDate(t.lang, collection.reference_date));
  pair(t("statistics.publishedOn"), formatDate(t.lang, new Date(publication.publishedAt).toISOString().slice(0, 10)));
  pair(t("statistics.status"), t("statistics.status.final"));
  pair(t("collection.guidance"), pick(t.lang, collection, "guidance"));
  about.addRow([]);
  about.addRow([t("statistics.legend.title")]).font = { bold: true, size: 13 };
  for (const mark of MARK_ORDER) pair(MARKS[mark], t(`mark.${mark}`, { max: figures.plan.smallCountMax }));
  fitRowHeights(about);

  const areaName = areaNames(t, figures.authorities);
  const summary = workbook.addWorksheet(t("export.sheet.summary"));
  const summaryHeaders = [
    t("export.column.itemCode"),
    t("collection.totals.item"),
    t("export.column.area"),
    t("collection.totals.total"),
    t("statistics.column.notes"),
    ...coverageHeadings(t),
  ];
  summary.addRow(summaryHeaders);
  for (const item of collection.items) {
    for (const total of figures.totals.filter((x) => x.itemCode === item.code)) {
      const row = summary.addRow([
        item.code,
        pick(t.lang, item, "label"),
        areaName(total.regionCode),
        total.total,
        notesCodes(totalMarks(total)),
        ...coverageCounts(total),
      ]);
      row.getCell(4).numFmt = FORMAT.count;
      if (total.regionCode === null) row.font = { bold: true };
    }
  }
  finishTable(summary, { lastRow: summary.rowCount, columns: summaryHeaders.length, freezeColumns: 3 });
  fitColumns(summary);

  const data = workbook.addWorksheet(t("export.sheet.data"));
  data.addRow([...VALUES_COLUMNS]);
  for (const r of publishedValueRows(t, collection, figures)) {
    const row = data.addRow(VALUES_COLUMNS.map((c) => r[c]));
    row.getCell(VALUES_COLUMNS.indexOf("value") + 1).numFmt = FORMAT.count;
  }
  finishTable(data, { lastRow: data.rowCount, columns: VALUES_COLUMNS.length, freezeColumns: 0 });
  fitColumns(data, { max: 50 });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
