import { PassThrough } from "node:stream";
import { setImmediate as turn } from "node:timers/promises";
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from "@remix-run/node";
import ExcelJS from "exceljs";
import { tidyCellsPage } from "#app/models/aggregation.server.ts";
import type { Executor } from "#app/models/audit.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import type { Reader } from "#app/auth/policy.server.ts";
import { attachmentHeaders, exportLanguage } from "#app/web/downloads.server.ts";
import { FORMAT, HEADER_FILL, drained, walesWallTime, zipTaken } from "#app/spreadsheets/excel-format.server.ts";
import { translator, type Translator } from "#app/i18n/i18n.ts";
import { XLSX_TYPE } from "#app/spreadsheets/spreadsheet.ts";
import { figureStatus, TIDY_COLUMNS, TIDY_WIDTHS, tidyHeaders, tidyValues } from "#app/spreadsheets/tidy-table.ts";
import { listCollections } from "#app/models/collection.server.ts";
import { formatDate, formatDateTime, pick } from "#app/i18n/i18n.ts";

/**
 * Rows read at a time. A page lives while it is written, long enough to outlast the young
 * generation's collections, so what it holds is promoted and stays until a full collection: at
 * 2000 rows 47 MB of a history export reached the old generation, at 500 25 MB (issue 19).
 */
const PAGE = 500;

/**
 * Every published collection's tidy table in one sheet, streamed: the database is read a page at a
 * time and each row is written out as it comes, so memory stays flat however long the history.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, reader } = await guard("routes/exports.all-collections[.]xlsx", "loader", { request, params });
  const t = translator(exportLanguage(request, user));
  const output = new PassThrough();
  writeAllCollections(db, reader, t, output).catch((error: unknown) =>
    output.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  return new Response(createReadableStreamFromReadable(output), {
    headers: attachmentHeaders(`all-collections${t.lang === "cy" ? "-cy" : ""}.xlsx`, XLSX_TYPE),
  });
}

async function writeAllCollections(db: Executor, reader: Reader, t: Translator, output: PassThrough) {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  await aboutSheet(db, workbook, t);
  const sheet = workbook.addWorksheet(t("export.sheet.data"), {
    views: [{ state: "frozen", ySplit: 1 }],
    pageSetup: { orientation: "landscape", paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: "1:1" },
  });
  sheet.columns = TIDY_COLUMNS.map((column) => ({
    key: column,
    width: TIDY_WIDTHS[column],
    style:
      column === "submittedAt"
        ? { numFmt: FORMAT.dateTime }
        : column === "referenceDate" || column === "referenceDateUsed"
          ? { numFmt: FORMAT.date }
          : column === "value"
            ? { numFmt: FORMAT.count }
            : {},
  }));
  const header = sheet.addRow(tidyHeaders(t));
  header.eachCell((cell) => {
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
    cell.alignment = { wrapText: true, vertical: "top" };
  });
  header.commit();
  // exceljs knows a style it has already written by the style object's identity: one shared object
  // per column (and kind of value, which decides the default number format) lets every cell reuse
  // it, where the fresh object exceljs gives each new cell is a new style to resolve.
  const styles = TIDY_COLUMNS.map(() => new Map<ExcelJS.ValueType, Partial<ExcelJS.Style>>());
  let rows = 0;
  let page = await tidyCellsPage(db, reader, { after: null, limit: PAGE });
  for (;;) {
    // Read the next page while this one is written.
    const nextPage = page.length === PAGE ? tidyCellsPage(db, reader, { after: page.at(-1)!, limit: PAGE }) : null;
    nextPage?.catch(() => {}); // handled where it is awaited; never an unhandled rejection if writing fails first
    await turn(); // the query goes out now, and the database runs it while this page is written
    for (const cell of page) {
      const values = tidyValues(t, cell);
      const row = sheet.addRow({ ...values, submittedAt: values.submittedAt instanceof Date ? walesWallTime(values.submittedAt) : null });
      row.eachCell({ includeEmpty: true }, (target, column) => {
        const byType = styles[column - 1]!;
        const shared = byType.get(target.type) ?? target.style;
        byType.set(target.type, shared);
        target.style = shared;
      });
      row.commit();
    }
    rows += page.length;
    if (!nextPage) break;
    // Wait for the zip to take what is written, and the person's download what is zipped, before reading on.
    await zipTaken(sheet, output);
    if (output.writableNeedDrain) await drained(output);
    if (output.destroyed) return;
    page = await nextPage;
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: rows + 1, column: TIDY_COLUMNS.length } };
  sheet.commit();
  await workbook.commit();
}

/** What the workbook holds, and which rounds' figures are provisional: written before the data, as its first sheet. */
async function aboutSheet(db: Executor, workbook: ExcelJS.stream.xlsx.WorkbookWriter, t: Translator) {
  const rounds = await listCollections(db);
  const about = workbook.addWorksheet(t("export.sheet.about"));
  about.columns = [{ width: 34 }, { width: 60 }, { width: 16 }, { width: 40 }];
  const bold = { bold: true };
  const line = (values: (string | null)[], font?: Partial<ExcelJS.Font>) => {
    const row = about.addRow(values);
    if (font) row.font = font;
    row.alignment = { wrapText: true, vertical: "top" };
    row.commit();
  };
  line([t("export.about.allTitle")], { bold: true, size: 16 });
  line([t("export.about.allLead", { column: t("tidy.figureStatus") })]);
  line([t("export.about.exportedAt"), formatDateTime(t.lang, new Date())]);
  line([t("export.about.askedBy"), t("export.about.askedByText")]);
  line([t("export.about.askedOf"), t("export.about.askedOfText")]);
  line([t("export.about.contact"), t("export.about.contactText")]);
  line([t("export.sheet.data"), t("export.legend.codes")]);
  line([]);
  line([t("export.about.rounds")], { bold: true, size: 13 });
  line([t("tidy.collectionCode"), t("collection.field.title"), t("tidy.referenceDate"), t("tidy.figureStatus")], bold);
  for (const round of rounds) {
    line([
      round.code,
      pick(t.lang, round, "title"),
      formatDate(t.lang, round.reference_date),
      `${figureStatus(round.status)}: ${t(round.status === "closed" ? "trend.status.final" : "trend.status.provisional")}`,
    ]);
  }
  about.commit();
}
