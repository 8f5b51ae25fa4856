/**
 * How every workbook the portal writes looks: headers that stay in view and filter, number
 * formats, columns wide enough for what is in them, and pages that print landscape, one page wide.
 */
import type ExcelJS from "exceljs";
import { MARKS } from "#app/domain/disclosure.ts";

export const FORMAT = {
  count: "#,##0",
  rate: "0.0",
  date: "dd/mm/yyyy",
  dateTime: "dd/mm/yyyy hh:mm",
} as const;

/** A figure's number format: the number stays a number, followed by [d] when counted differently and [p] while its round is open. */
export function figureFormat({ comparable, provisional }: { comparable: boolean; provisional: boolean }) {
  const marks = [...(comparable ? [] : [MARKS.nonComparable]), ...(provisional ? [MARKS.provisional] : [])];
  return marks.length === 0 ? FORMAT.count : `#,##0" ${marks.join(" ")}"`;
}

export const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE8E8E8" } };

/** Fills for a cell's state, so that gaps show at a glance; the words in the cell say the same. */
export const STATE_FILL = {
  comparable: "FFCCE2D8",
  nonComparable: "FFFFF2CC",
  missing: "FFF3F2F1",
  noReturn: "FFF4CCCC",
} as const;

export function fill(argb: string): ExcelJS.Fill {
  return { type: "pattern", pattern: "solid", fgColor: { argb } };
}

export function printSetup(sheet: ExcelJS.Worksheet, headerRow?: number) {
  sheet.pageSetup = {
    ...sheet.pageSetup,
    orientation: "landscape",
    paperSize: 9,
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    ...(headerRow ? { printTitlesRow: `${headerRow}:${headerRow}` } : {}),
  };
}

export function styleHeader(row: ExcelJS.Row) {
  row.eachCell((cell) => {
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
    cell.alignment = { wrapText: true, vertical: "top" };
    cell.border = { bottom: { style: "thin" } };
  });
}

/**
 * A table whose header is at `headerRow` and whose rows run to `lastRow`: header styled, frozen and
 * filtered, printed with the header on every page.
 */
export function finishTable(
  sheet: ExcelJS.Worksheet,
  { headerRow = 1, lastRow, columns, freezeColumns = 0 }: { headerRow?: number; lastRow: number; columns: number; freezeColumns?: number },
) {
  styleHeader(sheet.getRow(headerRow));
  sheet.views = [{ state: "frozen", xSplit: freezeColumns, ySplit: headerRow }];
  sheet.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: Math.max(lastRow, headerRow), column: columns } };
  printSetup(sheet, headerRow);
}

function shownLength(cell: ExcelJS.Cell): number {
  const value = cell.value;
  if (value === null || value === undefined) return 0;
  if (value instanceof Date) return cell.numFmt === FORMAT.dateTime ? 16 : 10;
  if (typeof value === "number") {
    const digits = Math.trunc(Math.abs(value)).toString().length;
    // The marks a figure's format writes after it: the text between the format's quotes.
    const mark = /" ([^"]*)"$/.exec(cell.numFmt ?? "")?.[1]?.length ?? -1;
    return digits + Math.floor((digits - 1) / 3) + (Number.isInteger(value) ? 0 : 2) + mark + 1;
  }
  if (typeof value === "boolean") return 5;
  return Math.max(
    ...String(cell.text)
      .split("\n")
      .map((line) => line.length),
  );
}

/**
 * Columns as wide as their longest entry, within bounds; longer text wraps. Rows above `fromRow`
 * (a sheet's title) are left to run across. Header cells wrap, so they count only up to a point.
 */
export function fitColumns(
  sheet: ExcelJS.Worksheet,
  {
    fromRow = 1,
    headerRow = 1,
    min = 8,
    max = 60,
    minOf = (_column: number) => min,
  }: { fromRow?: number; headerRow?: number; min?: number; max?: number; minOf?: (column: number) => number } = {},
) {
  const widths = new Map<number, number>();
  sheet.eachRow((row, rowNumber) => {
    if (rowNumber < fromRow) return;
    row.eachCell((cell, column) => {
      const length = rowNumber === headerRow ? Math.min(shownLength(cell), 20) : shownLength(cell);
      widths.set(column, Math.max(widths.get(column) ?? 0, length));
    });
  });
  for (const [column, width] of widths) {
    sheet.getColumn(column).width = Math.min(max, Math.max(minOf(column), width + 2));
    if (width > max) {
      sheet.getColumn(column).eachCell((cell, rowNumber) => {
        if (rowNumber >= fromRow) cell.alignment = { ...cell.alignment, wrapText: true, vertical: "top" };
      });
    }
  }
  fitRowHeights(sheet, fromRow);
}

const LINE_HEIGHT = 15;

/**
 * Rows tall enough for their wrapped text. Excel grows such rows itself when it opens the file,
 * but LibreOffice and printing from a fresh file do not.
 */
export function fitRowHeights(sheet: ExcelJS.Worksheet, fromRow = 1) {
  sheet.eachRow((row, rowNumber) => {
    if (rowNumber < fromRow || row.height) return;
    let lines = 1;
    row.eachCell((cell, column) => {
      if (!cell.alignment?.wrapText || cell.value === null) return;
      const perLine = Math.max(1, Math.floor((sheet.getColumn(column).width ?? 10) * 1.1) - 1);
      const wrapped = String(cell.text)
        .split("\n")
        .reduce((sum, line) => sum + Math.max(1, Math.ceil(line.length / perLine)), 0);
      lines = Math.max(lines, wrapped);
    });
    if (lines > 1) row.height = lines * LINE_HEIGHT;
  });
}

const WALES_WALL_CLOCK = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});
// Rows of one return share its submission time: an export converts the same instant many times running.
let lastConversion = { at: Number.NaN, wallTime: 0 };

/** A Date whose clock reads Welsh local time: a workbook's date-times have no time zone. */
export function walesWallTime(at: Date): Date {
  const time = at.getTime();
  if (time !== lastConversion.at) {
    const parts = Object.fromEntries(WALES_WALL_CLOCK.formatToParts(at).map((p) => [p.type, p.value]));
    lastConversion = {
      at: time,
      wallTime: Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!),
    };
  }
  return new Date(lastConversion.wallTime);
}

/**
 * The stream through which exceljs's streaming writer hands a sheet's XML to the zip, when it is
 * holding more than it wants. exceljs writes to it without waiting, so rows written faster than the
 * zip compresses pile up there as uncompressed XML: up to 18 MB in a history export (issue 19). It is
 * not public (exceljs 4.4.0, through archiver's readable-stream): null if it is not where it was.
 */
export function zipInputWaiting(sheet: object): NodeJS.EventEmitter | null {
  const input = (sheet as { stream?: { pipes?: unknown[] } }).stream?.pipes?.[0] as
    | (NodeJS.EventEmitter & { _writableState?: { needDrain?: unknown; ended?: unknown } })
    | undefined;
  const state = input?._writableState;
  if (typeof state?.needDrain !== "boolean") return null;
  return state.needDrain && !state.ended ? input! : null;
}

/**
 * Waits until the zip has taken what was written to a streamed sheet (at once if it has), or the
 * workbook's own output closes (the download was abandoned, and the zip will take nothing more).
 */
export async function zipTaken(sheet: object, output: NodeJS.EventEmitter) {
  const input = zipInputWaiting(sheet);
  if (input) await drained(input, output);
}

/** Resolves when a stream that asked to be waited for takes more, or it or `also` closes. */
export function drained(stream: NodeJS.EventEmitter, also?: NodeJS.EventEmitter) {
  return new Promise<void>((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      also?.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
    also?.on("close", done);
  });
}
