/**
 * Hostile workbooks: small files that declare enormous sheets. exceljs expands what a sheet
 * declares in memory, so before the package check a 12 KB template with a whole-sheet merge froze
 * the portal for 331 s and then killed it. Each file here goes to the officer's upload and to the
 * coordinator's import, must be refused with a message, change nothing, and cost no more than a
 * fraction of a second of CPU and a few tens of MB; the time, CPU, memory and longest event-loop
 * stall each took are printed. The limit is on CPU, not wall time: on a loaded machine a refusal
 * waits its turn for a core, which says nothing about the work the file made.
 */
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as importRoute from "#app/routes/collections.$code.import._index.tsx";
import * as templateRoute from "#app/routes/returns.$collectionCode.$authorityCode.template[.]xlsx.ts";
import * as uploadRoute from "#app/routes/returns.$collectionCode.$authorityCode.upload.tsx";
import { translator } from "#app/i18n/i18n.ts";
import { MAX_UPLOAD_BYTES, issueText, type UploadIssue } from "#app/spreadsheets/spreadsheet.ts";
import { DECEMBER_2026 } from "#seeds/demo.ts";
import { useDemoDatabase } from "../support/database.ts";
import { COORDINATOR, get, OFFICER, routeArgs, run, signIn, snapshot, type Visitor } from "../support/requests.ts";
import { bodyBytes } from "../support/returns.ts";

const CARDIFF = "W06000015";
/** The most one refusal may take: well under a second of CPU, a few tens of MB. */
const LIMIT = { cpuSeconds: 1, rssMB: 48, heapMB: 48, stallSeconds: 0.5 };

interface Cost {
  name: string;
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  rssMB: number;
  heapMB: number;
  stallSeconds: number;
  said: string;
}

/** Runs `fn`, sampling memory and the event loop every 5 ms: the peak RSS and heap above the start, and the longest stall. */
async function measured<T>(fn: () => Promise<T>) {
  const start = process.memoryUsage();
  let peakRss = start.rss;
  let peakHeap = start.heapUsed;
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 5);
  const began = performance.now();
  const cpuBefore = process.cpuUsage();
  try {
    const result = await fn();
    const seconds = (performance.now() - began) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const m = process.memoryUsage();
    stall = Math.max(stall, performance.now() - last);
    return {
      result,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rssMB: (Math.max(peakRss, m.rss) - start.rss) / 2 ** 20,
      heapMB: (Math.max(peakHeap, m.heapUsed) - start.heapUsed) / 2 ** 20,
      stallSeconds: stall / 1000,
    };
  } finally {
    clearInterval(timer);
  }
}

const SHEET = "xl/worksheets/sheet2.xml";

/** The package with one sheet's XML changed. */
async function withSheet(bytes: Uint8Array, part: string, change: (xml: string) => string) {
  const zip = await JSZip.loadAsync(bytes);
  const xml = await zip.file(part)!.async("string");
  zip.file(part, change(xml));
  return new Uint8Array(await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE", compressionOptions: { level: 9 } }));
}

/** The package with a defined name of `text` (as written in the XML) added to its workbook. */
async function withDefinedName(bytes: Uint8Array, text: string) {
  const zip = await JSZip.loadAsync(bytes);
  const xml = await zip.file("xl/workbook.xml")!.async("string");
  const name = `<definedName name="everything">${text}</definedName>`;
  // Replaced by a function, so that "$&" in a reference is not read as the match.
  zip.file(
    "xl/workbook.xml",
    xml.includes("<definedNames>")
      ? xml.replace("<definedNames>", () => `<definedNames>${name}`)
      : xml.replace("</sheets>", () => `</sheets><definedNames>${name}</definedNames>`),
  );
  return new Uint8Array(await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" }));
}

const addMerge = (ref: string) => (xml: string) =>
  xml.includes("<mergeCells")
    ? xml.replace(/<mergeCells[^>]*>/, `$&<mergeCell ref="${ref}"/>`)
    : xml.replace("</sheetData>", `</sheetData><mergeCells count="1"><mergeCell ref="${ref}"/></mergeCells>`);
const setDimension = (ref: string) => (xml: string) =>
  /<dimension [^>]*\/>/.test(xml)
    ? xml.replace(/<dimension [^>]*\/>/, `<dimension ref="${ref}"/>`)
    : xml.replace("<sheetViews", `<dimension ref="${ref}"/><sheetViews`);
/**
 * A million rows after the sheet's own. Written without their numbers (each follows the one before),
 * as the format allows, so that the file stays within the upload's 2 MB and its 20 MB unpacked.
 */
const millionRows = (xml: string) => xml.replace("</sheetData>", `${"<row/>".repeat(1_000_000)}</sheetData>`);
/** One row of 100,000 cells, one per column. */
const hundredThousandColumns = (row: number) => (xml: string) => {
  const cells: string[] = [];
  for (let c = 1; c <= 100_000; c++) cells.push(`<c><v>${c % 10}</v></c>`);
  return xml.replace("</sheetData>", `<row r="${row}">${cells.join("")}</row></sheetData>`);
};
const wholeSheetValidation = (xml: string) =>
  xml.replace(
    "</sheetData>",
    `</sheetData><dataValidations count="1"><dataValidation type="whole" sqref="A1:XFD1048576"><formula1>0</formula1></dataValidation></dataValidations>`,
  );

describe("hostile workbooks: refused before they are opened, in a fraction of a second and a few MB", () => {
  const db = useDemoDatabase();
  let cardiff: Visitor;
  let coordinator: Visitor;
  let template: Uint8Array;
  let importBook: Uint8Array;
  const costs: Cost[] = [];

  beforeAll(async () => {
    [cardiff, coordinator] = await Promise.all([signIn(db(), OFFICER.cardiff), signIn(db(), COORDINATOR)]);
    const params = { collectionCode: DECEMBER_2026, authorityCode: CARDIFF };
    const outcome = await run(() =>
      templateRoute.loader(routeArgs(get(`/returns/${DECEMBER_2026}/${CARDIFF}/template.xlsx`, cardiff), params) as never),
    );
    if (outcome.kind !== "response") throw new Error("no template");
    template = await bodyBytes(outcome.response);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("Data");
    sheet.addRow(["authority_code", "item_code", "state", "value"]);
    sheet.addRow([CARDIFF, "care_leavers_21_25", "reported", 12]);
    importBook = new Uint8Array(await workbook.xlsx.writeBuffer());
  });

  afterAll(() => {
    const table = costs.map(
      (c) =>
        `${c.name.padEnd(58)} ${String(Math.round(c.bytes / 1024)).padStart(6)} KB ${c.seconds.toFixed(3).padStart(7)} s ${c.cpuSeconds.toFixed(3).padStart(7)} s CPU ${c.rssMB.toFixed(1).padStart(6)} MB RSS ${c.heapMB.toFixed(1).padStart(6)} MB heap ${c.stallSeconds.toFixed(3).padStart(6)} s stall  ${c.said}`,
    );
    console.log(`hostile workbooks: what each refusal cost\n${table.join("\n")}`);
  });

  const file = (bytes: Uint8Array) =>
    new File([new Uint8Array(bytes)], "return.xlsx", { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });

  const uploadOf = (bytes: Uint8Array) => {
    const body = new FormData();
    body.append("csrf", cardiff.csrf);
    body.append("workbook", file(bytes));
    const request = new Request(`http://localhost/returns/${DECEMBER_2026}/${CARDIFF}/upload`, {
      method: "POST",
      body,
      headers: { Cookie: cardiff.cookie },
    });
    return () => uploadRoute.action(routeArgs(request, { collectionCode: DECEMBER_2026, authorityCode: CARDIFF }) as never);
  };
  const importOf = (bytes: Uint8Array) => {
    const body = new FormData();
    body.append("csrf", coordinator.csrf);
    body.append("workbook", file(bytes));
    const request = new Request(`http://localhost/collections/${DECEMBER_2026}/import`, {
      method: "POST",
      body,
      headers: { Cookie: coordinator.cookie },
    });
    return () => importRoute.action(routeArgs(request, { code: DECEMBER_2026 }) as never);
  };

  /** Sends the file, and checks the refusal: its message, the database unchanged, and what it cost. */
  async function expectRefused(name: string, bytes: Uint8Array, send: (bytes: Uint8Array) => () => Promise<unknown>, message: RegExp) {
    expect(bytes.length, `${name}: within the upload's byte limit, so only the package check stands in its way`).toBeLessThanOrEqual(
      MAX_UPLOAD_BYTES,
    );
    const before = await snapshot(db());
    const action = send(bytes);
    const cost = await measured(() => run(action));
    const outcome = cost.result;
    expect(outcome.kind, name).toBe("data");
    expect(outcome.status, name).toBe(400);
    const issues = (outcome as { data: { issues: UploadIssue[] } }).data.issues;
    const said = issues.map((issue) => issueText(translator("en"), issue, {})).join(" / ");
    expect(said, name).toMatch(message);
    for (const issue of issues) if (issue.kind === "message") expect(translator("cy")(issue.key, issue.params)).not.toBe(said);
    expect(await snapshot(db()), `${name}: nothing changed`).toBe(before);
    costs.push({
      name,
      bytes: bytes.length,
      seconds: cost.seconds,
      cpuSeconds: cost.cpuSeconds,
      rssMB: cost.rssMB,
      heapMB: cost.heapMB,
      stallSeconds: cost.stallSeconds,
      said,
    });
    expect(cost.cpuSeconds, `${name}: seconds of CPU`).toBeLessThan(LIMIT.cpuSeconds);
    expect(cost.rssMB, `${name}: MB of RSS`).toBeLessThan(LIMIT.rssMB);
    expect(cost.heapMB, `${name}: MB of heap`).toBeLessThan(LIMIT.heapMB);
    expect(cost.stallSeconds, `${name}: longest event-loop stall`).toBeLessThan(LIMIT.stallSeconds);
  }

  it("still opens the template as downloaded (the limits leave room for the real thing)", async () => {
    // Warms the modules, so that the costs below are the file's own.
    const outcome = await run(uploadOf(template));
    expect(outcome).toMatchObject({ kind: "response", status: 302 });
  });

  const hostile: [string, (base: Uint8Array, part: string) => Promise<Uint8Array>, RegExp][] = [
    ["a whole-sheet merged range A1:XFD1048576", (b, p) => withSheet(b, p, addMerge("A1:XFD1048576")), /goes down to row 1,048,576/],
    ["a merged range A1:Z300000", (b, p) => withSheet(b, p, addMerge("A1:Z300000")), /goes down to row 300,000/],
    ["1,000,000 rows", (b, p) => withSheet(b, p, millionRows), /goes down to row|far more than/],
    ["a huge dimension A1:XFD1048576", (b, p) => withSheet(b, p, setDimension("A1:XFD1048576")), /goes down to row 1,048,576/],
    ["100,000 columns", (b, p) => withSheet(b, p, hundredThousandColumns(2)), /goes across to cell/],
    ["a whole-sheet data validation", (b, p) => withSheet(b, p, wholeSheetValidation), /goes down to row 1,048,576/],
    ["a defined name over the whole sheet", (b) => withDefinedName(b, "'Return'!$A$1:$XFD$1048576"), /far more than/],
    [
      "a whole-sheet merge in a part exceljs loads as a sheet but Excel would never name so",
      async (b, p) => {
        const zip = await JSZip.loadAsync(b);
        zip.file("zz/xl/worksheets/sheet9.xml", addMerge("A1:Z1048576")(await zip.file(p)!.async("string")));
        return new Uint8Array(await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" }));
      },
      /must be an Excel workbook/,
    ],
    [
      "a defined name whose last row is written as character references",
      (b) => withDefinedName(b, "'Return'!$A$1:$D$2&#48;&#48;&#48;&#48;&#48;"),
      /far more than/,
    ],
    [
      "a million shared strings",
      async (b) => {
        const zip = await JSZip.loadAsync(b);
        const strings = "<si><t>x</t></si>".repeat(1_000_000);
        zip.file(
          "xl/sharedStrings.xml",
          `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${strings}</sst>`,
        );
        return new Uint8Array(await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE", compressionOptions: { level: 9 } }));
      },
      /far more than/,
    ],
  ];

  it.each(hostile)(
    "the officer's upload refuses %s",
    async (name, make, message) => {
      await expectRefused(`upload: ${name}`, await make(template, SHEET), uploadOf, message);
    },
    60_000,
  );

  it.each(hostile)(
    "the coordinator's import refuses %s",
    async (name, make, message) => {
      await expectRefused(`import: ${name}`, await make(importBook, "xl/worksheets/sheet1.xml"), importOf, message);
    },
    60_000,
  );
});
