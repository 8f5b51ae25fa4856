import { beforeAll, describe, expect, it } from "vitest";
import { previousCells, previousValues } from "#app/models/aggregation.server.ts";
import { readerFor } from "#app/auth/policy.server.ts";
import { FEBRUARY_2023 } from "#seeds/demo.ts";
import { useDemoDatabase } from "./support/database.ts";
import { submitAs } from "./support/returns.ts";

const NEWPORT = "W06000022";
const CARDIFF = "W06000015";
const RHONDDA_CYNON_TAF = "W06000016";
const ITEM = "care_leavers_21_25";
const BETWEEN = "2024-03-care-leavers";
const analyst = readerFor({ role: "analyst", authorityCode: null });
const cardiffOfficer = readerFor({ role: "officer", authorityCode: CARDIFF });
const newportOfficer = readerFor({ role: "officer", authorityCode: NEWPORT });

describe("the last round's figure", () => {
  const db = useDemoDatabase();

  beforeAll(async () => {
    // February 2023 (Newport 271) closed, accepted and open to comparison: every officer may read it.
    const february = await db().selectFrom("collection").select("id").where("code", "=", FEBRUARY_2023).executeTakeFirstOrThrow();
    await db().updateTable("collection").set({ officers_may_compare: true }).where("id", "=", february.id).execute();
    await db().updateTable("return").set({ status: "accepted" }).where("collection_id", "=", february.id).execute();
    // A later round, still open, where Newport gave 300: only Newport's officers and the analysts may read it.
    const { id } = await db()
      .insertInto("collection")
      .values({
        code: BETWEEN,
        title_en: "Care leavers, March 2024",
        title_cy: "Pobl ifanc sy'n gadael gofal, Mawrth 2024",
        reference_date: "2024-03-31",
        opens_on: "2024-04-01",
        due_on: "2024-05-01",
        status: "open",
        guidance_en: "",
        guidance_cy: "",
        rules: "{}",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db().insertInto("collection_item").values({ collection_id: id, item_code: ITEM, position: 1, required: true }).execute();
    await submitAs(db(), BETWEEN, NEWPORT, { [ITEM]: { state: "reported", number: "300" } });
  });

  it("is the latest earlier round in which the authority gave the item", async () => {
    const cells = await previousCells(db(), analyst, { itemCode: ITEM, before: "2026-10-31" });
    expect(cells.find((c) => c.authorityCode === NEWPORT)).toMatchObject({ state: "reported", number: 300 });
    // Rhondda Cynon Taf gave no return in March 2024: its last round is February 2023.
    expect(cells.find((c) => c.authorityCode === RHONDDA_CYNON_TAF)).toMatchObject({ number: 173 });
    const values = await previousValues(db(), newportOfficer, { authorityCode: NEWPORT, before: "2026-10-31", itemCodes: [ITEM] });
    expect(values.get(ITEM)).toMatchObject({ number: 300, collectionCode: BETWEEN, referenceDate: "2024-03-31" });
    const earlier = await previousValues(db(), newportOfficer, { authorityCode: NEWPORT, before: "2024-03-31", itemCodes: [ITEM] });
    expect(earlier.get(ITEM)).toMatchObject({ number: 271, collectionCode: FEBRUARY_2023 });
  });

  it("is left out where the reader may not see it, never replaced by an older round they may see", async () => {
    const cells = await previousCells(db(), cardiffOfficer, { itemCode: ITEM, before: "2026-10-31" });
    expect(cells.find((c) => c.authorityCode === NEWPORT)).toBeUndefined();
    expect(cells.find((c) => c.authorityCode === RHONDDA_CYNON_TAF)).toMatchObject({ number: 173 });
    const values = await previousValues(db(), cardiffOfficer, { authorityCode: NEWPORT, before: "2026-10-31", itemCodes: [ITEM] });
    expect(values.has(ITEM)).toBe(false);
    // Before March 2024, February 2023 is the latest earlier round, and open to comparison.
    const before = await previousCells(db(), cardiffOfficer, { itemCode: ITEM, before: "2024-03-31" });
    expect(before.find((c) => c.authorityCode === NEWPORT)).toMatchObject({ number: 271 });
  });
});
