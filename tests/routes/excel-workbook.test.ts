import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import * as workbookRoute from "#app/routes/collections.$code.export[.]xlsx.ts";
import * as collectionPage from "#app/routes/collections.$code._index.tsx";
import { authorityCells, coverageTotals, reasonGroups } from "#app/models/aggregation.server.ts";
import { getCollection } from "#app/models/collection.server.ts";
import { raiseQuery } from "#app/models/value-query.server.ts";
import { readerFor } from "#app/auth/policy.server.ts";
import { MARKS } from "#app/domain/disclosure.ts";
import { FEBRUARY_2023, DECEMBER_2026 } from "#seeds/demo.ts";
import { useDemoDatabase } from "../support/database.ts";
import { ANALYST, COORDINATOR, get, OFFICER, post, routeArgs, run, useSignedIn, type Visitor } from "../support/requests.ts";
import { bodyBytes, submitAs } from "../support/returns.ts";
import { BLAENAU_GWENT, CARDIFF, CONWY, NEWPORT, SWANSEA, TORFAEN } from "../support/authorities.ts";

/** Reads every authority's figures, as a coordinator does. */
const coordinatorReader = readerFor({ role: "coordinator", authorityCode: null });

const SHEETS_EN = ["About", "Summary", "By authority", "Gaps", "Caveats and deviations", "Definitions", "Data"];
const SHEETS_CY = ["Ynghylch", "Crynodeb", "Yn ôl awdurdod", "Bylchau", "Cafeatau a gwyriadau", "Diffiniadau", "Y data"];

/** The sheet's rows as arrays of cell values, from column 1. */
function rows(sheet: ExcelJS.Worksheet) {
  const out: ExcelJS.CellValue[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row) => out.push((row.values as ExcelJS.CellValue[]).slice(1)));
  return out;
}

function rowOf(sheet: ExcelJS.Worksheet, code: string) {
  let found: ExcelJS.Row | undefined;
  sheet.eachRow((row) => {
    if (row.getCell(1).value === code) found ??= row;
  });
  if (!found) throw new Error(`no row for ${code} on ${sheet.name}`);
  return found;
}

describe("the Welsh Government workbook", () => {
  const db = useDemoDatabase();
  const people = useSignedIn(db, { coordinator: COORDINATOR, analyst: ANALYST, officer: OFFICER.cardiff });

  const download = async (visitor: Visitor | undefined, code: string, query = "") => {
    const path = `/collections/${code}/export.xlsx${query}`;
    return run(() => workbookRoute.loader(routeArgs(get(path, visitor), { code }) as never));
  };

  /** The workbook for publication, asked for as the collection page's form asks. */
  const takeForPublication = async (visitor: Visitor, code: string, { csrf = true } = {}) =>
    run(() => workbookRoute.action(routeArgs(post(`/collections/${code}/export.xlsx`, {}, visitor, { csrf }), { code }) as never));

  const read = async (outcome: Awaited<ReturnType<typeof download>>, code: string) => {
    if (outcome.kind !== "response" || outcome.status !== 200) throw new Error(`expected a workbook, got ${outcome.status}`);
    expect(outcome.response.headers.get("Content-Type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(outcome.response.headers.get("Content-Disposition")).toContain(`${code}`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await bodyBytes(outcome.response)).buffer as ExcelJS.Buffer);
    return workbook;
  };
  const open = async (visitor: Visitor, code: string, query = "") => read(await download(visitor, code, query), code);

  it("is for coordinators and analysts: officers get a 404, and anyone not signed in is sent to sign in", async () => {
    expect(await download(people.officer, FEBRUARY_2023)).toMatchObject({ kind: "response", status: 404 });
    expect(await download(undefined, FEBRUARY_2023)).toMatchObject({ kind: "response", status: 302 });
    expect(await download(people.coordinator, "no-such-round")).toMatchObject({ kind: "response", status: 404 });
    expect(await download(people.analyst, FEBRUARY_2023)).toMatchObject({ kind: "response", status: 200 });
  });

  it("has every sheet, with frozen headers, filters, fitted widths and landscape pages one page wide", async () => {
    const workbook = await open(people.coordinator, FEBRUARY_2023);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(SHEETS_EN);
    for (const sheet of workbook.worksheets.slice(1)) {
      expect(sheet.views[0], sheet.name).toMatchObject({ state: "frozen", ySplit: 1 });
      expect(sheet.autoFilter, sheet.name).toBeTruthy();
      expect(sheet.pageSetup, sheet.name).toMatchObject({ orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0 });
      expect(sheet.getColumn(2).width, sheet.name).toBeGreaterThan(8);
    }
  });

  it("says on About what it is, when and by whom it was exported, its coverage and the legend", async () => {
    const about = (await open(people.coordinator, FEBRUARY_2023)).getWorksheet("About")!;
    const text = rows(about)
      .flat()
      .filter((v) => typeof v === "string")
      .join("\n");
    expect(text).toContain("Care-experienced young people who are parents (February 2023)");
    expect(text).toContain("31 December 2022");
    expect(text).toContain("Demo Coordinator");
    expect(text).toContain("Not for publication");
    expect(text).toContain("926, from the 12 of 22 authorities that gave a comparable figure; 3 counted differently; 7 did not reply");
    expect(text).toContain(MARKS.nonComparable);
    expect(text).toContain(MARKS.suppressed);
  });

  it("gives on Summary the totals and coverage of Wales and each of the 7 regions, exactly as coverageTotals does", async () => {
    const collection = (await getCollection(db(), FEBRUARY_2023))!;
    const totals = await coverageTotals(db(), coordinatorReader, collection.id);
    const summary = rows((await open(people.coordinator, FEBRUARY_2023)).getWorksheet("Summary")!).slice(1);
    expect(summary).toHaveLength(3 * 8);
    expect(summary.map((r) => [r[0], r[3] ?? null, r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11]])).toEqual(
      totals.map((t) => [
        t.itemCode,
        t.total,
        t.expected,
        t.comparable,
        t.nonComparable,
        t.notCollected,
        t.unknown,
        t.notApplicable,
        t.notAnswered,
        t.noReturn,
      ]),
    );
    expect(summary[0]!.slice(0, 4)).toEqual(["care_leavers_21_25", "Care leavers aged 21 to 25 known to the authority", "Wales", 926]);
    expect(summary.filter((r) => r[0] === "care_leavers_21_25").map((r) => r[2])).toHaveLength(8);
  });

  it("shows each authority's figure, its state in words, marks what was counted differently, with notes and rates", async () => {
    const collection = (await getCollection(db(), FEBRUARY_2023))!;
    const cells = await authorityCells(db(), coordinatorReader, collection.id);
    const sheet = (await open(people.coordinator, FEBRUARY_2023)).getWorksheet("By authority")!;
    expect(sheet.actualRowCount).toBe(23);
    const conwy = rowOf(sheet, CONWY);
    expect(conwy.getCell(4).value).toBe(133);
    expect(conwy.getCell(4).numFmt).toContain(MARKS.nonComparable);
    expect(String(conwy.getCell(4).note)).toContain("ages 18 to 25");
    expect(conwy.getCell(5).value).toBeNull();
    expect(conwy.getCell(6).value).toBe("Not collected");
    expect(String(conwy.getCell(6).note)).toContain("We do not gather this information in this way");
    expect(rowOf(sheet, CARDIFF).getCell(4).value).toBe("No return");
    expect(String(rowOf(sheet, BLAENAU_GWENT).getCell(4).note)).toContain("7 of these 33 are parents or pregnant.");
    const swansea = rowOf(sheet, SWANSEA);
    expect(swansea.getCell(4).value).toBe(190);
    expect(swansea.getCell(4).numFmt).toBe("#,##0");
    expect(swansea.getCell(5).value).toBeCloseTo(
      cells.find((c) => c.authorityCode === SWANSEA && c.itemCode === "care_leavers_21_25")!.rate!,
      10,
    );
  });

  it("lists the gaps, the reasons grouped as reasonGroups groups them, every caveat and deviation, and the definitions", async () => {
    const collection = (await getCollection(db(), FEBRUARY_2023))!;
    const groups = await reasonGroups(db(), coordinatorReader, collection.id);
    const workbook = await open(people.coordinator, FEBRUARY_2023);
    const gaps = workbook.getWorksheet("Gaps")!;
    expect(rowOf(gaps, CARDIFF).getCell(4).value).toBe("No return");
    expect(rowOf(gaps, CONWY).getCell(4).value).toBe(`Counted differently ${MARKS.nonComparable}`);
    expect(rowOf(gaps, SWANSEA).getCell(4).value).toBe("Figure given");
    expect(rowOf(gaps, SWANSEA).getCell(5).value).toBe("Not collected");
    const reasons = rows(gaps).filter((r) => typeof r[3] === "string" && r[3].startsWith("We do not gather"));
    expect(reasons.map((r) => [r[0], r[3], r[4]])).toEqual(groups.map((g) => [g.itemCode, g.reason, g.authorityCodes.length]));

    const notes = rows(workbook.getWorksheet("Caveats and deviations")!).slice(1);
    const of = (authority: string, kind: string) => notes.filter((r) => r[0] === authority && r[6] === kind);
    expect(of(CONWY, "Counted differently")[0]).toEqual([
      CONWY,
      "Conwy",
      "care_leavers_21_25",
      expect.any(String),
      "A number",
      133,
      "Counted differently",
      "ages 18 to 25",
    ]);
    expect(of("W06000016", "Counted differently")[0]?.[7]).toBe("as at 31 December 2023");
    expect(of("W06000012", "Counted differently")[0]?.[7]).toBe("ages up to 25");
    expect(of(BLAENAU_GWENT, "Note")[0]?.[7]).toBe("7 of these 33 are parents or pregnant.");
    expect(of(BLAENAU_GWENT, "Counted differently").map((r) => [r[2], r[5]])).toEqual([["care_experienced_parents", 7]]);
    // The first round had no earlier one to compare with, so the portal's checks flagged nothing to explain.
    expect(notes.filter((r) => r[6] === "Explanation")).toEqual([]);
    // 4 deviations (3 of item 1, Blaenau Gwent's parents), 2 caveats, the reasons of 14 and 15 authorities for items 2 and 3,
    // and the authorities' own words: 15 answers to item 1 and Blaenau Gwent's parents.
    expect(notes).toHaveLength(4 + 2 + 14 + 15 + 16);

    const definitions = rows(workbook.getWorksheet("Definitions")!).slice(1);
    expect(definitions.map((r) => r[0])).toEqual(collection.items.map((i) => i.code));
    expect(definitions[0]!.slice(1, 3)).toEqual([collection.items[0]!.label_en, collection.items[0]!.label_cy]);
  });

  it("has the tidy long table on Data, one row per authority and item", async () => {
    const data = rows((await open(people.coordinator, FEBRUARY_2023)).getWorksheet("Data")!);
    expect(data[0]).toContain("Authority code");
    expect(data).toHaveLength(1 + 22 * 3);
    const newport = data.find((r) => r[2] === NEWPORT && r[5] === "care_leavers_21_25")!;
    expect(newport.slice(0, 8)).toEqual([
      FEBRUARY_2023,
      new Date("2022-12-31T00:00:00Z"),
      NEWPORT,
      "Newport",
      "Gwent",
      "care_leavers_21_25",
      "reported",
      271,
    ]);
    // No notes codes: a comparable figure of a closed round.
    expect(newport[8] ?? null).toBeNull();
    expect(newport[9]).toBe(true);
    const cardiff = data.find((r) => r[2] === CARDIFF && r[5] === "care_leavers_21_25")!;
    expect(cardiff[6] ?? null).toBeNull();
  });

  it("is in Welsh with ?lang=cy: sheet names, headings and words", async () => {
    const workbook = await open(people.analyst, FEBRUARY_2023, "?lang=cy");
    expect(workbook.worksheets.map((s) => s.name)).toEqual(SHEETS_CY);
    const byAuthority = workbook.getWorksheet("Yn ôl awdurdod")!;
    expect(byAuthority.getRow(1).getCell(2).value).toBe("Awdurdod");
    expect(rowOf(byAuthority, CARDIFF).getCell(2).value).toBe("Caerdydd");
    expect(rowOf(byAuthority, CARDIFF).getCell(4).value).toBe("Dim ffurflen");
    expect(rowOf(byAuthority, CONWY).getCell(6).value).toBe("Heb ei gasglu");
    const summary = rows(workbook.getWorksheet("Crynodeb")!);
    expect(summary[0]![0]).toBe("Cod yr eitem");
    expect(summary[1]![2]).toBe("Cymru");
    const about = rows(workbook.getWorksheet("Ynghylch")!).flat().join("\n");
    expect(about).toContain("31 Rhagfyr 2022");
    expect(about).toContain("Nid i'w gyhoeddi");
  });

  describe("for publication", () => {
    beforeAll(async () => {
      // Small counts in the open round: Cardiff's 3 leavers, Newport's 2 parents who had a child removed; Torfaen's zeros.
      await submitAs(db(), DECEMBER_2026, CARDIFF, {
        care_leavers_21_25: { number: 3 },
        care_experienced_parents: { number: 0 },
        care_experienced_parents_child_removed: { number: 0 },
      });
      await submitAs(db(), DECEMBER_2026, NEWPORT, {
        care_leavers_21_25: { number: 120 },
        care_experienced_parents: { number: 10 },
        care_experienced_parents_child_removed: { number: 2 },
      });
      await submitAs(db(), DECEMBER_2026, TORFAEN, {
        care_leavers_21_25: { number: 0 },
        care_experienced_parents: { number: 0 },
        care_experienced_parents_child_removed: { number: 0 },
      });
    });

    it("keeps every figure in the workbook a link gives", async () => {
      const workbook = await open(people.coordinator, DECEMBER_2026);
      const byAuthority = workbook.getWorksheet("By authority")!;
      expect(rowOf(byAuthority, CARDIFF).getCell(4).value).toBe(3);
      const summary = rows(workbook.getWorksheet("Summary")!);
      expect(summary.find((r) => r[0] === "care_leavers_21_25" && r[2] === "Wales")?.[3]).toBe(123);
    });

    it("suppresses counts from 1 to 4 with their rates, and what else would give one away, but keeps zeros", async () => {
      const workbook = await read(await takeForPublication(people.coordinator, DECEMBER_2026), DECEMBER_2026);
      const byAuthority = workbook.getWorksheet("By authority")!;
      // Columns: 4 leavers, 5 its rate, then 2 per item; child removed is the 8th item.
      const removed = 4 + 2 * 7;
      expect(rowOf(byAuthority, CARDIFF).getCell(4).value).toBe(MARKS.suppressed);
      expect(rowOf(byAuthority, CARDIFF).getCell(5).value).toBe(MARKS.suppressed);
      expect(rowOf(byAuthority, NEWPORT).getCell(removed).value).toBe(MARKS.suppressed);
      expect(rowOf(byAuthority, TORFAEN).getCell(4).value).toBe(0);
      expect(rowOf(byAuthority, TORFAEN).getCell(removed).value).toBe(0);
      const summary = rows(workbook.getWorksheet("Summary")!);
      const total = (item: string, area: string) => summary.find((r) => r[0] === item && r[2] === area)?.[3];
      // Cardiff and Vale's total is Cardiff's 3 alone. Wales's 123 less Newport's 120 and Torfaen's 0
      // would give it away too, so one of those is hidden as well (the attack in tests/disclosure.test.ts
      // proves the plan in general; here, the case that the old rule also caught).
      expect(total("care_leavers_21_25", "Cardiff and Vale")).toBe(MARKS.suppressed);
      expect([total("care_leavers_21_25", "Wales"), rowOf(byAuthority, NEWPORT).getCell(4).value]).toContain(MARKS.suppressed);
      // Newport's 2 is every "child removed" in Gwent and in Wales: those totals are small counts themselves.
      expect(total("care_experienced_parents_child_removed", "Gwent")).toBe(MARKS.suppressed);
      expect(total("care_experienced_parents_child_removed", "Wales")).toBe(MARKS.suppressed);
      expect(total("care_experienced_parents", "Wales")).toBe(10);

      const data = rows(workbook.getWorksheet("Data")!);
      expect(data.find((r) => r[2] === CARDIFF && r[5] === "care_leavers_21_25")?.[7]).toBe(MARKS.suppressed);
      const about = rows(workbook.getWorksheet("About")!).flat().join("\n");
      expect(about).toContain("For publication: counts from 1 to 4 are replaced by [c]");
    });

    it("is a release of the round only when asked for by the page's form: a link records nothing, a post is recorded and audited", async () => {
      const collection = (await getCollection(db(), DECEMBER_2026))!;
      const releases = () => db().selectFrom("disclosure_release").select("kind").where("collection_id", "=", collection.id).execute();
      const audited = () =>
        db()
          .selectFrom("audit_log")
          .select(["actor_user_id", "after"])
          .where("action", "=", "collection.workbook_for_publication")
          .where("entity_key", "=", String(collection.id))
          .execute();
      const before = { releases: (await releases()).length, audited: (await audited()).length };

      // A link from anywhere (the old address, sent to a signed-in analyst) leads to the form and records nothing.
      expect(await download(people.analyst, DECEMBER_2026, "?publish=1")).toMatchObject({
        kind: "response",
        status: 302,
        location: `/collections/${DECEMBER_2026}#publication`,
      });
      expect(await takeForPublication(people.analyst, DECEMBER_2026, { csrf: false })).toMatchObject({ kind: "response", status: 403 });
      expect(await takeForPublication(people.officer, DECEMBER_2026)).toMatchObject({ kind: "response", status: 404 });
      expect((await releases()).length).toBe(before.releases);
      expect((await audited()).length).toBe(before.audited);

      // Conwy's 1 changes the figures, so this workbook is a release of its own.
      await submitAs(db(), DECEMBER_2026, CONWY, {
        care_leavers_21_25: { number: 1 },
        care_experienced_parents: { number: 0 },
        care_experienced_parents_child_removed: { number: 0 },
      });
      const taken = await takeForPublication(people.analyst, DECEMBER_2026);
      expect(taken).toMatchObject({ kind: "response", status: 200 });
      expect((taken as { response: Response }).response.headers.get("Content-Disposition")).toContain("-for-publication");
      expect((await releases()).length).toBe(before.releases + 1);
      const entries = await audited();
      expect(entries.length).toBe(before.audited + 1);
      expect(entries.at(-1)!.actor_user_id).toBe(people.analyst.userId);
    });

    it("leaves out what the published statistics leave out: query explanations, replies as written and query threads", async () => {
      await submitAs(db(), DECEMBER_2026, SWANSEA, {
        care_leavers_21_25: { number: 4, queryExplanation: "ZQ-EXPLAINED: up from 1 last year" },
        care_experienced_parents: { number: 0 },
        care_experienced_parents_child_removed: { number: 0 },
      });
      const swansea = { collection: (await getCollection(db(), DECEMBER_2026))!, authorityCode: SWANSEA };
      const coordinator = { userId: people.coordinator.userId, role: "coordinator" as const, authorityCode: null };
      const asked = await raiseQuery(db(), swansea, { itemCode: "care_leavers_21_25", body: "ZQ-THREAD: is 4 right?", actor: coordinator });
      expect(asked).toEqual({ ok: true });
      const texts = (workbook: ExcelJS.Workbook) =>
        workbook.worksheets
          .flatMap((sheet) => {
            const found: string[] = [];
            sheet.eachRow((row) =>
              row.eachCell((cell) => {
                found.push(String(cell.value ?? ""));
                if (cell.note) found.push(typeof cell.note === "string" ? cell.note : JSON.stringify(cell.note));
              }),
            );
            return found;
          })
          .join("\n");
      const kept = texts(await open(people.coordinator, DECEMBER_2026));
      expect(kept).toContain("ZQ-EXPLAINED");
      expect(kept).toContain("ZQ-THREAD");
      const published = await read(await takeForPublication(people.coordinator, DECEMBER_2026), DECEMBER_2026);
      expect(texts(published)).not.toContain("ZQ-EXPLAINED");
      expect(texts(published)).not.toContain("ZQ-THREAD");
      const header = rows(published.getWorksheet("Data")!)[0]!;
      expect(header).not.toContain("Explanation of a figure flagged for checking");
      expect(header).not.toContain("What the authority wrote");
      expect(header).not.toContain("Queries on the figure");
      expect(header).toContain("Caveat");
      // February 2023's replies as written, kept beside each figure, are not in its workbook for publication.
      const reply = await db().selectFrom("reply_text").select("text").executeTakeFirstOrThrow();
      const snippet = reply.text.slice(0, 40);
      expect(texts(await open(people.coordinator, FEBRUARY_2023))).toContain(snippet);
      expect(texts(await read(await takeForPublication(people.coordinator, FEBRUARY_2023), FEBRUARY_2023))).not.toContain(snippet);
    });
  });

  it("is linked from the collection page for coordinators and analysts, not for officers", async () => {
    for (const [visitor, shown] of [
      [people.coordinator, true],
      [people.analyst, true],
      [people.officer, false],
    ] as const) {
      const outcome = await run(() =>
        collectionPage.loader(routeArgs(get(`/collections/${FEBRUARY_2023}`, visitor), { code: FEBRUARY_2023 }) as never),
      );
      expect(outcome.kind === "data" && (outcome.data as { mayExport: boolean }).mayExport).toBe(shown);
    }
  });
});
