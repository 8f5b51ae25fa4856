/**
 * Each item names its denominator: a coordinator chooses it where denominators and items are
 * managed, and every rate of the item (the item page, the workbook's rate columns and About sheet)
 * divides by it and names its label, source and year; the other items keep the round's.
 */
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import * as itemDenominators from "#app/routes/denominators_.items.tsx";
import * as newItem from "#app/routes/catalogue.new.tsx";
import * as itemPage from "#app/routes/collections.$code.items.$itemCode.tsx";
import * as workbookRoute from "#app/routes/collections.$code.export[.]xlsx.ts";
import { CENSUS_2021 } from "#app/domain/denominators.ts";
import { useDemoDatabase } from "../support/database.ts";
import { bodyBytes } from "../support/returns.ts";
import { ANALYST, COORDINATOR, get, post, routeArgs, run, signIn, snapshot, type Visitor } from "../support/requests.ts";

const FEB = "2023-02-care-experienced-parents";
const LEAVERS = "care_leavers_21_25";
const YOUNG_ADULTS = "population_18_25";

describe("each item's own denominator", () => {
  const db = useDemoDatabase();
  let coordinator: Visitor;
  let analyst: Visitor;
  let population: Map<string, number>;
  beforeAll(async () => {
    [coordinator, analyst] = await Promise.all([signIn(db(), COORDINATOR), signIn(db(), ANALYST)]);
    const authorities = (await db().selectFrom("authority").select("code").orderBy("code").execute()).map((a) => a.code);
    population = new Map(authorities.map((code, i) => [code, 5000 + 100 * i]));
    await db()
      .insertInto("denominator")
      .values({
        code: YOUNG_ADULTS,
        label_en: "residents aged 18 to 25",
        label_cy: "o breswylwyr 18 i 25 oed",
        source: "Mid-2022 population estimates",
        source_cy: "Amcangyfrifon poblogaeth canol 2022",
        year: 2022,
      })
      .execute();
    await db()
      .insertInto("denominator_value")
      .values([...population].map(([authority_code, value]) => ({ denominator_code: YOUNG_ADULTS, authority_code, value })))
      .execute();
  });

  const choose = (fields: Record<string, string>, visitor = coordinator) =>
    run(() => itemDenominators.action(routeArgs(post("/denominators/items", fields, visitor)) as never));

  it("refuses a denominator that is not loaded, naming the item, and changes nothing", async () => {
    const before = await snapshot(db());
    const outcome = await choose({ [LEAVERS]: "no_such_table", care_experienced_parents: YOUNG_ADULTS });
    expect(outcome).toMatchObject({ kind: "data", status: 400, data: { refused: [LEAVERS] } });
    expect(await snapshot(db())).toBe(before);
    expect(await choose({ [LEAVERS]: YOUNG_ADULTS }, analyst)).toMatchObject({ status: 404 });
    expect(await snapshot(db())).toBe(before);
  });

  it("divides the item's rates by its own denominator and names it beside every rate; the other items keep the round's", async () => {
    const page = await itemDenominators.loader(routeArgs(get("/denominators/items", coordinator)) as never);
    expect(page.items.find((i) => i.code === LEAVERS)?.denominator_code).toBeNull();
    expect(await choose({ [LEAVERS]: YOUNG_ADULTS })).toMatchObject({ kind: "response", location: `/denominators/items?saved=${LEAVERS}` });
    const audit = await db().selectFrom("audit_log").selectAll().where("action", "=", "catalogue.denominator").execute();
    expect(audit).toMatchObject([{ entity_key: LEAVERS, before: { denominator_code: null }, after: { denominator_code: YOUNG_ADULTS } }]);

    const item = await itemPage.loader(
      routeArgs(get(`/collections/${FEB}/items/${LEAVERS}`, analyst), { code: FEB, itemCode: LEAVERS }) as never,
    );
    expect(item.denominator).toMatchObject({ code: YOUNG_ADULTS, year: 2022, source: "Mid-2022 population estimates" });
    const swansea = item.rows.find((r) => r.authorityCode === "W06000011")!;
    expect(swansea.rate).toBeCloseTo((190 * 10_000) / population.get("W06000011")!, 6);
    const parents = await itemPage.loader(
      routeArgs(get(`/collections/${FEB}/items/care_experienced_parents`, analyst), {
        code: FEB,
        itemCode: "care_experienced_parents",
      }) as never,
    );
    expect(parents.denominator).toMatchObject({ code: CENSUS_2021 });

    const outcome = await run(() =>
      workbookRoute.loader(routeArgs(get(`/collections/${FEB}/export.xlsx`, analyst), { code: FEB }) as never),
    );
    if (outcome.kind !== "response") throw new Error("expected a workbook");
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await bodyBytes(outcome.response)).buffer as ExcelJS.Buffer);
    const byAuthority = book.getWorksheet("By authority")!;
    const headers = (byAuthority.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
    const leaversRate = headers.findIndex((h) => h.startsWith("Care leavers aged 21 to 25 known to the authority: rate per"));
    expect(headers[leaversRate]).toBe(
      "Care leavers aged 21 to 25 known to the authority: rate per 10,000 residents aged 18 to 25 (Mid-2022 population estimates, 2022)",
    );
    expect(headers.find((h) => h.startsWith("Care-experienced young people who are parents: rate per"))).toMatch(
      /residents of all ages \(Census 2021/,
    );
    byAuthority.eachRow((row, n) => {
      if (n === 1 || row.getCell(1).value !== "W06000011") return;
      expect(Number(row.getCell(leaversRate + 1).value)).toBeCloseTo((190 * 10_000) / population.get("W06000011")!, 6);
    });
    const about: string[] = [];
    book.getWorksheet("About")!.eachRow((row) => {
      if (row.getCell(1).value === "Rates per 10,000") about.push(String(row.getCell(2).value));
    });
    expect(about).toEqual([
      "Per 10,000 residents aged 18 to 25, for Care leavers aged 21 to 25 known to the authority. Source: Mid-2022 population estimates, 2022.",
      expect.stringMatching(
        /^Per 10,000 residents of all ages, for Care-experienced young people who are parents; .*Census 2021.*, 2021\.$/,
      ),
    ]);
  });

  it("lets a new catalogue item name its denominator, and refuses one that is not loaded", async () => {
    const fields = {
      code: "young_parents_18_25",
      label_en: "Young parents aged 18 to 25",
      label_cy: "Rhieni ifanc 18 i 25 oed",
      definition_en: "Parents aged 18 to 25 on the reference date.",
      definition_cy: "Rhieni 18 i 25 oed ar y dyddiad cyfeirio.",
      min_value: "0",
      max_value: "",
      age_from: "18",
      age_to: "25",
      parent_code: "",
    };
    const refused = await run(() =>
      newItem.action(routeArgs(post("/catalogue/new", { ...fields, denominator_code: "nope" }, coordinator)) as never),
    );
    expect(refused).toMatchObject({ status: 400, data: { problems: { denominator_code: "itemForm.error.denominator" } } });
    const created = await run(() =>
      newItem.action(routeArgs(post("/catalogue/new", { ...fields, denominator_code: YOUNG_ADULTS }, coordinator)) as never),
    );
    expect(created).toMatchObject({ kind: "response" });
    const row = await db().selectFrom("data_item").select("denominator_code").where("code", "=", fields.code).executeTakeFirstOrThrow();
    expect(row.denominator_code).toBe(YOUNG_ADULTS);
  });
});
