/**
 * Reading a denominator table a coordinator uploads as CSV: one row per denominator, its code,
 * labels, source in both languages and year, then one column per authority headed by its ONS code.
 * The file is sized up by its bytes and lines before the CSV parser sees it, and refused whole on
 * any problem: a table is loaded entirely or not at all.
 */
import { parse } from "csv-parse/sync";
import type { MessageKey, MessageParams } from "#app/i18n/i18n.ts";
import type { UploadIssue } from "./spreadsheet.ts";

export const DENOMINATOR_COLUMNS = ["code", "label_en", "label_cy", "source_en", "source_cy", "year"] as const;
/** A real table is one line per population: a few hundred bytes each. */
export const MAX_DENOMINATOR_BYTES = 64 * 1024;
export const MAX_DENOMINATOR_ROWS = 50;
const MAX_TEXT = 500;

export interface DenominatorRow {
  code: string;
  label_en: string;
  label_cy: string;
  source: string;
  source_cy: string;
  year: number;
  values: Record<string, number>;
}

export type DenominatorTable = { ok: true; rows: DenominatorRow[] } | { ok: false; issues: UploadIssue[] };

const issue = (key: MessageKey, params?: MessageParams): UploadIssue => ({ kind: "message", key, params });

const refused = (...issues: UploadIssue[]): DenominatorTable => ({ ok: false, issues });

/** `authorities` are the ONS codes every row must give a value for, and no others. */
export function readDenominatorTable(bytes: Uint8Array, authorities: readonly string[]): DenominatorTable {
  if (bytes.byteLength > MAX_DENOMINATOR_BYTES) return refused(issue("denominators.error.tooLarge", { limit: "64 KB" }));
  let lines = 0;
  for (const byte of bytes) if (byte === 0x0a) lines += 1;
  // The header, the rows, and a final line ending.
  if (lines > MAX_DENOMINATOR_ROWS + 1) return refused(issue("denominators.error.tooManyRows", { max: MAX_DENOMINATOR_ROWS }));
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return refused(issue("denominators.error.encoding"));
  }
  if (text.includes("\0")) return refused(issue("denominators.error.encoding"));
  let records: string[][];
  try {
    records = parse(text, {
      skip_empty_lines: true,
      trim: true,
      relax_column_count: false,
      max_record_size: MAX_DENOMINATOR_BYTES,
    }) as string[][];
  } catch {
    return refused(issue("denominators.error.unreadable"));
  }
  const [header, ...body] = records;
  if (!header || DENOMINATOR_COLUMNS.some((column, i) => header[i] !== column))
    return refused(issue("denominators.error.header", { columns: DENOMINATOR_COLUMNS.join(", ") }));
  if (records.length - 1 > MAX_DENOMINATOR_ROWS) return refused(issue("denominators.error.tooManyRows", { max: MAX_DENOMINATOR_ROWS }));
  const areaColumns = header.slice(DENOMINATOR_COLUMNS.length);
  const issues: UploadIssue[] = [];
  const known = new Set(authorities);
  for (const column of new Set(areaColumns)) {
    if (!known.has(column)) issues.push(issue("denominators.error.unknownColumn", { column: column.slice(0, 40) }));
  }
  if (new Set(areaColumns).size !== areaColumns.length) issues.push(issue("denominators.error.repeatedColumn"));
  for (const code of authorities) {
    if (!areaColumns.includes(code)) issues.push(issue("denominators.error.missingAuthority", { authority: code }));
  }
  if (issues.length > 0) return refused(...issues);
  if (body.length === 0) return refused(issue("denominators.error.empty"));

  const rows: DenominatorRow[] = [];
  const seen = new Set<string>();
  body.forEach((record, index) => {
    const row = index + 2;
    const [code = "", label_en = "", label_cy = "", source = "", source_cy = "", year = ""] = record;
    const texts = { label_en, label_cy, source_en: source, source_cy };
    for (const [column, value] of Object.entries(texts)) {
      if (value === "") issues.push(issue("denominators.error.required", { row, column }));
      else if (value.length > MAX_TEXT) issues.push(issue("denominators.error.tooLong", { row, column, max: MAX_TEXT }));
    }
    if (!/^[a-z0-9]+(_[a-z0-9]+)*$/.test(code) || code.length > 100) issues.push(issue("denominators.error.code", { row }));
    else if (seen.has(code)) issues.push(issue("denominators.error.duplicate", { row, code }));
    seen.add(code);
    const yearNumber = /^\d{4}$/.test(year) ? Number(year) : Number.NaN;
    if (!(yearNumber >= 1900 && yearNumber <= 2200)) issues.push(issue("denominators.error.year", { row }));
    const values: Record<string, number> = {};
    areaColumns.forEach((authority, i) => {
      const cell = (record[DENOMINATOR_COLUMNS.length + i] ?? "").replace(/,/g, "");
      const value = /^\d{1,9}$/.test(cell) ? Number(cell) : 0;
      if (value <= 0) issues.push(issue("denominators.error.value", { row, authority }));
      values[authority] = value;
    });
    rows.push({ code, label_en, label_cy, source, source_cy, year: yearNumber, values });
  });
  return issues.length > 0 ? refused(...issues.slice(0, 20)) : { ok: true, rows };
}
