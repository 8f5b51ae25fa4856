/**
 * The tidy long table, one row per authority x item, as the CSV, the workbook's Data sheet and the
 * export of every collection all write it. Values are codes (states, statuses), so the table reads
 * the same in both languages; only the headers and names are translated.
 */
import { stringify } from "csv-stringify/sync";
import type { TidyCell } from "#app/models/aggregation.server.ts";
import { cellMarks, MARKS, notesCodes } from "#app/domain/disclosure.ts";
import type { Translator } from "#app/i18n/i18n.ts";
import type { CollectionStatus } from "#db/types.ts";

export const TIDY_COLUMNS = [
  "collectionCode",
  "referenceDate",
  "authorityCode",
  "authority",
  "region",
  "itemCode",
  "state",
  "value",
  "notesCodes",
  "comparable",
  "ageFrom",
  "ageTo",
  "referenceDateUsed",
  "otherDifference",
  "caveat",
  "reason",
  "returnStatus",
  "version",
  "submittedAt",
  "figureStatus",
  "queryExplanation",
  "asWritten",
  "queryThread",
] as const;
export type TidyColumn = (typeof TIDY_COLUMNS)[number];

export type TidyValue = string | number | boolean | Date | null;

/** Left out of a table for publication, as the published statistics leave them out. */
export const UNPUBLISHED_COLUMNS: ReadonlySet<TidyColumn> = new Set(["queryExplanation", "asWritten", "queryThread"]);

export function tidyHeaders(t: Translator, columns: readonly TidyColumn[] = TIDY_COLUMNS) {
  return columns.map((column) => t(`tidy.${column}`));
}

/** How wide each column is written when the rows cannot be measured first (a streamed export). */
export const TIDY_WIDTHS: Record<TidyColumn, number> = {
  collectionCode: 34,
  referenceDate: 12,
  authorityCode: 12,
  authority: 24,
  region: 22,
  itemCode: 40,
  state: 15,
  value: 10,
  notesCodes: 12,
  comparable: 12,
  ageFrom: 9,
  ageTo: 9,
  referenceDateUsed: 14,
  otherDifference: 30,
  caveat: 40,
  reason: 40,
  returnStatus: 12,
  version: 9,
  submittedAt: 18,
  figureStatus: 12,
  queryExplanation: 40,
  asWritten: 40,
  queryThread: 60,
};

/** Dates as dates (a workbook writes them as dates, the CSV as ISO text); a suppressed count as its mark. */
export function tidyValues(t: Translator, cell: TidyCell, { suppressed = false } = {}): Record<TidyColumn, TidyValue> {
  const reported = cell.state === "reported";
  return {
    collectionCode: cell.collectionCode,
    referenceDate: isoDate(cell.referenceDate),
    authorityCode: cell.authorityCode,
    authority: t.lang === "cy" ? cell.authorityNameCy : cell.authorityNameEn,
    region: t.lang === "cy" ? cell.regionCy : cell.regionEn,
    itemCode: cell.itemCode,
    state: cell.state,
    value: suppressed ? MARKS.suppressed : cell.number,
    // Each figure marked as the GSS marks it, [p] on every figure of a round still open. Only the
    // fields cellMarks reads: a copy of the whole cell per row was most of what a history export
    // left for the old generation's collector (42 of 89 MB, issue 19).
    notesCodes:
      notesCodes(
        cellMarks({
          state: cell.state,
          comparable: cell.comparable,
          suppressed,
          provisional: figureStatus(cell.collectionStatus) === "provisional",
        }),
      ) || null,
    comparable: reported ? cell.comparable : null,
    ageFrom: cell.ageFrom,
    ageTo: cell.ageTo,
    referenceDateUsed: cell.referenceDateUsed === null ? null : isoDate(cell.referenceDateUsed),
    otherDifference: cell.countingNote,
    caveat: cell.caveat,
    reason: cell.reason,
    returnStatus: cell.returnStatus,
    version: cell.submittedVersion,
    submittedAt: cell.submittedAt,
    // An open round's figures may still change: never mixed unmarked with a closed round's.
    figureStatus: figureStatus(cell.collectionStatus),
    queryExplanation: cell.queryExplanation,
    asWritten: cell.asWritten,
    queryThread: cell.queryThread,
  };
}

/** A round's figures as official statistics mark them: provisional while it is open, final once closed. */
export function figureStatus(status: CollectionStatus): "provisional" | "final" {
  return status === "closed" ? "final" : "provisional";
}

function isoDate(iso: string) {
  return new Date(`${iso.slice(0, 10)}T00:00:00Z`);
}

/** A tidy value as JSON carries it: dates as ISO dates, times as ISO instants. */
export function jsonValue(column: TidyColumn, value: TidyValue): string | number | boolean | null {
  if (value instanceof Date) return column === "submittedAt" ? value.toISOString() : value.toISOString().slice(0, 10);
  return value;
}

/** A tidy value as CSV text: dates as ISO dates, times as ISO instants, booleans as true/false. */
export function csvText(column: TidyColumn, value: TidyValue): string {
  const plain = jsonValue(column, value);
  if (plain === null) return "";
  return typeof plain === "string" && !(value instanceof Date) ? inertCsvText(plain) : String(plain);
}

/** The tidy table as CSV text, headed in the translator's language. */
export function tidyCsv(t: Translator, cells: TidyCell[]) {
  return stringify([
    tidyHeaders(t),
    ...cells.map((cell) => {
      const values = tidyValues(t, cell);
      return TIDY_COLUMNS.map((column) => csvText(column, values[column]));
    }),
  ]);
}

/**
 * Text that a spreadsheet will not run as a formula: a cell starting with = + - @, a tab or a
 * carriage return gets a leading apostrophe (OWASP's advice on CSV injection). Authorities' notes
 * travel into these files, so nothing typed in the portal may become a formula on an analyst's desk.
 */
export function inertCsvText(text: string) {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
