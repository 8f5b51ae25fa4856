/**
 * Reading a bulk import workbook: one row per authority x item on its first sheet, with the
 * columns named in the first row, in English or Welsh, in any order. Turns each row into the
 * shared schema's RawValue; which authority and item it is for is checked by the import model.
 */
import type ExcelJS from "exceljs";
import { VALUE_FIELDS, type RawValue, type ValueField } from "#app/schema/return-values.ts";
import { translate } from "#app/i18n/i18n.ts";
import { cellRef, MAX_IMPORT_ROWS, stateFromCell, type UploadIssue } from "./spreadsheet.ts";
import { isBlankContent, mergedCells, readCell, unreadableCellIssue, type CellContent } from "./upload.server.ts";
import { shapeFor, type WorkbookShape } from "./package-check.server.ts";

/**
 * The authority and the item, then every value field but the explanation of a flag: an import is a
 * record loaded as it was given, and saveAsGiven explains the flags it raises.
 */
export const IMPORT_COLUMNS = [
  "authority",
  "itemCode",
  ...VALUE_FIELDS.filter((field): field is Exclude<ValueField, "queryExplanation"> => field !== "queryExplanation"),
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** Other names a column goes by in spreadsheets people already keep. */
const OTHER_NAMES: Record<ImportColumn, string[]> = {
  authority: ["authority code", "local authority", "la", "council", "authority as written"],
  itemCode: ["item", "code", "data item"],
  state: ["answer", "status"],
  number: ["value", "figure", "count"],
  reason: ["reason given"],
  ageFrom: ["lowest age", "age_from"],
  ageTo: ["highest age", "age_to"],
  referenceDate: ["reference date", "reference date used", "date counted at", "reference date stated"],
  countingNote: ["counting note", "other difference in counting"],
  caveat: ["note", "notes"],
};

/** Lower case, without accents or punctuation: "Ynys Môn" and "ynys mon" are the same name. */
export function normaliseName(text: string) {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

function columnNames(column: ImportColumn) {
  return [column, translate("en", `import.column.${column}`), translate("cy", `import.column.${column}`), ...OTHER_NAMES[column]].map(
    normaliseName,
  );
}

/** Columns read from an import sheet's first row; any beyond are not looked at. */
const MAX_IMPORT_COLUMNS = 50;

/**
 * The largest workbook an import for this collection may be: a header and one row per authority
 * and item, with room to spare, within MAX_IMPORT_ROWS. Anything bigger is refused before it is opened.
 */
export function importShape(authorities: number, items: number): WorkbookShape {
  return shapeFor({ rows: Math.min(MAX_IMPORT_ROWS, 1 + authorities * items + 200), columns: MAX_IMPORT_COLUMNS });
}

export interface ImportRow {
  row: number;
  authority: string;
  itemCode: string;
  raw: RawValue;
}

export type ImportSheet =
  | {
      ok: true;
      sheet: string;
      rows: ImportRow[];
      cellOf: (row: number, field: ValueField | "authority" | "itemCode") => string;
      ignored: string[];
    }
  | { ok: false; issues: UploadIssue[] };

const FIELD_OF: Partial<Record<ImportColumn, ValueField>> = {
  state: "state",
  number: "number",
  reason: "reason",
  ageFrom: "ageFrom",
  ageTo: "ageTo",
  referenceDate: "referenceDate",
  countingNote: "countingNote",
  caveat: "caveat",
};

function text(value: CellContent) {
  if (value === null) return "";
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).trim();
}

export function readImportSheet(workbook: ExcelJS.Workbook): ImportSheet {
  const sheet = workbook.worksheets.find((s) => s.state === "visible");
  if (!sheet) return { ok: false, issues: [{ kind: "message", key: "import.error.noSheet" }] };
  const name = sheet.name;
  if (sheet.actualRowCount > MAX_IMPORT_ROWS) {
    return { ok: false, issues: [{ kind: "message", key: "import.error.tooManyRows", params: { sheet: name, max: MAX_IMPORT_ROWS } }] };
  }
  const lastColumn = Math.min(sheet.columnCount, MAX_IMPORT_COLUMNS);

  const columnOf = new Map<ImportColumn, number>();
  const ignored: string[] = [];
  for (let column = 1; column <= lastColumn; column++) {
    const heading = readCell(sheet.getCell(1, column));
    if (!heading.ok || isBlankContent(heading.value)) continue;
    const found = IMPORT_COLUMNS.find((c) => !columnOf.has(c) && columnNames(c).includes(normaliseName(text(heading.value))));
    if (found) columnOf.set(found, column);
    else ignored.push(text(heading.value));
  }
  const missing: UploadIssue[] = [];
  if (!columnOf.has("authority")) missing.push({ kind: "message", key: "import.error.noAuthorityColumn", params: { sheet: name } });
  if (!columnOf.has("itemCode")) missing.push({ kind: "message", key: "import.error.noItemColumn", params: { sheet: name } });
  if (!columnOf.has("state") && !columnOf.has("number"))
    missing.push({ kind: "message", key: "import.error.noAnswerColumn", params: { sheet: name } });
  if (missing.length > 0) return { ok: false, issues: missing };

  const merged = mergedCells(sheet);
  if (merged.length > 0) {
    return { ok: false, issues: merged.map((cell) => ({ kind: "message", key: "upload.error.merged", params: { sheet: name, cell } })) };
  }

  const issues: UploadIssue[] = [];
  const rows: ImportRow[] = [];
  sheet.eachRow((sheetRow, row) => {
    if (row === 1) return;
    const read = new Map<ImportColumn, CellContent>();
    for (const [column, index] of columnOf) {
      const cell = readCell(sheetRow.getCell(index));
      if (!cell.ok) issues.push(unreadableCellIssue(cell.kind, name, cellRef(row, index)));
      else if (!isBlankContent(cell.value)) read.set(column, cell.value);
    }
    if (read.size === 0) return;
    const raw: RawValue = {};
    for (const [column, value] of read) {
      const field = FIELD_OF[column];
      if (!field) continue;
      raw[field] = field === "state" && typeof value === "string" ? stateFromCell(value) : value;
    }
    rows.push({ row, authority: text(read.get("authority") ?? null), itemCode: text(read.get("itemCode") ?? null).toLowerCase(), raw });
  });
  if (issues.length > 0) return { ok: false, issues };
  const columnFor = (field: ValueField | "authority" | "itemCode") =>
    field === "authority" || field === "itemCode"
      ? columnOf.get(field)!
      : (columnOf.get(IMPORT_COLUMNS.find((c) => FIELD_OF[c] === field) ?? "itemCode") ?? columnOf.get("itemCode")!);
  return { ok: true, sheet: name, rows, cellOf: (row, field) => cellRef(row, columnFor(field)), ignored };
}
