/**
 * The package check against files built to make exceljs parse something the check never looked at:
 * a part under a name exceljs matches without anchors, a name JSZip (which exceljs unzips with)
 * reads otherwise than yauzl (which the check reads with), a second central directory, and text
 * whose character references hide a row number. Each must be refused, before exceljs is let near
 * it; each case also shows, through JSZip or exceljs's own patterns, that exceljs would parse what
 * the check is being kept from seeing.
 */
import { crc32 } from "node:zlib";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { beforeAll, describe, expect, it } from "vitest";
import { inspectPackage, shapeFor } from "#app/spreadsheets/package-check.server.ts";
import { directoryEnd, makeZip, type ZipEntry, zipParts } from "../support/zip.ts";

const shape = shapeFor({ rows: 100, columns: 10 });
const NOT_XLSX = "upload.error.notXlsx";
const BEYOND_ROWS = "upload.error.beyondRows";
const TOO_MUCH = "upload.error.tooMuchContent";

/** exceljs's test for a worksheet part (xlsx.js): unanchored, as it is there. */
const EXCELJS_SHEET = /xl\/worksheets\/sheet(\d+)[.]xml/;

const sheetXml = (inside: string) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData>${inside}</worksheet>`;
const wholeSheetMerge = sheetXml(`<mergeCells count="1"><mergeCell ref="A1:Z1048576"/></mergeCells>`);

let entries: ZipEntry[];

/** The small workbook's parts, with some replaced or added. */
function packageWith(extra: ZipEntry[], change: (entry: ZipEntry) => ZipEntry = (entry) => entry) {
  return makeZip([...entries.map(change), ...extra]);
}

async function refusal(bytes: Uint8Array) {
  const began = performance.now();
  const check = await inspectPackage(bytes, shape);
  expect(performance.now() - began, "milliseconds to refuse").toBeLessThan(500);
  return check.issue?.kind === "message" ? check.issue.key : check.issue;
}

/** The names JSZip gives the entries: the names exceljs matches its patterns against. */
async function namesExceljsSees(bytes: Uint8Array) {
  return Object.keys((await JSZip.loadAsync(bytes)).files).map((name) => name.replace(/^\//, ""));
}

describe("the package check refuses parts exceljs would parse unseen", () => {
  beforeAll(async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet("Data").addRow(["authority_code", "item_code", "state", "value"]);
    const zip = await JSZip.loadAsync(await workbook.xlsx.writeBuffer());
    entries = await Promise.all(
      Object.values(zip.files)
        .filter((file) => !file.dir)
        .map(async (file) => ({ name: file.name, data: await file.async("nodebuffer") })),
    );
  });

  it("passes the workbook as exceljs wrote it", async () => {
    expect(await refusal(packageWith([]))).toBeNull();
  });

  it.each([
    "zz/xl/worksheets/sheet9.xml",
    "xl/worksheets/sheet9.xmlx",
    "xl/worksheets/sheet9.xml.bak",
    "/xl/worksheets/sheet9.xml",
    "xl/worksheets/x/../sheet9.xml",
    "xl/./worksheets/sheet9.xml",
    "xl//worksheets/sheet9.xml",
  ])("refuses a whole-sheet merge in a part named %s", async (name) => {
    const bytes = packageWith([{ name, data: Buffer.from(wholeSheetMerge) }]);
    expect((await namesExceljsSees(bytes)).some((seen) => EXCELJS_SHEET.test(seen))).toBe(true);
    expect(await refusal(bytes)).toBe(NOT_XLSX);
  });

  it.each([
    "zz/xl/drawings/drawing1.xml",
    "xl/comments1.xml.txt",
    "a/xl/tables/table1.xml",
    "xl/theme/theme1.xml2",
    "xl/worksheets/_rels/sheet1.xml.rels.old",
  ])("refuses any other part exceljs parses under a name Excel never gives it: %s", async (name) => {
    expect(await refusal(packageWith([{ name, data: Buffer.from("<x/>") }]))).toBe(NOT_XLSX);
  });

  it("refuses a sheet whose local header names another part than its central directory entry", async () => {
    const bytes = packageWith([{ name: "docProps/custom.xml", localName: "xl/worksheets/sheet9.xml", data: Buffer.from(wholeSheetMerge) }]);
    expect(await namesExceljsSees(bytes)).toContain("xl/worksheets/sheet9.xml");
    expect(await refusal(bytes)).toBe(NOT_XLSX);
  });

  it("refuses a sheet that a Unicode path field renames for yauzl but not for JSZip", async () => {
    const name = "xl/worksheets/sheet9.xml";
    const alias = Buffer.from("docProps/custom.xml");
    const field = Buffer.alloc(4 + 5 + alias.length);
    field.writeUInt16LE(0x7075, 0);
    field.writeUInt16LE(5 + alias.length, 2);
    field.writeUInt8(1, 4);
    field.writeUInt32LE(crc32(Buffer.from(name)), 5);
    alias.copy(field, 9);
    const bytes = packageWith([{ name, flags: 0x800, extraFields: field, data: Buffer.from(wholeSheetMerge) }]);
    expect(await namesExceljsSees(bytes)).toContain(name);
    expect(await refusal(bytes)).toBe(NOT_XLSX);
  });

  it("refuses a sheet hidden behind a backslashed copy of its name, which yauzl reads as the same name", async () => {
    const bytes = packageWith([], (entry) =>
      entry.name === "xl/worksheets/sheet1.xml" ? { ...entry, data: Buffer.from(wholeSheetMerge) } : entry,
    );
    const hidden = makeZip([
      ...entries.map((entry) => (entry.name === "xl/worksheets/sheet1.xml" ? { ...entry, data: Buffer.from(wholeSheetMerge) } : entry)),
      { name: "xl\\worksheets\\sheet1.xml", data: entries.find((entry) => entry.name === "xl/worksheets/sheet1.xml")!.data },
    ]);
    expect(await refusal(bytes)).toBe(BEYOND_ROWS);
    expect(await refusal(hidden)).toBe(NOT_XLSX);
  });

  it("refuses a central directory entry beyond the count the end record declares, which JSZip reads and yauzl does not", async () => {
    const bytes = Buffer.from(packageWith([{ name: "xl/worksheets/sheet9.xml", data: Buffer.from(wholeSheetMerge) }]));
    const end = bytes.length - 22;
    bytes.writeUInt16LE(entries.length, end + 8);
    bytes.writeUInt16LE(entries.length, end + 10);
    expect(await namesExceljsSees(bytes)).toContain("xl/worksheets/sheet9.xml");
    expect(await refusal(bytes)).toBe(NOT_XLSX);
  });

  it("refuses a second central directory, which JSZip reads instead of the first when bytes lie between the first and the end record", async () => {
    // The shown package is padded (incompressibly) to be larger than the hidden one, which sits
    // where JSZip, shifting every offset by the bytes it takes to be prepended, will look.
    const shown = zipParts([
      ...entries,
      { name: "docProps/padding.bin", data: Buffer.from(crypto.getRandomValues(new Uint8Array(20_000))) },
    ]);
    const hidden = zipParts(
      entries.map((entry) => (entry.name === "xl/worksheets/sheet1.xml" ? { ...entry, data: Buffer.from(wholeSheetMerge) } : entry)),
    );
    const shift = shown.locals.length + shown.directory.length;
    const bytes = Buffer.alloc(shift + shown.locals.length + shown.directory.length + 22);
    shown.locals.copy(bytes, 0);
    shown.directory.copy(bytes, shown.locals.length);
    hidden.locals.copy(bytes, shift);
    hidden.directory.copy(bytes, shift + shown.locals.length);
    directoryEnd({ count: shown.count, size: shown.directory.length, offset: shown.locals.length }).copy(bytes, bytes.length - 22);
    const zip = await JSZip.loadAsync(bytes);
    expect(await zip.file("xl/worksheets/sheet1.xml")!.async("string")).toContain("A1:Z1048576");
    expect(await refusal(bytes)).toBe(NOT_XLSX);
  });

  describe("text that exceljs's parser decodes is checked as decoded", () => {
    const withWorkbook = (change: (xml: string) => string) =>
      packageWith([], (entry) =>
        entry.name === "xl/workbook.xml" ? { ...entry, data: Buffer.from(change(entry.data.toString("utf8"))) } : entry,
      );
    const withSheet = (xml: string) =>
      packageWith([], (entry) => (entry.name === "xl/worksheets/sheet1.xml" ? { ...entry, data: Buffer.from(xml) } : entry));
    const definedName = (text: string) => (xml: string) => {
      // A function, not a string, for the replacement: "$&" in a name would otherwise be the match.
      const name = `<definedName name="everything">${text}</definedName>`;
      return xml.includes("<definedNames>")
        ? xml.replace("<definedNames>", () => `<definedNames>${name}`)
        : xml.replace("</sheets>", () => `</sheets><definedNames>${name}</definedNames>`);
    };

    it.each([
      ["decimal references", "Data!$A$1:$D$2&#48;&#48;&#48;&#48;&#48;"],
      ["hexadecimal references", "Data!$A$1:$D$2&#x30;&#x30;&#x30;&#x30;&#x30;"],
      ["a reference for the column", "Data!$A$1:$&#88;&#70;&#68;$2"],
    ])("refuses a defined name whose range is hidden by %s", async (_, text) => {
      expect(await refusal(withWorkbook(definedName(text)))).toBe(TOO_MUCH);
    });

    it.each([
      ["a comment", "Data!$A$1:$D$2<!-- -->00000"],
      ["a CDATA section", "Data!$A$1:$D$2<![CDATA[]]>00000"],
      ["a processing instruction", "Data!$A$1:$D$2<?x?>00000"],
    ])("refuses a defined name whose text is split by %s, which exceljs joins up", async (_, text) => {
      expect(await refusal(withWorkbook(definedName(text)))).toBe(NOT_XLSX);
    });

    it("still reads a defined name written as Excel writes it, entities and all", async () => {
      expect(await refusal(withWorkbook(definedName("&apos;Data&apos;!$A$1:$D$2")))).toBeNull();
      expect(await refusal(withWorkbook(definedName("&amp;#48;")))).toBeNull();
    });

    it.each([
      ["a merged range", `<mergeCells count="1"><mergeCell ref="A1:Z1&#48;48576"/></mergeCells>`],
      ["a dimension", `<dimension ref="A1:Z&#x31;048576"/>`],
      [
        "a data validation",
        `<dataValidations count="1"><dataValidation type="whole" sqref="A1:Z&#49;048576"><formula1>0</formula1></dataValidation></dataValidations>`,
      ],
    ])("refuses %s whose row is written with character references", async (_, inside) => {
      expect(await refusal(withSheet(sheetXml(inside)))).toBe(BEYOND_ROWS);
    });

    it("refuses an attribute given twice, of which the check would read one and the parser the other", async () => {
      expect(await refusal(withSheet(sheetXml(`<mergeCells count="1"><mergeCell ref="A1:B2" ref="A1:Z1048576"/></mergeCells>`)))).toBe(
        NOT_XLSX,
      );
    });

    it("refuses a column range whose min would have exceljs make a column object for every number below it", async () => {
      const xml = sheetXml("").replace("<sheetData>", `<cols><col min="100000000" max="1" width="9"/></cols><sheetData>`);
      expect(await refusal(withSheet(xml))).toBe(NOT_XLSX);
    });
  });
});
