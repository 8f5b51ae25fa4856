import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import * as workbookRoute from "#app/routes/collections.$code.export[.]xlsx.ts";
import * as csvRoute from "#app/routes/collections.$code.values[.]csv.ts";
import * as allRoute from "#app/routes/exports.all-collections[.]xlsx.ts";
import { getCollection } from "#app/models/collection.server.ts";
import { raiseQuery } from "#app/models/value-query.server.ts";
import { denominatorSource } from "#app/domain/denominators.ts";
import { pick, translate } from "#app/i18n/i18n.ts";
import { readSeedCsv } from "#seeds/reference.ts";
import * as collectionPage from "#app/routes/collections.$code._index.tsx";
import * as gaps from "#app/routes/collections.$code.gaps.tsx";
import * as itemPage from "#app/routes/collections.$code.items.$itemCode.tsx";
import * as trend from "#app/routes/items.$itemCode.tsx";
import { useDemoDatabase } from "../support/database.ts";
import { bodyBytes, submitAs } from "../support/returns.ts";
import { ANALYST, COORDINATOR, get, routeArgs, run, signIn, type Visitor } from "../support/requests.ts";

const FEB = "2023-02-care-experienced-parents";
const DEC = "2026-12-care-experienced-parents";
const LEAVERS = "care_leavers_21_25";

describe("honest figures: each page words a round by where it stands", () => {
  const db = useDemoDatabase();
  let analyst: Visitor;
  let coordinator: Visitor;
  beforeAll(async () => {
    [analyst, coordinator] = await Promise.all([signIn(db(), ANALYST), signIn(db(), COORDINATOR)]);
  });

  it("words the closed February 2023 round as closed, and the open December 2026 round as still collecting or late", async () => {
    for (const [code, closed] of [
      [FEB, true],
      [DEC, false],
    ] as const) {
      const page = await collectionPage.loader(routeArgs(get(`/collections/${code}`, analyst), { code }) as never);
      const gap = await gaps.loader(routeArgs(get(`/collections/${code}/gaps`, coordinator), { code }) as never);
      const item = await itemPage.loader(
        routeArgs(get(`/collections/${code}/items/${LEAVERS}`, analyst), { code, itemCode: LEAVERS }) as never,
      );
      for (const stage of [page.stage, gap.stage, item.stage]) {
        if (closed) expect(stage).toBe("closed");
        else expect(["collecting", "overdue"]).toContain(stage);
      }
    }
  });

  it("joins trend points only when they cover the same authorities, and marks the open round provisional", async () => {
    const before = await trend.loader(routeArgs(get(`/items/${LEAVERS}`, analyst), { itemCode: LEAVERS }) as never);
    expect(before.points.map((p) => [p.collectionCode, p.stage === "closed", p.sameCoverageAsPrevious])).toEqual([
      [FEB, true, false],
      [DEC, false, false],
    ]);
    await submitAs(db(), DEC, "W06000022", {
      care_leavers_21_25: { state: "reported", number: "250" },
      care_experienced_parents: { state: "reported", number: "10" },
      care_experienced_parents_child_removed: { state: "reported", number: "2" },
    });
    const after = await trend.loader(routeArgs(get(`/items/${LEAVERS}`, analyst), { itemCode: LEAVERS }) as never);
    const december = after.points.find((p) => p.collectionCode === DEC)!;
    // Newport alone in December against 12 authorities in February: not one line.
    expect(december).toMatchObject({ total: 250, comparable: 1, sameCoverageAsPrevious: false });
    // Which authorities a point covers stays on the server.
    expect(JSON.stringify(after.points)).not.toContain("W06000022");
  });
});

describe("honest figures: every figure with its source, its status and the authority's own words", () => {
  const db = useDemoDatabase();
  let analyst: Visitor;
  let coordinator: Visitor;
  beforeAll(async () => {
    [analyst, coordinator] = await Promise.all([signIn(db(), ANALYST), signIn(db(), COORDINATOR)]);
  });

  const workbook = async (visitor: Visitor, code: string, query = "") => {
    const outcome = await run(() =>
      workbookRoute.loader(routeArgs(get(`/collections/${code}/export.xlsx${query}`, visitor), { code }) as never),
    );
    if (outcome.kind !== "response" || outcome.status !== 200) throw new Error(`expected a workbook, got ${outcome.status}`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await bodyBytes(outcome.response)).buffer as ExcelJS.Buffer);
    return book;
  };
  const sheetRows = (sheet: ExcelJS.Worksheet) => {
    const out: ExcelJS.CellValue[][] = [];
    sheet.eachRow((row) => out.push((row.values as ExcelJS.CellValue[]).slice(1)));
    return out;
  };
  /** The About sheet's label and value pairs, the first of each label (an item's label comes again under coverage). */
  const about = (book: ExcelJS.Workbook, name = "About") =>
    new Map(
      sheetRows(book.getWorksheet(name)!)
        .reverse()
        .map((r) => [String(r[0]), r[1]]),
    );

  it("keeps each authority's own words beside the value read from them, from the reply of 16 February 2023", async () => {
    const item = await itemPage.loader(
      routeArgs(get(`/collections/${FEB}/items/${LEAVERS}`, analyst), { code: FEB, itemCode: LEAVERS }) as never,
    );
    const reply = readSeedCsv<{ authority_code: string; reported_text: string }>("adss-2023-02-care-leavers-21-25.csv");
    expect(reply).toHaveLength(15);
    for (const { authority_code, reported_text } of reply) {
      expect(item.rows.find((r) => r.authorityCode === authority_code)).toMatchObject({ asWritten: reported_text, asWrittenLang: "en" });
    }
    expect(item.rows.find((r) => r.authorityCode === "W06000003")?.asWritten).toBe("133 aged 18–25 years");
    expect(item.rows.filter((r) => r.asWritten !== null)).toHaveLength(15);
    const parents = await itemPage.loader(
      routeArgs(get(`/collections/${FEB}/items/care_experienced_parents`, analyst), {
        code: FEB,
        itemCode: "care_experienced_parents",
      }) as never,
    );
    expect(parents.rows.find((r) => r.authorityCode === "W06000019")).toMatchObject({
      number: 7,
      comparable: false,
      asWritten: "(7 are parent/preg)",
    });
    // Recorded, as every change is.
    const audited = await db().selectFrom("audit_log").select("entity_key").where("action", "=", "reply_text.record").execute();
    expect(audited).toHaveLength(16);
  });

  it("names the denominator exactly, its source in the reader's language and its year as a year", async () => {
    for (const [lang, label, source] of [
      ["en", "residents of all ages", /^Census 2021 usual residents/],
      ["cy", "o breswylwyr o bob oed", /^Preswylwyr arferol Cyfrifiad 2021/],
    ] as const) {
      const item = await itemPage.loader(
        routeArgs(get(`/collections/${FEB}/items/${LEAVERS}`, analyst), { code: FEB, itemCode: LEAVERS }) as never,
      );
      expect(item.denominator).toMatchObject({ year: 2021 });
      expect(pick(lang, item.denominator!, "label")).toBe(label);
      expect(denominatorSource(lang, item.denominator!)).toMatch(source);
      const text = translate(lang, "item.denominator", {
        label: pick(lang, item.denominator!, "label"),
        source: denominatorSource(lang, item.denominator!),
        year: String(item.denominator!.year),
      });
      expect(text).toContain("10,000 ");
      expect(text).toContain(", 2021)");
      expect(text).not.toContain("2,021");
    }
  });

  it("heads every rate column with exactly what it is per, its source and year", async () => {
    const book = await workbook(analyst, FEB);
    const headers = sheetRows(book.worksheets.find((s) => s.name === translate("en", "export.sheet.byAuthority"))!)[0]!.map(String);
    const rateHeaders = headers.filter((h) => h.includes("rate per"));
    expect(rateHeaders.length).toBeGreaterThan(0);
    for (const header of rateHeaders) {
      expect(header).toMatch(/: rate per 10,000 residents of all ages \(Census 2021 usual residents .*, 2021\)$/);
    }
  });

  it("gives on the workbook's About sheet who asked, of whom, when, the questions, the denominator, the status and a contact", async () => {
    const book = await workbook(analyst, FEB);
    const pairs = about(book);
    expect(pairs.get("Asked by")).toMatch(/^ADSS Cymru/);
    expect(pairs.get("Asked of")).toMatch(/22 local authorities of Wales/);
    expect(pairs.get("When")).toBe("Asked from 14 December 2022, due by 10 February 2023; each figure as at 31 December 2022");
    expect(pairs.get("Status of the figures")).toBe("Final: the round is closed.");
    expect(pairs.get("Rates per 10,000")).toBe(
      "Per 10,000 residents of all ages, for Care leavers aged 21 to 25 known to the authority; Care-experienced young people who are parents; Care-experienced parents who have had a child removed or placed on the child protection register. Source: Census 2021 usual residents (StatsWales: usual resident population by age and local authority), 2021.",
    );
    expect(pairs.get("Contact")).toMatch(/ADSS Cymru/);
    expect(pairs.get("Care-experienced young people who are parents")).toMatch(/Do not count expected births/);
    const open = about(await workbook(analyst, DEC));
    expect(open.get("Status of the figures")).toMatch(/^Provisional/);
    const welsh = about(await workbook(analyst, FEB, "?lang=cy"), "Ynghylch");
    expect(welsh.get("Cyfraddau fesul 10,000")).toMatch(
      /^Fesul 10,000 o breswylwyr o bob oed, ar gyfer Pobl sy'n gadael gofal .*\. Ffynhonnell: Preswylwyr arferol Cyfrifiad 2021 .*, 2021\.$/,
    );
  });

  it("carries the authority's words into the workbook's notes and Data sheet, and query threads and explanations into the CSV", async () => {
    const book = await workbook(analyst, FEB);
    const notes = sheetRows(book.getWorksheet("Caveats and deviations")!);
    expect(notes.filter((r) => r[6] === "In the authority's words")).toHaveLength(16);
    expect(notes.find((r) => r[0] === "W06000003" && r[6] === "In the authority's words")?.[7]).toBe("133 aged 18–25 years");
    const data = sheetRows(book.getWorksheet("Data")!);
    const column = (name: string) => data[0]!.indexOf(name);
    const newport = data.find((r) => r[2] === "W06000022" && r[5] === LEAVERS)!;
    expect(newport[column("What the authority wrote")]).toBe("271 aged 21-25 years");
    expect(newport[column("Status of the figure")]).toBe("final");
    // The first round had no earlier one to compare with: nothing flagged, nothing to explain.
    expect(newport[column("Explanation of a figure flagged for checking")]).toBeUndefined();

    // A query on Newport's figure in December travels with the figure.
    await submitAs(db(), DEC, "W06000022", {
      care_leavers_21_25: { state: "reported", number: "250" },
      care_experienced_parents: { state: "reported", number: "10" },
      care_experienced_parents_child_removed: { state: "reported", number: "2" },
    });
    const december = (await getCollection(db(), DEC))!;
    const raised = await raiseQuery(
      db(),
      { collection: december, authorityCode: "W06000022" },
      {
        itemCode: LEAVERS,
        body: "Is 250 right? It was 271 last round.",
        actor: { userId: coordinator.userId, role: "coordinator", authorityCode: null },
        now: new Date("2026-12-01T10:00:00Z"),
      },
    );
    expect(raised).toEqual({ ok: true });
    const csv = await run(() => csvRoute.loader(routeArgs(get(`/collections/${DEC}/values.csv`, analyst), { code: DEC }) as never));
    if (csv.kind !== "response") throw new Error("expected a CSV");
    const rows = parse(await csv.response.text(), { columns: true, bom: true }) as Record<string, string>[];
    const row = rows.find((r) => r["Authority code"] === "W06000022" && r["Item code"] === LEAVERS)!;
    expect(row["Queries on the figure"]).toBe("2026-12-01 10:00 Demo Coordinator: Is 250 right? It was 271 last round.");
    expect(row["Explanation of a figure flagged for checking"]).toBe("Checked.");
    const decemberData = sheetRows((await workbook(analyst, DEC)).getWorksheet("Data")!);
    const explained = decemberData.find((r) => r[2] === "W06000022" && r[5] === LEAVERS)!;
    expect(explained[decemberData[0]!.indexOf("Explanation of a figure flagged for checking")]).toBe("Checked.");
    expect(row["Status of the figure"]).toBe("provisional");

    // [p] on each figure of the open round, beside the number: in the CSV, and in the workbook's cells.
    expect(row["Notes codes"]).toBe("[p]");
    expect(rows.find((r) => r["Authority code"] === "W06000015" && r["Item code"] === LEAVERS)?.["Notes codes"]).toBe("[x]");
    expect(newport[column("Notes codes")] ?? "").toBe("");
    expect(data.find((r) => r[2] === "W06000003" && r[5] === LEAVERS)?.[column("Notes codes")]).toBe("[d]");
    const open = await workbook(analyst, DEC);
    const byAuthority = open.getWorksheet("By authority")!;
    const leavers = (byAuthority.getRow(1).values as ExcelJS.CellValue[]).indexOf("Care leavers aged 21 to 25 known to the authority");
    byAuthority.eachRow((r, n) => {
      if (n === 1 || r.getCell(1).value !== "W06000022") return;
      expect(r.getCell(leavers).value).toBe(250);
      expect(r.getCell(leavers).numFmt).toBe('#,##0" [p]"');
    });
    expect(sheetRows(open.getWorksheet("About")!).find((r) => r[0] === "[p]")?.[1]).toMatch(/provisional: the round is still open/);
    const closed = await workbook(analyst, FEB);
    closed.getWorksheet("By authority")!.eachRow((r) => {
      r.eachCell((c) => expect(String(c.numFmt ?? "")).not.toContain("[p]"));
    });
  });

  it("gives the export of every collection an About sheet and a status column, so open rounds are never mixed unmarked", async () => {
    const outcome = await run(() => allRoute.loader(routeArgs(get("/exports/all-collections.xlsx", analyst)) as never));
    if (outcome.kind !== "response") throw new Error("expected a download");
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await bodyBytes(outcome.response)).buffer as ExcelJS.Buffer);
    expect(book.worksheets.map((s) => s.name)).toEqual(["About", "Data"]);
    const aboutRows = sheetRows(book.getWorksheet("About")!);
    expect(aboutRows.find((r) => r[0] === DEC)?.[3]).toMatch(/^provisional/);
    expect(aboutRows.find((r) => r[0] === FEB)?.[3]).toMatch(/^final/);
    const data = sheetRows(book.getWorksheet("Data")!);
    const status = data[0]!.indexOf("Status of the figure");
    expect(
      new Set(
        data
          .slice(1)
          .filter((r) => r[0] === FEB)
          .map((r) => r[status]),
      ),
    ).toEqual(new Set(["final"]));
    expect(
      new Set(
        data
          .slice(1)
          .filter((r) => r[0] === DEC)
          .map((r) => r[status]),
      ),
    ).toEqual(new Set(["provisional"]));
  });
});
