import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import * as form from "#app/routes/returns.$collectionCode.$authorityCode._index.tsx";
import * as check from "#app/routes/returns.$collectionCode.$authorityCode.check.tsx";
import * as templateRoute from "#app/routes/returns.$collectionCode.$authorityCode.template[.]xlsx.ts";
import * as uploadRoute from "#app/routes/returns.$collectionCode.$authorityCode.upload.tsx";
import { getCollection } from "#app/models/collection.server.ts";
import { workingValues } from "#app/models/return.server.ts";
import { authorityReader } from "#app/auth/policy.server.ts";
import { translator } from "#app/i18n/i18n.ts";
import { issueText, type UploadIssue } from "#app/spreadsheets/spreadsheet.ts";
import { DECEMBER_2026, FEBRUARY_2023 } from "#seeds/demo.ts";
import { useDemoDatabase } from "../support/database.ts";
import { ANALYST, COORDINATOR, get, OFFICER, post, routeArgs, run, snapshot, useSignedIn, type Visitor } from "../support/requests.ts";
import { bodyBytes, submitAs } from "../support/returns.ts";
import { makeZip } from "../support/zip.ts";

const CARDIFF = "W06000015";
const NEWPORT = "W06000022";
const path = (authority: string, page = "", round = DECEMBER_2026) => `/returns/${round}/${authority}${page ? `/${page}` : ""}`;
const params = (authority: string, round = DECEMBER_2026) => ({ collectionCode: round, authorityCode: authority });

/** The Return sheet's answer columns, from D. */
const COLUMN = { state: 4, number: 5, reason: 6, ageFrom: 7, ageTo: 8, referenceDate: 9, countingNote: 10, caveat: 11 } as const;
type Answers = Record<string, Partial<Record<keyof typeof COLUMN, ExcelJS.CellValue>>>;

const COMPLETE: Answers = {
  care_leavers_21_25: { state: "A number", number: 120, caveat: "Includes 4 young people placed out of county." },
  care_experienced_parents: { state: "A number", number: 10 },
  care_experienced_mothers: { state: "A number", number: 7 },
  care_experienced_fathers: { state: "A number", number: 3 },
  care_experienced_parents_recent: { state: "Unknown", reason: "Our records do not say when care ended." },
  care_experienced_parents_child_removed: { number: 2 },
  children_reunification_plan: { state: "not collected", reason: "We do not record this." },
};

describe("the return as a spreadsheet: template and upload", () => {
  const db = useDemoDatabase();
  const people = useSignedIn(db, { cardiff: OFFICER.cardiff, newport: OFFICER.newport, coordinator: COORDINATOR, analyst: ANALYST });

  const downloadTemplate = (visitor: Visitor, authority = CARDIFF, round = DECEMBER_2026, query = "") =>
    run(() =>
      templateRoute.loader(
        routeArgs(get(`${path(authority, "template.xlsx", round)}${query}`, visitor), params(authority, round)) as never,
      ),
    );

  const template = async (visitor: Visitor, authority = CARDIFF, round = DECEMBER_2026, query = "") => {
    const outcome = await downloadTemplate(visitor, authority, round, query);
    if (outcome.kind !== "response" || outcome.status !== 200) throw new Error(`expected a template, got ${outcome.status}`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await bodyBytes(outcome.response)).buffer as ExcelJS.Buffer);
    return workbook;
  };

  const returnSheet = (workbook: ExcelJS.Workbook) => workbook.worksheets.find((s) => s.name === "Return" || s.name === "Ffurflen")!;

  const rowOfItem = (sheet: ExcelJS.Worksheet, code: string) => {
    let found: ExcelJS.Row | undefined;
    sheet.eachRow((row) => {
      if (row.getCell(1).value === code) found = row;
    });
    if (!found) throw new Error(`no row for ${code}`);
    return found;
  };

  /** Fills the template by item code, as a person would, and saves it. */
  const filled = async (workbook: ExcelJS.Workbook, answers: Answers) => {
    const sheet = returnSheet(workbook);
    for (const [code, values] of Object.entries(answers)) {
      const row = rowOfItem(sheet, code);
      for (const [field, value] of Object.entries(values)) row.getCell(COLUMN[field as keyof typeof COLUMN]).value = value;
    }
    return new Uint8Array(await workbook.xlsx.writeBuffer());
  };

  const uploadRequest = (authority: string, visitor: Visitor, file: Uint8Array | null, { csrf = true } = {}) => {
    const body = new FormData();
    if (csrf) body.append("csrf", visitor.csrf);
    if (file)
      body.append(
        "workbook",
        new File([new Uint8Array(file)], "return.xlsx", { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }),
      );
    return new Request(`http://localhost${path(authority, "upload")}`, { method: "POST", body, headers: { Cookie: visitor.cookie } });
  };

  const upload = (visitor: Visitor, file: Uint8Array | null, authority = CARDIFF, options: { csrf?: boolean } = {}) =>
    run(() => uploadRoute.action(routeArgs(uploadRequest(authority, visitor, file, options), params(authority)) as never));

  const labels = async () => {
    const collection = (await getCollection(db(), DECEMBER_2026))!;
    return Object.fromEntries(collection.items.map((i) => [i.code, i.label_en]));
  };

  /** What the person reads about each problem, in English. */
  const messages = async (outcome: Awaited<ReturnType<typeof upload>>) => {
    if (outcome.kind !== "data")
      throw new Error(`expected the upload page with errors, got ${outcome.status} ${outcome.kind === "response" ? outcome.location : ""}`);
    const t = translator("en");
    const names = await labels();
    return (outcome.data as { issues: UploadIssue[] }).issues.map((issue) => issueText(t, issue, names));
  };

  /** Every refusal leaves the database exactly as it was. */
  const refused = async (file: Uint8Array | null, expectedStatus = 400, { visitor = people.cardiff, csrf = true } = {}) => {
    const before = await snapshot(db());
    const outcome = await upload(visitor, file, CARDIFF, { csrf });
    expect(outcome.status).toBe(expectedStatus);
    expect(await snapshot(db())).toBe(before);
    return outcome;
  };

  const values = async (authority: string) => {
    const collection = (await getCollection(db(), DECEMBER_2026))!;
    return workingValues(db(), authorityReader(authority), { collection, authorityCode: authority });
  };

  it("gives the template to the authority's officers and to coordinators; other officers and analysts get a 404", async () => {
    expect(await downloadTemplate(people.cardiff)).toMatchObject({ kind: "response", status: 200 });
    expect(await downloadTemplate(people.coordinator)).toMatchObject({ kind: "response", status: 200 });
    expect(await downloadTemplate(people.newport)).toMatchObject({ kind: "response", status: 404 });
    expect(await downloadTemplate(people.analyst)).toMatchObject({ kind: "response", status: 404 });
  });

  it("has instructions in English and Welsh, a protected Return sheet with a drop-down, unlocked answers, hidden codes and a hidden stamp", async () => {
    const workbook = await template(people.cardiff);
    expect(workbook.worksheets.map((s) => [s.name, s.state])).toEqual([
      ["Instructions", "visible"],
      ["Return", "visible"],
      ["portal", "veryHidden"],
    ]);
    const instructions = workbook.getWorksheet("Instructions")!;
    expect(instructions.getCell("A1").value).toBe("How to fill in this spreadsheet");
    expect(instructions.getCell("B1").value).toBe("Sut i lenwi'r daenlen hon");
    const sheet = returnSheet(workbook);
    expect(sheet.getColumn(1).hidden).toBe(true);
    const leavers = rowOfItem(sheet, "care_leavers_21_25");
    expect(leavers.getCell(2).value).toBe("Care leavers aged 21 to 25 known to the authority");
    expect(leavers.getCell(COLUMN.state).dataValidation).toMatchObject({
      type: "list",
      formulae: ['"A number,Not collected,Unknown,Not applicable"'],
    });
    expect(leavers.getCell(COLUMN.state).protection).toMatchObject({ locked: false });
    expect(leavers.getCell(COLUMN.caveat).protection).toMatchObject({ locked: false });
    expect(leavers.getCell(2).protection?.locked).not.toBe(false);
    // Protected: rows cannot be inserted, deleted or sorted (exceljs reads an allowed action as true).
    const protection = (sheet as unknown as { sheetProtection: Record<string, unknown> }).sheetProtection;
    expect(protection).toMatchObject({ sheet: true, formatColumns: true, formatRows: true });
    expect([protection.insertRows, protection.deleteRows, protection.sort, protection.insertColumns]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    const stamp = workbook.getWorksheet("portal")!;
    expect([stamp.getCell("B2").value, stamp.getCell("B3").value, stamp.getCell("B4").value]).toEqual([DECEMBER_2026, CARDIFF, 0]);
  });

  it("is in Welsh with ?lang=cy, instructions still in both languages", async () => {
    const workbook = await template(people.cardiff, CARDIFF, DECEMBER_2026, "?lang=cy");
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["Cyfarwyddiadau", "Ffurflen", "portal"]);
    const row = rowOfItem(returnSheet(workbook), "care_leavers_21_25");
    expect(row.getCell(2).value).toBe("Pobl sy'n gadael gofal rhwng 21 a 25 oed sy'n hysbys i'r awdurdod");
    expect(row.getCell(COLUMN.state).dataValidation.formulae).toEqual(['"Rhif,Heb ei gasglu,Anhysbys,Amherthnasol"']);
  });

  describe("refuses, with a clear message and no change", () => {
    it("a request without the session's CSRF token", async () => {
      await refused(await filled(await template(people.cardiff), COMPLETE), 403, { csrf: false });
    });

    it("an upload without a file", async () => {
      expect(await messages(await refused(null))).toEqual(["Choose the spreadsheet to upload"]);
    });

    it("a request that is not a multipart form, or whose body is broken, without a 500", async () => {
      const before = await snapshot(db());
      const plain = await run(() =>
        uploadRoute.action(routeArgs(post(path(CARDIFF, "upload"), { workbook: "x" }, people.cardiff), params(CARDIFF)) as never),
      );
      expect(plain.status).toBe(400);
      const broken = new Request(`http://localhost${path(CARDIFF, "upload")}`, {
        method: "POST",
        body: '--b\r\nContent-Disposition: form-data; name="workbook"; filename="a.xlsx"\r\n\r\nPK',
        headers: { Cookie: people.cardiff.cookie, "Content-Type": "multipart/form-data; boundary=b" },
      });
      const outcome = await run(() => uploadRoute.action(routeArgs(broken, params(CARDIFF)) as never));
      expect(outcome.status).toBe(400);
      expect(await snapshot(db())).toBe(before);
    });

    it("a file that is not an xlsx workbook", async () => {
      expect(await messages(await refused(new TextEncoder().encode("authority,item\nCardiff,1\n")))).toEqual([
        "The file must be an Excel workbook (.xlsx). If it is an older .xls file or a CSV, open it in Excel and save it as .xlsx",
      ]);
      const zipOfOtherThings = makeZip([{ name: "notes.txt", data: Buffer.from("hello") }]);
      expect((await messages(await refused(zipOfOtherThings)))[0]).toContain("must be an Excel workbook");
    });

    it("a file over 2 MB", async () => {
      const outcome = await refused(new Uint8Array(2 * 1024 * 1024 + 10), 413);
      expect(await messages(outcome)).toEqual(["The file is too big: it must be no bigger than 2 MB"]);
      // A request that says it is too big is answered before its body is read.
      const before = await snapshot(db());
      const declared = new Request(`http://localhost${path(CARDIFF, "upload")}`, {
        method: "POST",
        body: "x",
        headers: {
          Cookie: people.cardiff.cookie,
          "Content-Type": "multipart/form-data; boundary=b",
          "Content-Length": String(50 * 1024 * 1024),
        },
      });
      expect((await run(() => uploadRoute.action(routeArgs(declared, params(CARDIFF)) as never))).status).toBe(413);
      expect(await snapshot(db())).toBe(before);
    });

    it("a zip bomb, by its declared sizes, before anything is unpacked", async () => {
      const bomb = makeZip([
        { name: "[Content_Types].xml", data: Buffer.from("<Types/>") },
        { name: "xl/workbook.xml", data: Buffer.from("<workbook/>") },
        { name: "xl/worksheets/sheet1.xml", data: Buffer.alloc(60 * 1024 * 1024) },
      ]);
      expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
      expect((await messages(await refused(bomb)))[0]).toContain("unpacks to far more than a workbook like this should");
    });

    it("a zip that lies about its sizes", async () => {
      const liar = makeZip([
        { name: "[Content_Types].xml", data: Buffer.from("<Types/>") },
        { name: "xl/workbook.xml", data: Buffer.alloc(5 * 1024 * 1024), declaredSize: 100 },
      ]);
      expect((await messages(await refused(liar)))[0]).toContain("must be an Excel workbook");
    });

    it("a workbook that is not a template of this service", async () => {
      const workbook = new ExcelJS.Workbook();
      workbook.addWorksheet("Return").addRow(["care_leavers_21_25", "x", "y", "A number", 4]);
      expect(await messages(await refused(new Uint8Array(await workbook.xlsx.writeBuffer())))).toEqual([
        "This is not a spreadsheet downloaded from this service. Download the template from your return's page and fill that in",
      ]);
    });

    it("the template of another authority, or of another collection", async () => {
      const newports = await filled(await template(people.newport, NEWPORT), COMPLETE);
      expect(await messages(await refused(newports))).toEqual([
        `This spreadsheet is the template of another return (${NEWPORT} ${DECEMBER_2026}). Upload the one you downloaded from this return's page`,
      ]);
      const february = await filled(await template(people.coordinator, CARDIFF, FEBRUARY_2023), {});
      expect((await messages(await refused(february)))[0]).toContain(`another return (${CARDIFF} ${FEBRUARY_2023})`);
    });

    it("formulas where numbers are expected", async () => {
      const file = await filled(await template(people.cardiff), {
        ...COMPLETE,
        care_leavers_21_25: { state: "A number", number: { formula: "100+20", result: 120 } },
      });
      expect(await messages(await refused(file))).toEqual(["Sheet Return, cell E4: this cell holds a formula. Type the answer itself"]);
    });

    it("merged cells", async () => {
      const workbook = await template(people.cardiff);
      returnSheet(workbook).mergeCells("E4:E5");
      const file = await filled(workbook, {});
      expect(await messages(await refused(file))).toEqual([
        "Sheet Return, cell E4: cells have been merged. Unmerge them, so that each answer has its own cell",
      ]);
    });

    it("rows moved or sorted", async () => {
      const workbook = await template(people.cardiff);
      const sheet = returnSheet(workbook);
      const [fourth, fifth] = [sheet.getRow(4).values, sheet.getRow(5).values];
      sheet.getRow(4).values = fifth as ExcelJS.CellValue[];
      sheet.getRow(5).values = fourth as ExcelJS.CellValue[];
      expect((await messages(await refused(await filled(workbook, COMPLETE))))[0]).toContain(
        "Sheet Return: rows have been moved, sorted, added or removed",
      );
    });

    it("too many rows", async () => {
      const workbook = await template(people.cardiff);
      const sheet = returnSheet(workbook);
      sheet.getRow(4 + 9).values = ["care_leavers_21_25", "Another row", "", "A number", 5];
      expect(await messages(await refused(await filled(workbook, COMPLETE)))).toEqual([
        "Sheet Return has rows below its 9 items. Remove them: the template takes one row for each item and nothing else",
      ]);
    });

    it("answers the shared schema refuses, listed by item and cell, in English and in Welsh", async () => {
      const file = await filled(await template(people.cardiff), {
        ...COMPLETE,
        care_leavers_21_25: { state: "A number", number: 12.5 },
        care_experienced_parents: { state: "A number", number: "twelve" },
        care_experienced_parents_recent: { state: "Unknown", reason: null },
        care_experienced_parents_child_removed: { number: 11 },
        children_reunification_plan: { state: "Guess", reason: "x" },
      });
      const outcome = await refused(file);
      expect((await messages(outcome)).sort()).toEqual(
        [
          "Care leavers aged 21 to 25 known to the authority (cell E4): enter a whole number, like 12",
          "Care-experienced young people who are parents (cell E5): enter a number, like 12",
          "Care-experienced parents who left care in the last 5 years (cell F8): say why there is no number",
          "Children removed from care-experienced parents who have a plan for reunification (cell D12): choose one of the answers given",
          "Children removed from care-experienced parents who have a plan for reunification (cell D12): choose an answer to go with the reason",
        ].sort(),
      );
      const welsh = translator("cy");
      const issues = (outcome.kind === "data" ? (outcome.data as { issues: UploadIssue[] }) : { issues: [] }).issues;
      expect(issues.map((i) => issueText(welsh, i, {}))).toContain("care_leavers_21_25 (cell E4): rhowch rif cyfan, fel 12");
    });
  });

  it("saves a filled template to the draft, all at once, audited, and sends the officer back to the return", async () => {
    const workbook = await template(people.cardiff);
    const file = await filled(workbook, {
      ...COMPLETE,
      care_leavers_21_25: { ...COMPLETE.care_leavers_21_25, ageFrom: 18, ageTo: 25, referenceDate: new Date("2026-09-30T00:00:00Z") },
    });
    const outcome = await upload(people.cardiff, file);
    expect(outcome).toMatchObject({ kind: "response", status: 302, location: `${path(CARDIFF)}?saved=upload` });
    const saved = await values(CARDIFF);
    expect(saved.care_leavers_21_25).toMatchObject({
      state: "reported",
      number: 120,
      ageFrom: 18,
      ageTo: 25,
      referenceDateUsed: "2026-09-30",
      caveat: "Includes 4 young people placed out of county.",
    });
    expect(saved.care_experienced_parents_child_removed).toMatchObject({ state: "reported", number: 2 });
    expect(saved.care_experienced_parents_recent).toMatchObject({ state: "unknown", reason: "Our records do not say when care ended." });
    expect(saved.children_reunification_plan).toMatchObject({ state: "not_collected", reason: "We do not record this." });
    expect(saved.care_experienced_parents_home_authority?.state).toBeNull();
    const audit = await db()
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "value.change")
      .where("authority_code", "=", CARDIFF)
      .execute();
    expect(audit).toHaveLength(7);
    expect(audit.every((a) => a.actor_user_id === people.cardiff.userId && a.reason === "Uploaded from the spreadsheet return.xlsx")).toBe(
      true,
    );

    // The template now comes pre-filled with the draft, and the same old file is out of date.
    const again = await template(people.cardiff);
    expect(rowOfItem(returnSheet(again), "care_leavers_21_25").getCell(COLUMN.number).value).toBe(120);
    expect(rowOfItem(returnSheet(again), "care_leavers_21_25").getCell(COLUMN.state).value).toBe("A number");
    expect(await messages(await refused(file, 409))).toEqual([
      "This return has been saved since the spreadsheet was downloaded, so uploading it could overwrite newer answers. Download the template again and copy your answers into it",
    ]);
  });

  it("never wipes the explanations of queried figures, which the template does not carry", async () => {
    const page = await run(() => form.loader(routeArgs(get(path(NEWPORT), people.newport), params(NEWPORT)) as never));
    const lockVersion = page.kind === "data" ? (page.data as { lockVersion: number }).lockVersion : -1;
    const fields: Record<string, string> = { lockVersion: String(lockVersion), intent: "save" };
    fields["care_leavers_21_25.state"] = "reported";
    fields["care_leavers_21_25.number"] = "40";
    fields["care_leavers_21_25.queryExplanation"] = "Data cleansing removed duplicates.";
    const saved = await run(() => form.action(routeArgs(post(path(NEWPORT), fields, people.newport), params(NEWPORT)) as never));
    expect(saved.status).toBe(302);

    const file = await filled(await template(people.newport, NEWPORT), {
      ...COMPLETE,
      care_leavers_21_25: { state: "A number", number: 41, caveat: null },
    });
    expect(await upload(people.newport, file, NEWPORT)).toMatchObject({ kind: "response", status: 302 });
    expect((await values(NEWPORT)).care_leavers_21_25).toMatchObject({
      number: 41,
      caveat: null,
      queryExplanation: "Data cleansing removed duplicates.",
    });
  });

  it("reads a Welsh template with its Welsh answers", async () => {
    const file = await filled(await template(people.cardiff, CARDIFF, DECEMBER_2026, "?lang=cy"), {
      children_reunification_plan: { state: "Amherthnasol", reason: "Nid oes gennym blant a symudwyd eleni." },
    });
    expect(await upload(people.cardiff, file)).toMatchObject({ kind: "response", status: 302 });
    expect((await values(CARDIFF)).children_reunification_plan).toMatchObject({
      state: "not_applicable",
      reason: "Nid oes gennym blant a symudwyd eleni.",
    });
    expect((await values(CARDIFF)).care_leavers_21_25).toMatchObject({ number: 120 });
  });

  it("saves a draft that breaks a rule across items, as the form does, and the check page names it", async () => {
    const file = await filled(await template(people.cardiff), { ...COMPLETE, care_experienced_parents_child_removed: { number: 11 } });
    expect(await upload(people.cardiff, file)).toMatchObject({ kind: "response", status: 302 });
    const page = await run(() => check.loader(routeArgs(get(path(CARDIFF, "check"), people.cardiff), params(CARDIFF)) as never));
    const problems = page.kind === "data" ? (page.data as { problems: { itemCode: string; key: string }[] }).problems : [];
    expect(problems.map((p) => `${p.itemCode}:${p.key}`)).toEqual(["care_experienced_parents_child_removed:error.rule.notGreaterThan"]);
  });

  it("refuses an upload before the round opens", async () => {
    const file = await filled(await template(people.newport, NEWPORT), COMPLETE);
    const { due_on } = await db().selectFrom("collection").select("due_on").where("code", "=", DECEMBER_2026).executeTakeFirstOrThrow();
    await db().updateTable("collection").set({ opens_on: "2099-01-01", due_on: "2099-01-01" }).where("code", "=", DECEMBER_2026).execute();
    try {
      const before = await snapshot(db());
      const outcome = await upload(people.newport, file, NEWPORT);
      expect(outcome.status).toBe(409);
      expect(await messages(outcome)).toEqual([
        "This information request has not opened yet: its return can be filled in from the opening date on the return page",
      ]);
      expect(await snapshot(db())).toBe(before);
    } finally {
      await db().updateTable("collection").set({ opens_on: "2026-11-16", due_on }).where("code", "=", DECEMBER_2026).execute();
    }
  });

  it("refuses an upload to a return that has been submitted", async () => {
    await submitAs(db(), DECEMBER_2026, CARDIFF, {
      care_leavers_21_25: { number: 120 },
      care_experienced_parents: { number: 10 },
      care_experienced_parents_child_removed: { number: 2 },
    });
    const file = await filled(await template(people.cardiff), COMPLETE);
    expect(await messages(await refused(file, 409))).toEqual(["This return has been submitted. Amend it before you upload a spreadsheet"]);
  });

  it("is offered on the return page: the template link and the upload form for an editable return", async () => {
    const page = await run(() => form.loader(routeArgs(get(path(NEWPORT), people.newport), params(NEWPORT)) as never));
    expect(page.kind === "data" && page.data).toMatchObject({ editable: true, mayDownloadTemplate: true });
    const submitted = await run(() => form.loader(routeArgs(get(path(CARDIFF), people.cardiff), params(CARDIFF)) as never));
    expect(submitted.kind === "data" && submitted.data).toMatchObject({ editable: false, mayDownloadTemplate: true });
    const forCoordinator = await run(() => form.loader(routeArgs(get(path(NEWPORT), people.coordinator), params(NEWPORT)) as never));
    expect(forCoordinator.kind === "data" && forCoordinator.data).toMatchObject({ editable: false, mayDownloadTemplate: true });
    const forAnalyst = await run(() => form.loader(routeArgs(get(path(NEWPORT), people.analyst), params(NEWPORT)) as never));
    expect(forAnalyst.kind === "data" && forAnalyst.data).toMatchObject({ mayDownloadTemplate: false });
  });

  it("lets nobody but the authority's own officers upload", async () => {
    const file = await filled(await template(people.newport, NEWPORT), COMPLETE);
    for (const visitor of [people.cardiff, people.coordinator, people.analyst]) {
      const before = await snapshot(db());
      expect(await upload(visitor, file, NEWPORT)).toMatchObject({ kind: "response", status: 404 });
      expect(await snapshot(db())).toBe(before);
    }
  });
});
