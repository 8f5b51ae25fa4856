import { beforeAll, describe, expect, it } from "vitest";
import * as collectionPage from "#app/routes/collections.$code._index.tsx";
import * as itemPage from "#app/routes/collections.$code.items.$itemCode.tsx";
import * as gaps from "#app/routes/collections.$code.gaps.tsx";
import * as trend from "#app/routes/items.$itemCode.tsx";
import * as design from "#app/routes/collections.$code.design.tsx";
import { authorityCells, coverageTotals } from "#app/models/aggregation.server.ts";
import { getCollection } from "#app/models/collection.server.ts";
import { readerFor } from "#app/auth/policy.server.ts";
import { useDemoDatabase } from "../support/database.ts";
import { submitAs } from "../support/returns.ts";
import { ANALYST, COORDINATOR, get, OFFICER, post, routeArgs, run, signIn, type Visitor } from "../support/requests.ts";

/** Reads every authority's figures, as a coordinator does. */
const coordinatorReader = readerFor({ role: "coordinator", authorityCode: null });

const FEB = "2023-02-care-experienced-parents";
const LEAVERS = "care_leavers_21_25";

describe("aggregation views: totals, gaps, trends, the map, and who sees what", () => {
  const db = useDemoDatabase();
  let analyst: Visitor;
  let coordinator: Visitor;
  let conwy: Visitor;
  beforeAll(async () => {
    [analyst, coordinator, conwy] = await Promise.all([signIn(db(), ANALYST), signIn(db(), COORDINATOR), signIn(db(), OFFICER.conwy)]);
  });
  const loadItem = async (visitor: Visitor, query = "") =>
    itemPage.loader(routeArgs(get(`/collections/${FEB}/items/${LEAVERS}${query}`, visitor), { code: FEB, itemCode: LEAVERS }) as never);

  it("reads the gaps of February 2023 as the honest version of ADSS's letter", async () => {
    const data = await gaps.loader(routeArgs(get(`/collections/${FEB}/gaps`, analyst), { code: FEB }) as never);
    expect(data.noReturn.map((a) => a.name_en).sort()).toEqual([
      "Cardiff",
      "Carmarthenshire",
      "Ceredigion",
      "Gwynedd",
      "Monmouthshire",
      "Torfaen",
      "Wrexham",
    ]);
    const parents = data.reasons.filter((r) => r.itemCode === "care_experienced_parents");
    expect(parents).toHaveLength(1);
    expect(parents[0]).toMatchObject({
      state: "not_collected",
      reason: expect.stringMatching(/^We do not gather this information in this way/),
    });
    expect(parents[0]!.authorityCodes).toHaveLength(14);
    expect(data.totals.find((t) => t.itemCode === LEAVERS)).toMatchObject({ comparable: 12, nonComparable: 3, noReturn: 7 });
  });

  it("keeps the gaps view, which names every authority's reasons, from officers", async () => {
    expect(await run(() => gaps.loader(routeArgs(get(`/collections/${FEB}/gaps`, conwy), { code: FEB }) as never))).toMatchObject({
      status: 404,
    });
  });

  it("gives per-authority rates per 10,000 of the Census 2021 population, sorted as asked, with the source", async () => {
    const byRate = await loadItem(analyst, "?sort=rate&dir=desc");
    expect(byRate.rows[0]).toMatchObject({ authorityCode: "W06000022", number: 271 });
    expect(byRate.rows[0]!.rate).toBeCloseTo((271 / 159_587) * 10_000, 6);
    // No figure, no rate: those go last whichever the direction.
    expect(byRate.rows.slice(-7).every((r) => r.rate === null)).toBe(true);
    expect(byRate.denominator).toMatchObject({ year: 2021, source: expect.stringContaining("Census 2021") });
    const byName = await loadItem(analyst, "?sort=name");
    expect(byName.rows[0]!.authority.name_en).toBe("Blaenau Gwent");
  });

  it("shows a rate as unavailable, not 0, where an authority's denominator is missing", async () => {
    await db().deleteFrom("denominator_value").where("authority_code", "=", "W06000001").execute();
    const data = await loadItem(analyst);
    expect(data.rows.find((r) => r.authorityCode === "W06000001")).toMatchObject({ number: 39, rate: null });
  });

  it("shows an officer their own authority, and of totals made with others' unaccepted figures the coverage only", async () => {
    const data = await loadItem(conwy);
    expect(data.rows.map((r) => r.authorityCode)).toEqual(["W06000003"]);
    expect(data.hidden).toHaveLength(21);
    expect(data.wales).toMatchObject({ total: null, withheld: true, comparable: 12, nonComparable: 3, noReturn: 7 });
    expect(data.regions).toHaveLength(7);
    expect(data.regions.every((r) => r.total === null)).toBe(true);
    const page = await collectionPage.loader(routeArgs(get(`/collections/${FEB}`, conwy), { code: FEB }) as never);
    expect(page.authorities.map((a) => a.code)).toEqual(["W06000003"]);
    expect(page.regionTotals.find((r) => r.itemCode === LEAVERS && r.regionCode === "north-wales")).toMatchObject({
      total: null,
      withheld: true,
      comparable: 3,
    });
    // Items nobody gave a figure for have no total to withhold.
    expect(page.walesTotals.find((r) => r.itemCode === "care_experienced_parents")).toMatchObject({ total: null, withheld: false });
    // The analyst reads the same totals whole.
    expect((await loadItem(analyst)).wales).toMatchObject({ total: 926, withheld: false });
  });

  it("lets officers compare accepted figures once the coordinator allows it on a closed collection", async () => {
    const collection = (await getCollection(db(), FEB))!;
    await db()
      .updateTable("return")
      .set({ status: "accepted", accepted_version: 1 })
      .where("collection_id", "=", collection.id)
      .where("authority_code", "in", ["W06000011", "W06000023"])
      .execute();
    expect((await loadItem(conwy)).rows).toHaveLength(1);
    const outcome = await run(() =>
      design.action(
        routeArgs(post(`/collections/${FEB}/design`, { intent: "compare", officersMayCompare: "yes" }, coordinator), {
          code: FEB,
        }) as never,
      ),
    );
    expect(outcome).toMatchObject({ status: 302 });
    expect((await loadItem(conwy)).rows.map((r) => r.authorityCode).sort()).toEqual(["W06000003", "W06000011", "W06000023"]);
  });

  it("traces an item across collections, for Wales with coverage and per authority", async () => {
    const data = await trend.loader(routeArgs(get(`/items/${LEAVERS}?authority=W06000016`, analyst), { itemCode: LEAVERS }) as never);
    expect(data.points.map((p) => [p.collectionCode, p.total, p.comparable, p.noReturn])).toEqual([
      [FEB, 926, 12, 7],
      ["2026-12-care-experienced-parents", null, 0, 22],
    ]);
    expect(data.chosen).toBe("W06000016");
    expect(data.authorities.find((a) => a.code === "W06000016")!.values[0]).toMatchObject({ number: 173, comparable: false });
    // Conwy's officer follows Conwy, and the two authorities whose figures February 2023's
    // coordinator accepted and let officers compare (above); not Rhondda Cynon Taf's.
    const own = await trend.loader(routeArgs(get(`/items/${LEAVERS}?authority=W06000016`, conwy), { itemCode: LEAVERS }) as never);
    expect(own.authorities.map((a) => a.code)).toEqual(["W06000003", "W06000023", "W06000011"]);
    expect(own.chosen).toBeNull();
    expect(own.authorities.map((a) => [a.code, a.values.map((v) => v !== null)])).toEqual([
      ["W06000003", [true, true]],
      ["W06000023", [true, false]],
      ["W06000011", [true, false]],
    ]);
    // Twelve comparable figures, ten of them not accepted: the total is withheld, its coverage shown.
    expect(own.points.map((p) => [p.collectionCode, p.total, p.withheld, p.comparable])).toEqual([
      [FEB, null, true, 12],
      ["2026-12-care-experienced-parents", null, false, 0],
    ]);
    expect(await run(() => trend.loader(routeArgs(get("/items/nope", analyst), { itemCode: "nope" }) as never))).toMatchObject({
      status: 404,
    });
  });

  it("counts a deviation on a breakdown item as non-comparable in that breakdown's total", async () => {
    const collection = (await getCollection(db(), "2026-12-care-experienced-parents"))!;
    const ret = await db()
      .insertInto("return")
      .values({ collection_id: collection.id, authority_code: "W06000015", status: "draft" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const values = [
      { item_code: "care_experienced_mothers", state: "reported" as const, number: 5, counting_note: "Includes expectant mothers" },
      { item_code: "care_experienced_fathers", state: "reported" as const, number: 2 },
    ];
    await db().insertInto("return_version").values({ return_id: ret.id, version: 1, signed_off_name: "A", signed_off_role: "B" }).execute();
    await db()
      .insertInto("return_version_value")
      .values(values.map((v) => ({ return_id: ret.id, version: 1, ...v })))
      .execute();
    await db().updateTable("return").set({ status: "submitted", submitted_version: 1 }).where("id", "=", ret.id).execute();
    const wales = (await coverageTotals(db(), coordinatorReader, collection.id)).filter((t) => t.regionCode === null);
    expect(wales.find((t) => t.itemCode === "care_experienced_mothers")).toMatchObject({
      total: null,
      comparable: 0,
      nonComparable: 1,
      noReturn: 21,
    });
    expect(wales.find((t) => t.itemCode === "care_experienced_fathers")).toMatchObject({ total: 2, comparable: 1 });
    // Items this return left blank count as not answered, not as missing returns.
    expect(wales.find((t) => t.itemCode === "care_leavers_21_25")).toMatchObject({ notAnswered: 1, noReturn: 21 });
    const cells = await authorityCells(db(), coordinatorReader, collection.id);
    expect(cells.find((c) => c.authorityCode === "W06000015" && c.itemCode === "care_experienced_mothers")).toMatchObject({
      comparable: false,
      countingNote: "Includes expectant mothers",
    });
  });

  it("shows an officer a total made of their own figure alone, and withholds it from every other officer", async () => {
    const DEC = "2026-12-care-experienced-parents";
    await submitAs(db(), DEC, "W06000022", {
      care_leavers_21_25: { state: "reported", number: "61" },
      care_experienced_parents: { state: "reported", number: "10" },
      care_experienced_parents_child_removed: { state: "reported", number: "2" },
    });
    const totals = async (visitor: Visitor) =>
      (await collectionPage.loader(routeArgs(get(`/collections/${DEC}`, visitor), { code: DEC }) as never)).walesTotals[0]!;
    const newport = await signIn(db(), OFFICER.newport);
    // While only Newport has submitted, the Wales total is Newport's figure: Newport's officer sees it, Conwy's does not.
    expect(await totals(newport)).toMatchObject({ total: 61, withheld: false, comparable: 1 });
    expect(await totals(conwy)).toMatchObject({ total: null, withheld: true, comparable: 1 });
    const gwent = (await collectionPage.loader(routeArgs(get(`/collections/${DEC}`, newport), { code: DEC }) as never)).regionTotals.find(
      (r) => r.itemCode === LEAVERS && r.regionCode === "gwent",
    );
    expect(gwent).toMatchObject({ total: 61, withheld: false });
  });
});
