/** The limit for exports: exceljs's streaming writer writing plain cells, no database, nothing kept. */
import { Writable } from "node:stream";
import ExcelJS from "exceljs";

const [rows, columns] = process.argv.slice(2).map(Number) as [number, number];
const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
const started = performance.now();
const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
const sheet = workbook.addWorksheet("Data");
for (let r = 0; r < rows; r++) {
  sheet.addRow(Array.from({ length: columns }, (_, c) => (c % 3 === 0 ? r * columns + c : `text ${c}`))).commit();
}
sheet.commit();
await workbook.commit();
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ seconds, peakKb: process.resourceUsage().maxRSS }));
