/**
 * What spreadsheet uploads share between the pages that describe them and the server code that
 * reads them: the limits, how an answer is written in a cell, and how a problem with a cell is
 * said. Isomorphic.
 */
import { VALUE_STATES, type ValueState } from "#db/types.ts";
import type { Problem } from "#app/schema/return-values.ts";
import { formatNumber, translate, type MessageKey, type MessageParams, type Translator } from "#app/i18n/i18n.ts";
import { problemText } from "#app/web/return-form.ts";

/** The largest workbook accepted, as uploaded. */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;
/** What its parts may add up to once unpacked: a real template is a few hundred kilobytes. */
export const MAX_UNPACKED_BYTES = 20 * 1024 * 1024;
export const MAX_ZIP_ENTRIES = 200;
/** Rows with anything in them on a bulk import's sheet, header included. */
export const MAX_IMPORT_ROWS = 2000;

export const FILE_FIELD = "workbook";
export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

export function uploadLimitText(lang: Translator["lang"]) {
  return `${formatNumber(lang, MAX_UPLOAD_BYTES / 1024 / 1024)} MB`;
}

/** "D7" for row 7, column 4. */
export function cellRef(row: number, column: number) {
  let letters = "";
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return `${letters}${row}`;
}

/** The answers as a spreadsheet's drop-down offers them, in the template's language. */
export function stateLabel(lang: Translator["lang"], state: ValueState) {
  return translate(lang, `state.${state}`);
}

const normalise = (text: string) =>
  text
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, " ");

/**
 * The state an answer cell names, in English or Welsh, as the drop-down writes it or as its code;
 * anything else is passed on as written, for the shared schema to refuse.
 */
export function stateFromCell(text: string): string {
  const wanted = normalise(text);
  for (const state of VALUE_STATES) {
    const names = [state, translate("en", `state.${state}`), translate("cy", `state.${state}`)];
    if (names.some((name) => normalise(name) === wanted)) return state;
  }
  return text;
}

/** Something wrong with an uploaded workbook: a message of its own, or a shared-schema problem found in a cell. */
export type UploadIssue =
  | { kind: "message"; key: MessageKey; params?: MessageParams }
  | { kind: "cell"; sheet: string; cell: string; problem: Problem };

/** "Care leavers aged 21 to 25 (cell E5): …": the item's label with its cell, where the form would name the item. */
export function issueText(t: Translator, issue: UploadIssue, labels: Record<string, string>) {
  if (issue.kind === "message") return t(issue.key, issue.params);
  const code = issue.problem.itemCode;
  const where = t("upload.cell", { label: labels[code] ?? code, cell: issue.cell });
  return problemText(t, issue.problem, { ...labels, [code]: where });
}
