/**
 * Receiving a workbook: the multipart form read with a size limit, and the file checked as a zip
 * and as a workbook of the expected shape before exceljs is let near it, so that neither a large
 * request, a zip bomb nor a sheet that declares a million rows costs more than the limits.
 */
import {
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type UploadHandler,
} from "@remix-run/node";
import ExcelJS from "exceljs";
import { inspectPackage, type WorkbookShape } from "./package-check.server.ts";
import { FILE_FIELD, MAX_UPLOAD_BYTES, uploadLimitText, type UploadIssue } from "./spreadsheet.ts";

export interface UploadedFile {
  name: string;
  bytes: Uint8Array;
}

export type UploadForm = { ok: true; form: FormData; file: UploadedFile | null } | { ok: false; status: number; issue: UploadIssue };

/** Room for the form's other fields and the multipart boundaries around the file. */
const FORM_OVERHEAD = 64 * 1024;

const tooLarge: UploadForm = {
  ok: false,
  status: 413,
  issue: { kind: "message", key: "upload.error.tooLarge", params: { limit: uploadLimitText("en") } },
};

export async function readUploadForm(request: Request): Promise<UploadForm> {
  const declared = Number(request.headers.get("Content-Length"));
  if (Number.isFinite(declared) && declared > MAX_UPLOAD_BYTES + FORM_OVERHEAD) return tooLarge;
  // One file of at most MAX_UPLOAD_BYTES, and the whole request, however many parts and with or
  // without a Content-Length, within the overhead beyond it.
  const memory = unstable_createMemoryUploadHandler({ maxPartSize: MAX_UPLOAD_BYTES });
  let received = 0;
  async function* counted(data: AsyncIterable<Uint8Array>) {
    for await (const chunk of data) {
      received += chunk.byteLength;
      if (received > MAX_UPLOAD_BYTES + FORM_OVERHEAD) throw new MaxPartSizeExceededError("request", MAX_UPLOAD_BYTES + FORM_OVERHEAD);
      yield chunk;
    }
  }
  const handler: UploadHandler = (part) => memory({ ...part, data: counted(part.data) });
  let form: FormData;
  try {
    form = await unstable_parseMultipartFormData(request, handler);
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) return tooLarge;
    return { ok: false, status: 400, issue: { kind: "message", key: "upload.error.unreadableForm" } };
  }
  const value = form.get(FILE_FIELD);
  const file =
    value instanceof File && value.size > 0
      ? { name: value.name.slice(0, 255) || "workbook.xlsx", bytes: new Uint8Array(await value.arrayBuffer()) }
      : null;
  return { ok: true, form, file };
}

/**
 * Whether the bytes are an xlsx workbook that is safe to unpack and to hand to exceljs, for a page
 * that expects a workbook of `shape`: see package-check.server.ts.
 */
export async function checkXlsx(bytes: Uint8Array, shape: WorkbookShape): Promise<UploadIssue | null> {
  return (await inspectPackage(bytes, shape)).issue;
}

/** The workbook, once checkXlsx has passed it; null when exceljs cannot make sense of it. */
export async function loadWorkbook(bytes: Uint8Array): Promise<ExcelJS.Workbook | null> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
    return workbook;
  } catch {
    return null;
  }
}

export type CellContent = string | number | boolean | Date | null;

/**
 * A cell's content as typed: text, a number, a date or nothing. A formula or an error value is
 * reported rather than read, since its result is not something the person typed.
 */
export function readCell(cell: ExcelJS.Cell): { ok: true; value: CellContent } | { ok: false; kind: "formula" | "error" } {
  const value = cell.value;
  if (value === null || value === undefined) return { ok: true, value: null };
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value instanceof Date) {
    return { ok: true, value };
  }
  if ("formula" in value || "sharedFormula" in value) return { ok: false, kind: "formula" };
  if ("error" in value) return { ok: false, kind: "error" };
  if ("richText" in value) return { ok: true, value: value.richText.map((part) => part.text).join("") };
  return { ok: true, value: value.text };
}

/** The issue for a cell that holds a formula or an error instead of what was typed. */
export function unreadableCellIssue(kind: "formula" | "error", sheet: string, cell: string): UploadIssue {
  return { kind: "message", key: kind === "formula" ? "upload.error.formula" : "upload.error.cellError", params: { sheet, cell } };
}

export function isBlankContent(value: CellContent) {
  return value === null || (typeof value === "string" && value.trim() === "");
}

/** The top-left cell of each merged range among the sheet's filled rows from `fromRow` (a merged range's other cells count as filled). */
export function mergedCells(sheet: ExcelJS.Worksheet, fromRow = 1): string[] {
  const masters = new Set<string>();
  sheet.eachRow((row, rowNumber) => {
    if (rowNumber < fromRow) return;
    row.eachCell((cell) => {
      if (cell.isMerged) masters.add(cell.master.address);
    });
  });
  return [...masters];
}
