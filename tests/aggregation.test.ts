import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { authorityCells, coverageTotals } from "#app/models/aggregation.server.ts";
import { getCollection } from "#app/models/collection.server.ts";
import { readerFor } from "#app/auth/policy.server.ts";
import { useDemoDatabase } from "./support/database.ts";

/** Reads every authority's figures, as an analyst does. */
const analystReader = readerFor({ role: "analyst", authorityCode: null });

interface ReplyRow {
  authority_code: string;
  value: string;
  age_from: string;
  age_to: string;
  reference_date_stated: string;
}

// Computed here from the reply itself, under product.md's rule: a value counted on another age band
// or at another reference date is not comparable and stays out of the total.
const reply = parse(readFileSync(new URL("../seeds/data/adss-2023-02-care-leavers-21-25.csv", import.meta.url), "utf8"), {
  columns: true,
  trim: true,
}) as ReplyRow[];
const comparable = reply.filter(
  (r) => r.age_from === "21" && r.age_to === "25" && (r.reference_date_stated === "" || r.reference_date_stated === "2022-12-31"),
);
const expectedTotal = comparable.reduce((sum, r) => sum + Number(r.value), 0);

describe("the February 2023 round, aggregated", () => {
  const db = useDemoDatabase();

  async function walesTotals() {
    const collection = (await getCollection(db(), "2023-02-care-experienced-parents"))!;
    const totals = await coverageTotals(db(), analystReader, collection.id);
    return { collection, totals, wales: totals.filter((t) => t.regionCode === null) };
  }

  it("gives item 1's Wales total from the comparable answers only, with its coverage", async () => {
    const { wales } = await walesTotals();
    const item1 = wales.find((t) => t.itemCode === "care_leavers_21_25")!;
    expect(comparable).toHaveLength(12);
    expect(expectedTotal).toBe(926);
    expect(item1).toMatchObject({
      total: expectedTotal,
      expected: 22,
      comparable: 12,
      nonComparable: reply.length - comparable.length,
      notCollected: 0,
      unknown: 0,
      notApplicable: 0,
      notAnswered: 0,
      noReturn: 22 - reply.length,
    });
  });

  it("shows item 2 as not collected by 14, counted differently by Blaenau Gwent, and item 3 as collected by nobody", async () => {
    const { wales } = await walesTotals();
    expect(wales.find((t) => t.itemCode === "care_experienced_parents")).toMatchObject({
      total: null,
      comparable: 0,
      nonComparable: 1,
      notCollected: 14,
      noReturn: 7,
    });
    expect(wales.find((t) => t.itemCode === "care_experienced_parents_child_removed")).toMatchObject({
      total: null,
      comparable: 0,
      nonComparable: 0,
      notCollected: 15,
      noReturn: 7,
    });
  });

  it("records Blaenau Gwent's '7 are parent/preg' as item 2 counted differently, not as not collected", async () => {
    const { collection } = await walesTotals();
    const cells = await authorityCells(db(), analystReader, collection.id);
    const parents = cells.find((c) => c.authorityCode === "W06000019" && c.itemCode === "care_experienced_parents")!;
    expect(parents).toMatchObject({ state: "reported", number: 7, comparable: false, reason: null, rate: null });
    expect(parents.countingNote).toMatch(/pregnant/);
  });

  it("gives each region's coverage, adding up to Wales", async () => {
    const { totals } = await walesTotals();
    const regions = totals.filter((t) => t.itemCode === "care_leavers_21_25" && t.regionCode !== null);
    expect(regions).toHaveLength(7);
    expect(regions.reduce((n, r) => n + r.expected, 0)).toBe(22);
    expect(regions.reduce((n, r) => n + (r.total ?? 0), 0)).toBe(expectedTotal);
    // Cardiff and Vale: Cardiff did not reply, the Vale gave 7.
    expect(regions.find((r) => r.regionCode === "cardiff-and-vale")).toMatchObject({
      total: 7,
      expected: 2,
      comparable: 1,
      noReturn: 1,
    });
    // North Wales: Gwynedd and Wrexham did not reply; Conwy counted ages 18 to 25.
    expect(regions.find((r) => r.regionCode === "north-wales")).toMatchObject({
      total: 15 + 80 + 39,
      expected: 6,
      comparable: 3,
      nonComparable: 1,
      noReturn: 2,
    });
  });

  it("keeps each deviation and caveat on the authority's value, and its rate per 10,000", async () => {
    const { collection } = await walesTotals();
    const cells = await authorityCells(db(), analystReader, collection.id);
    const item1 = (code: string) => cells.find((c) => c.authorityCode === code && c.itemCode === "care_leavers_21_25")!;
    expect(item1("W06000003")).toMatchObject({ number: 133, comparable: false, ageFrom: 18, ageTo: 25 });
    expect(item1("W06000012")).toMatchObject({ number: 159, comparable: false, ageFrom: null, ageTo: 25 });
    expect(item1("W06000016")).toMatchObject({ number: 173, comparable: false, referenceDateUsed: "2023-12-31" });
    expect(item1("W06000019")).toMatchObject({ number: 33, comparable: true, caveat: "7 of these 33 are parents or pregnant." });
    expect(item1("W06000015")).toMatchObject({ returnStatus: null, state: null, number: null, rate: null });
    // Newport: 271 of 159,587 usual residents.
    expect(item1("W06000022").rate).toBeCloseTo((271 / 159_587) * 10_000, 6);
  });

  it("reports a collection with no returns as covering nothing", async () => {
    const collection = (await getCollection(db(), "2026-12-care-experienced-parents"))!;
    const wales = (await coverageTotals(db(), analystReader, collection.id)).filter((t) => t.regionCode === null);
    expect(wales).toHaveLength(collection.items.length);
    for (const row of wales) expect(row).toMatchObject({ total: null, comparable: 0, noReturn: 22, expected: 22 });
  });
});
