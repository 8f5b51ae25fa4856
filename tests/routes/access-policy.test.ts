/**
 * The access policy where routes do not reach: the return model's own refusal of anyone but the
 * authority's officers (and the portal's imports), the reader only the policy can make, and the
 * outlier check, whose yes or no an officer can ask for with any figure, so that it compares a
 * return only with figures the officer may see.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as form from "#app/routes/returns.$collectionCode.$authorityCode._index.tsx";
import { coverageTotals, rateBasis } from "#app/models/aggregation.server.ts";
import { getCollection, setOfficersMayCompare } from "#app/models/collection.server.ts";
import {
  amendReturn,
  findReturn,
  flagBasis,
  importActor,
  saveReturn,
  submitReturn,
  SYSTEM_ACTOR,
  type Actor,
} from "#app/models/return.server.ts";
import { acceptReturn } from "#app/models/value-query.server.ts";
import { createApiToken } from "#app/models/api-token.server.ts";
import { readerFor } from "#app/auth/policy.server.ts";
import { translate } from "#app/i18n/i18n.ts";
import { useDemoDatabase } from "../support/database.ts";
import { COORDINATOR, get, OFFICER, post, routeArgs, run, signIn, snapshot } from "../support/requests.ts";
import { flagsInContext } from "#app/models/desk.server.ts";
import { submitAs } from "../support/returns.ts";
import { inProcessPortal, serverBuild } from "../support/hardening.ts";

const ROUND = "2026-12-care-experienced-parents";
const FEBRUARY_2023 = "2023-02-care-experienced-parents";
const CARDIFF = "W06000015";
const NEWPORT = "W06000022";
/** Five authorities that submit in the open round, none accepted: rates of about 20 per 10,000. */
const PEERS = { W06000022: 320, W06000011: 470, W06000003: 230, W06000002: 240, W06000006: 280 };

describe("the access policy in the data layer", () => {
  const db = useDemoDatabase();
  let coordinatorId: number;

  beforeAll(async () => {
    coordinatorId = (await db().selectFrom("app_user").select("id").where("role", "=", "coordinator").executeTakeFirstOrThrow()).id;
  });

  it("lets only the authority's own officers and the portal itself change a return; a coordinator, never", async () => {
    const collection = (await getCollection(db(), ROUND))!;
    const scope = { collection, authorityCode: CARDIFF };
    const raw = { care_leavers_21_25: { state: "reported", number: 12 } };
    const coordinator: Actor = { userId: coordinatorId, role: "coordinator", authorityCode: null };
    const newport: Actor = { userId: null, role: "officer", authorityCode: NEWPORT };
    const before = await snapshot(db());
    for (const actor of [coordinator, newport, { ...coordinator, role: "analyst" } as Actor]) {
      await expect(saveReturn(db(), scope, { basedOn: 0, raw, actor })).rejects.toThrow(/may not change the return of W06000015/);
      await expect(amendReturn(db(), scope, { basedOn: 0, reason: "Because", actor })).rejects.toThrow(/may not change/);
      await expect(
        submitReturn(db(), scope, { basedOn: 0, signedOffName: "A", signedOffRole: "B", actor, today: "2026-12-01" }),
      ).rejects.toThrow(/may not change/);
    }
    expect(await snapshot(db())).toBe(before);
    // The portal itself may: the seeds, and a coordinator's bulk import, with the coordinator on record.
    const imported = await saveReturn(db(), scope, { basedOn: 0, raw, actor: importActor(coordinatorId) });
    expect(imported).toMatchObject({ ok: true, changed: ["care_leavers_21_25"] });
    const audit = await db()
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "value.change")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_user_id: coordinatorId, authority_code: CARDIFF });
    expect(
      await saveReturn(db(), scope, {
        basedOn: imported.ok ? imported.lockVersion : 0,
        raw: {},
        actor: SYSTEM_ACTOR,
      }),
    ).toMatchObject({ ok: true });
  });

  it("takes a reader only the policy makes, and gives each reader what the policy says", async () => {
    const collection = (await getCollection(db(), "2023-02-care-experienced-parents"))!;
    // @ts-expect-error a reader is made by the policy only: an object of the right shape is not one
    await expect(coverageTotals(db(), { everyAuthority: true, ownAuthority: null }, collection.id)).rejects.toThrow();
    const wales = async (person: Parameters<typeof readerFor>[0]) =>
      (await coverageTotals(db(), readerFor(person), collection.id)).find(
        (t) => t.itemCode === "care_leavers_21_25" && t.regionCode === null,
      );
    expect(await wales({ role: "analyst", authorityCode: null })).toMatchObject({ total: 926, withheld: false });
    expect(await wales({ role: "coordinator", authorityCode: null, isAdmin: false })).toMatchObject({ total: 926, withheld: false });
    expect(await wales({ role: "officer", authorityCode: CARDIFF })).toMatchObject({ total: null, withheld: true, comparable: 12 });
  });

  it("compares a return's rates only with figures its officers may see: never the open round's, whatever its peers submit", async () => {
    for (const [authority, number] of Object.entries(PEERS)) {
      await submitAs(db(), ROUND, authority, {
        care_leavers_21_25: { state: "reported", number: String(number) },
        care_experienced_parents: { state: "reported", number: "10" },
        care_experienced_parents_child_removed: { state: "reported", number: "2" },
      });
    }
    const collection = (await getCollection(db(), ROUND))!;
    const february = (await getCollection(db(), FEBRUARY_2023))!;
    const coordinator: Actor = { userId: coordinatorId, role: "coordinator", authorityCode: null };
    const handle = inProcessPortal(await serverBuild());
    const cardiffOfficer = await db().selectFrom("app_user").select("id").where("email", "=", OFFICER.cardiff).executeTakeFirstOrThrow();
    const created = await createApiToken(
      db(),
      { id: cardiffOfficer.id, role: "officer", isAdmin: false, authorityCode: CARDIFF },
      { name: "Oracle", lifetime: "90", ownerId: null },
    );
    if (!created.ok) throw new Error("could not make a token");
    // The question an officer can ask again and again, as the outside review did: is this figure flagged?
    const SWEEP = [50, 100, 200, 300, 400, 600, 800, 1200, 1600, 2400, 3200, 4000, 5000];
    const flaggedAt = async () => {
      const answers: number[] = [];
      for (const number of SWEEP) {
        const response = await handle(
          new Request(`http://localhost/api/v1/returns/${ROUND}/${CARDIFF}/validate`, {
            method: "POST",
            headers: { Authorization: `Bearer ${created.token}`, "Content-Type": "application/json" },
            body: JSON.stringify({ values: { care_leavers_21_25: { state: "reported", number } } }),
          }),
        );
        expect(response.status).toBe(200);
        const { queries } = (await response.json()) as { queries: { itemCode: string; kind: string }[] };
        if (queries.some((q) => q.kind === "outlier")) answers.push(number);
      }
      return answers;
    };
    /** Newport amends its submitted, unaccepted figure: a planted number the officer must not learn. */
    const newportSubmits = async (number: number) => {
      const scope = { collection, authorityCode: NEWPORT };
      const amended = await amendReturn(db(), scope, {
        basedOn: (await findReturn(db(), scope))!.lock_version,
        reason: "Planted",
        actor: SYSTEM_ACTOR,
      });
      expect(amended).toMatchObject({ ok: true });
      await submitAs(db(), ROUND, NEWPORT, {
        care_leavers_21_25: { state: "reported", number: String(number) },
        care_experienced_parents: { state: "reported", number: "10" },
        care_experienced_parents_child_removed: { state: "reported", number: "2" },
      });
    };
    const coordinatorBasis = () =>
      rateBasis(db(), readerFor({ role: "coordinator", authorityCode: null }), { collection, authorityCode: CARDIFF });

    // The round is open: five peers have submitted, none accepted, so the officer's checks have no peers.
    const whileOpen = await flaggedAt();
    expect(whileOpen).toEqual([]);
    await newportSubmits(4919);
    expect(await flaggedAt()).toEqual(whileOpen);
    expect((await flagBasis(db(), { collection, authorityCode: CARDIFF })).peerRates.size).toBe(0);
    // The coordinator, who may read every figure, still compares with this round's.
    const newportPopulation = (
      await db().selectFrom("denominator_value").select("value").where("authority_code", "=", NEWPORT).executeTakeFirstOrThrow()
    ).value;
    expect((await coordinatorBasis()).peerRates.get("care_leavers_21_25")).toContainEqual(
      expect.closeTo((4919 * 10_000) / newportPopulation, 6),
    );

    // February 2023 accepted and open to comparison: its accepted figures become the officers' basis.
    for (const { authority_code, lock_version } of await db()
      .selectFrom("return")
      .select(["authority_code", "lock_version"])
      .where("collection_id", "=", february.id)
      .where("status", "=", "submitted")
      .execute()) {
      expect(
        await acceptReturn(db(), { collection: february, authorityCode: authority_code }, { basedOn: lock_version, actor: coordinator }),
      ).toEqual({ ok: true });
    }
    await setOfficersMayCompare(db(), february, true, coordinatorId);
    const populations = new Map(
      (await db().selectFrom("denominator_value").select(["authority_code", "value"]).execute()).map((p) => [p.authority_code, p.value]),
    );
    const februaryRates = (
      await db()
        .selectFrom("return as r")
        .innerJoin("return_version_value as v", (join) =>
          join.onRef("v.return_id", "=", "r.id").onRef("v.version", "=", "r.accepted_version"),
        )
        .select(["r.authority_code", "v.number"])
        .where("r.collection_id", "=", february.id)
        .where("r.authority_code", "<>", CARDIFF)
        .where("v.item_code", "=", "care_leavers_21_25")
        .where("v.is_comparable", "=", true)
        .execute()
    ).map((row) => (Number(row.number) * 10_000) / populations.get(row.authority_code)!);
    expect(februaryRates.length).toBeGreaterThanOrEqual(5);
    const basis = await flagBasis(db(), { collection, authorityCode: CARDIFF });
    expect(basis.peerRates.get("care_leavers_21_25")!.sort((a, b) => a - b)).toEqual(
      februaryRates.sort((a, b) => a - b).map((r) => expect.closeTo(r, 6)),
    );
    const whileComparable = await flaggedAt();
    expect(whileComparable.length).toBeGreaterThan(0);
    // Whatever Newport submits in the open round, the answers stay the same.
    await newportSubmits(4363);
    expect(await flaggedAt()).toEqual(whileComparable);
    await newportSubmits(17);
    expect(await flaggedAt()).toEqual(whileComparable);

    // The form says the officer's own rate only, and names no peer's figure, rate or median.
    const cardiff = await signIn(db(), OFFICER.cardiff);
    const ret = await db()
      .selectFrom("return")
      .select("lock_version")
      .where("collection_id", "=", collection.id)
      .where("authority_code", "=", CARDIFF)
      .executeTakeFirstOrThrow();
    const fields: Record<string, string> = { intent: "save", lockVersion: String(ret.lock_version) };
    const answers = { care_leavers_21_25: "4000", care_experienced_parents: "10", care_experienced_parents_child_removed: "2" };
    for (const [item, number] of Object.entries(answers)) {
      fields[`${item}.state`] = "reported";
      fields[`${item}.number`] = number;
    }
    const params = { collectionCode: ROUND, authorityCode: CARDIFF };
    const path = `/returns/${ROUND}/${CARDIFF}`;
    expect(await run(() => form.action(routeArgs(post(path, fields, cardiff), params) as never))).toMatchObject({ status: 302 });
    const page = await run(() => form.loader(routeArgs(get(path, cardiff), params) as never));
    if (page.kind !== "data") throw new Error(`expected the return page, got ${page.status}`);
    const { flagsToExplain } = page.data as Awaited<ReturnType<typeof form.loader>>;
    const population = populations.get(CARDIFF)!;
    const outlier = flagsToExplain.find((q) => q.kind === "outlier");
    expect(outlier).toEqual({
      itemCode: "care_leavers_21_25",
      kind: "outlier",
      params: { rate: Math.round((4000 * 100_000) / population) / 10 },
    });
    const peerRates = [...februaryRates, ...Object.entries(PEERS).map(([code, n]) => (n * 10_000) / populations.get(code)!)];
    const data = JSON.stringify(page.data);
    for (const text of [
      data,
      translate("en", "flag.explain.outlier", outlier!.params),
      translate("cy", "flag.explain.outlier", outlier!.params),
    ]) {
      for (const rate of peerRates) expect(text).not.toMatch(new RegExp(`(?<![\\w.])${rate.toFixed(1).replace(".", "\\.")}`));
    }
    expect(data).not.toMatch(/(?<![\w.])17(?![\w.])|4363|4919/);
    expect(translate("en", "flag.explain.outlier", outlier!.params)).toContain(String(outlier!.params.rate));

    // While February 2023 is open to comparison the officer's check flags Cardiff's 4,000 too: it
    // cannot be submitted without an explanation.
    const unexplained = {
      care_leavers_21_25: { state: "reported", number: "4000", queryExplanation: "" },
      care_experienced_parents: { state: "reported", number: "10" },
      care_experienced_parents_child_removed: { state: "reported", number: "2" },
    };
    await expect(submitAs(db(), ROUND, CARDIFF, unexplained)).rejects.toThrow(/explanationMissing/);
    const review = () =>
      flagsInContext(db(), readerFor({ role: "coordinator", authorityCode: null }), { collection, authorityCode: CARDIFF });

    await setOfficersMayCompare(db(), february, false, coordinatorId);
    expect(await flaggedAt()).toEqual([]);
    // With nothing to compare with, the officer is not asked, and may submit without explaining; the
    // coordinator still sees the outlier, and is told the officer was not asked rather than that they gave nothing.
    await submitAs(db(), ROUND, CARDIFF, unexplained);
    expect(await review()).toEqual([
      expect.objectContaining({ itemCode: "care_leavers_21_25", kind: "outlier", askedOfOfficer: false, explanation: null }),
    ]);
    const coordinatorVisitor = await signIn(db(), COORDINATOR);
    const reviewPage = await (
      await handle(new Request(`http://localhost${path}`, { headers: { Cookie: coordinatorVisitor.cookie } }))
    ).text();
    expect(reviewPage).toContain("The officer was not asked to explain this");
    expect(reviewPage).not.toContain("The officer gave no explanation.");

    // Opening February 2023 to comparison again moves the officer's checks on, not what they were
    // asked when they submitted: the page still says they were not asked.
    await setOfficersMayCompare(db(), february, true, coordinatorId);
    expect(await review()).toEqual([
      expect.objectContaining({ itemCode: "care_leavers_21_25", kind: "outlier", askedOfOfficer: false, explanation: null }),
    ]);
    const laterPage = await (
      await handle(new Request(`http://localhost${path}`, { headers: { Cookie: coordinatorVisitor.cookie } }))
    ).text();
    expect(laterPage).toContain("The officer was not asked to explain this");
    expect(laterPage).not.toContain("The officer gave no explanation.");
  });
});
