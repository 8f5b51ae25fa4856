import { beforeAll, describe, expect, it } from "vitest";
import * as collectionPage from "#app/routes/collections.$code._index.tsx";
import * as gaps from "#app/routes/collections.$code.gaps.tsx";
import * as itemPage from "#app/routes/collections.$code.items.$itemCode.tsx";
import * as trend from "#app/routes/items.$itemCode.tsx";
import { useDemoDatabase } from "../support/database.ts";
import { submitAs } from "../support/returns.ts";
import { ANALYST, COORDINATOR, get, routeArgs, signIn, type Visitor } from "../support/requests.ts";

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
