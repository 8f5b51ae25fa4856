/**
 * The spreadsheet template of one authority's return, and the adapter that reads a filled one back
 * into a RawReturn for the shared schema, as return-form.ts does for the web form.
 *
 * The Return sheet has one row per item, in the collection's order, with the item's code in a
 * hidden column A; a very hidden sheet carries the stamp (collection, authority, the return's lock
 * version) that an upload is matched and checked against.
 */
import ExcelJS from "exceljs";
import { VALUE_STATES, type Language } from "#db/types.ts";
import type { CollectionWithItems } from "#app/models/collection.server.ts";
import type { CleanValue, RawReturn, RawValue, ValueField } from "#app/schema/return-values.ts";
import { fitRowHeights, FORMAT, HEADER_FILL, printSetup } from "./excel-format.server.ts";
import { formatDate, formatDateTime, pick, translate, translator, type MessageKey, type MessageParams } from "#app/i18n/i18n.ts";
import { cellRef, stateFromCell, stateLabel, type UploadIssue } from "./spreadsheet.ts";
import { isBlankContent, mergedCells, readCell, unreadableCellIssue, type CellContent } from "./upload.server.ts";
import { shapeFor, type WorkbookShape } from "./package-check.server.ts";

const STAMP_SHEET = "portal";
const TEMPLATE_FORMAT = "return-template/1";
const HEADER_ROW = 3;
const FIRST_ITEM_ROW = 4;
const CODE_COLUMN = 1;

/** The answer columns, in order from column D, with the shared schema's field each one fills. */
const ANSWER_COLUMNS: { field: Exclude<ValueField, "queryExplanation">; header: MessageKey; width: number; wrap?: boolean }[] = [
  { field: "state", header: "export.column.answer", width: 18 },
  { field: "number", header: "form.number", width: 11 },
  { field: "reason", header: "value.reason", width: 40, wrap: true },
  { field: "ageFrom", header: "form.deviation.ageFrom", width: 11 },
  { field: "ageTo", header: "form.deviation.ageTo", width: 11 },
  { field: "referenceDate", header: "form.deviation.referenceDate", width: 15 },
  { field: "countingNote", header: "form.deviation.countingNote", width: 32, wrap: true },
  { field: "caveat", header: "value.caveat", width: 40, wrap: true },
];
const FIRST_ANSWER_COLUMN = 4;
const LAST_COLUMN = FIRST_ANSWER_COLUMN + ANSWER_COLUMNS.length - 1;
const columnOf = (field: ValueField) => {
  const index = ANSWER_COLUMNS.findIndex((c) => c.field === field);
  return FIRST_ANSWER_COLUMN + Math.max(index, 0);
};

/**
 * The largest workbook an upload of this collection's template may be: its rows (header and one per
 * item) and columns, with room for notes typed beside or below them, which the reader refuses
 * with a message of its own. Anything bigger is refused before it is opened.
 */
export function returnTemplateShape(collection: Pick<CollectionWithItems, "items">): WorkbookShape {
  return shapeFor({ rows: FIRST_ITEM_ROW + collection.items.length + 200, columns: LAST_COLUMN + 15 });
}

export interface TemplateSubject {
  collection: CollectionWithItems;
  authority: { code: string; name_en: string; name_cy: string };
  values: Record<string, CleanValue>;
  lockVersion: number;
  lang: Language;
  now?: Date;
}

export async function returnTemplate({
  collection,
  authority,
  values,
  lockVersion,
  lang,
  now = new Date(),
}: TemplateSubject): Promise<Buffer> {
  const t = translator(lang);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = t("service.name");
  const returnSheetName = t("template.sheet.return");
  await instructionsSheet(workbook, { collection, authority, returnSheetName, now, lang });

  const sheet = workbook.addWorksheet(returnSheetName, { views: [{ state: "frozen", xSplit: 2, ySplit: HEADER_ROW }] });
  // Column A holds the hidden item codes: the title starts in B.
  sheet.getCell(1, 2).value = `${pick(lang, authority, "name")}: ${pick(lang, collection, "title")}`;
  sheet.getCell(1, 2).font = { bold: true, size: 14 };
  sheet.getCell(2, 2).value =
    `${t("form.asAt", { date: formatDate(lang, collection.reference_date) })} ${t("form.due", { date: formatDate(lang, collection.due_on) })}`;
  const header = sheet.getRow(HEADER_ROW);
  header.values = [t("catalogue.code"), t("collection.totals.item"), t("catalogue.definition"), ...ANSWER_COLUMNS.map((c) => t(c.header))];
  header.eachCell((cell) => {
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
    cell.alignment = { wrapText: true, vertical: "top" };
    cell.border = { bottom: { style: "thin" } };
  });
  sheet.getColumn(CODE_COLUMN).hidden = true;
  sheet.getColumn(2).width = 40;
  sheet.getColumn(3).width = 60;
  ANSWER_COLUMNS.forEach((c, i) => {
    sheet.getColumn(FIRST_ANSWER_COLUMN + i).width = c.width;
  });

  const states = VALUE_STATES.map((state) => stateLabel(lang, state));
  collection.items.forEach((item, i) => {
    const row = sheet.getRow(FIRST_ITEM_ROW + i);
    const value = values[item.code]!;
    row.values = [
      item.code,
      pick(lang, item, "label"),
      pick(lang, item, "definition"),
      value.state === null ? null : stateLabel(lang, value.state),
      value.number,
      value.reason,
      value.ageFrom,
      value.ageTo,
      value.referenceDateUsed === null ? null : new Date(`${value.referenceDateUsed}T00:00:00Z`),
      value.countingNote,
      value.caveat,
    ];
    for (let column = 2; column <= LAST_COLUMN; column++) {
      const cell = row.getCell(column);
      const spec = ANSWER_COLUMNS[column - FIRST_ANSWER_COLUMN];
      cell.alignment = { vertical: "top", wrapText: column <= 3 || Boolean(spec?.wrap) };
      if (column >= FIRST_ANSWER_COLUMN) cell.protection = { locked: false };
    }
    row.getCell(columnOf("referenceDate")).numFmt = FORMAT.date;
    row.getCell(columnOf("state")).dataValidation = {
      type: "list",
      allowBlank: true,
      formulae: [`"${states.join(",")}"`],
      showErrorMessage: true,
      errorTitle: t("template.validation.title"),
      error: t("template.validation.state"),
    };
    row.getCell(columnOf("number")).dataValidation = {
      type: "whole",
      allowBlank: true,
      operator: item.max_value === null ? "greaterThanOrEqual" : "between",
      formulae: item.max_value === null ? [item.min_value] : [item.min_value, item.max_value],
      showErrorMessage: true,
      errorTitle: t("template.validation.title"),
      error:
        item.max_value === null
          ? t("template.validation.numberFrom", { min: item.min_value })
          : t("template.validation.number", { min: item.min_value, max: item.max_value }),
    };
    for (const field of ["ageFrom", "ageTo"] as const) {
      row.getCell(columnOf(field)).dataValidation = {
        type: "whole",
        allowBlank: true,
        operator: "between",
        formulae: [0, 120],
        showErrorMessage: true,
        errorTitle: t("template.validation.title"),
        error: t("template.validation.age"),
      };
    }
  });
  fitRowHeights(sheet, HEADER_ROW);
  printSetup(sheet, HEADER_ROW);
  await sheet.protect("", {
    selectLockedCells: true,
    selectUnlockedCells: true,
    formatColumns: true,
    formatRows: true,
    insertRows: false,
    deleteRows: false,
    insertColumns: false,
    deleteColumns: false,
    sort: false,
    autoFilter: false,
  });

  const stamp = workbook.addWorksheet(STAMP_SHEET, { state: "veryHidden" });
  stamp.addRows([
    ["format", TEMPLATE_FORMAT],
    ["collection", collection.code],
    ["authority", authority.code],
    ["lockVersion", lockVersion],
  ]);
  await stamp.protect("", {});
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

async function instructionsSheet(
  workbook: ExcelJS.Workbook,
  {
    collection,
    authority,
    returnSheetName,
    now,
    lang,
  }: Pick<TemplateSubject, "collection" | "authority" | "lang"> & { returnSheetName: string; now: Date },
) {
  // Both languages side by side, the template's own first.
  const languages: Language[] = lang === "cy" ? ["cy", "en"] : ["en", "cy"];
  const sheet = workbook.addWorksheet(translate(lang, "template.sheet.instructions"));
  sheet.columns = languages.map(() => ({ width: 80 }));
  const both = (text: (l: Language) => string, bold = false) => {
    const row = sheet.addRow(languages.map(text));
    row.alignment = { wrapText: true, vertical: "top" };
    if (bold) row.font = { bold: true };
  };
  both((l) => translate(l, "template.instructions.title"), true);
  sheet.getRow(1).font = { bold: true, size: 14 };
  both((l) => pick(l, collection, "title"), true);
  both((l) => pick(l, authority, "name"), true);
  both(
    (l) =>
      `${translate(l, "form.asAt", { date: formatDate(l, collection.reference_date) })} ${translate(l, "form.due", { date: formatDate(l, collection.due_on) })}`,
  );
  sheet.addRow([]);
  const params: MessageParams = { sheet: returnSheetName };
  for (const key of [
    "template.instructions.answers",
    "template.instructions.numbers",
    "template.instructions.deviations",
    "template.instructions.notes",
    "template.instructions.structure",
    "template.instructions.upload",
  ] as const) {
    both((l) => translate(l, key, params));
  }
  both((l) => translate(l, "template.instructions.stamp", { at: formatDateTime(l, now) }));
  fitRowHeights(sheet);
  printSetup(sheet);
  await sheet.protect("", { selectLockedCells: true, selectUnlockedCells: true });
}

export interface TemplateStamp {
  collectionCode: string;
  authorityCode: string;
  lockVersion: number;
}

/** The stamp of a workbook made by returnTemplate, or null for any other workbook. */
export function readStamp(workbook: ExcelJS.Workbook): TemplateStamp | null {
  const sheet = workbook.getWorksheet(STAMP_SHEET);
  if (!sheet) return null;
  const entries = new Map<string, CellContent>();
  for (let row = 1; row <= 4; row++) {
    const key = readCell(sheet.getCell(row, 1));
    const value = readCell(sheet.getCell(row, 2));
    if (key.ok && typeof key.value === "string" && value.ok) entries.set(key.value, value.value);
  }
  const [format, collectionCode, authorityCode, lockVersion] = ["format", "collection", "authority", "lockVersion"].map((k) =>
    entries.get(k),
  );
  if (format !== TEMPLATE_FORMAT || typeof collectionCode !== "string" || typeof authorityCode !== "string") return null;
  if (typeof lockVersion !== "number" || !Number.isInteger(lockVersion) || lockVersion < 0) return null;
  return { collectionCode, authorityCode, lockVersion };
}

export type ReturnSheet =
  | { ok: true; sheet: string; raw: RawReturn; cellOf: (itemCode: string, field: ValueField) => string }
  | { ok: false; issues: UploadIssue[] };

/**
 * The answers on the Return sheet, as typed, for the shared schema. Refused whole when its rows
 * were moved, merged, added or removed, or when an answer cell holds a formula or an error: the
 * figures would not be the ones the person meant.
 */
export function readReturnSheet(workbook: ExcelJS.Workbook, collection: CollectionWithItems): ReturnSheet {
  const names = (["en", "cy"] as const).map((l) => translate(l, "template.sheet.return"));
  const sheet = workbook.worksheets.find((s) => names.includes(s.name));
  if (!sheet) return { ok: false, issues: [{ kind: "message", key: "upload.error.notTemplate" }] };
  const name = sheet.name;
  const items = collection.items;
  const lastItemRow = FIRST_ITEM_ROW + items.length - 1;

  if (sheet.actualRowCount > lastItemRow) {
    return { ok: false, issues: [{ kind: "message", key: "upload.error.tooManyRows", params: { sheet: name, count: items.length } }] };
  }
  const merged = mergedCells(sheet, FIRST_ITEM_ROW);
  if (merged.length > 0) {
    return { ok: false, issues: merged.map((cell) => ({ kind: "message", key: "upload.error.merged", params: { sheet: name, cell } })) };
  }
  const codes = items.map((_, i) => readCell(sheet.getCell(FIRST_ITEM_ROW + i, CODE_COLUMN)));
  if (codes.some((code, i) => !code.ok || code.value !== items[i]!.code)) {
    return { ok: false, issues: [{ kind: "message", key: "upload.error.rowsChanged", params: { sheet: name } }] };
  }

  const issues: UploadIssue[] = [];
  const raw: RawReturn = {};
  items.forEach((item, i) => {
    const row = FIRST_ITEM_ROW + i;
    const value: RawValue = {};
    for (const { field } of ANSWER_COLUMNS) {
      const read = readCell(sheet.getCell(row, columnOf(field)));
      if (!read.ok) {
        issues.push(unreadableCellIssue(read.kind, name, cellRef(row, columnOf(field))));
        continue;
      }
      if (isBlankContent(read.value)) continue;
      value[field] = field === "state" && typeof read.value === "string" ? stateFromCell(read.value) : read.value;
    }
    raw[item.code] = value;
  });
  if (issues.length > 0) return { ok: false, issues };
  const rowOf = new Map(items.map((item, i) => [item.code, FIRST_ITEM_ROW + i]));
  return { ok: true, sheet: name, raw, cellOf: (itemCode, field) => cellRef(rowOf.get(itemCode) ?? FIRST_ITEM_ROW, columnOf(field)) };
}
