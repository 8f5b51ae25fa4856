/**
 * The access policy where routes do not reach: the return model's own refusal of anyone but the
 * authority's officers (and the portal's imports), the reader only the policy can make, and the
 * outlier check, which compares a return with every other authority's figures yet tells the
 * officer only about their own.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as form from "#app/routes/returns.$collectionCode.$authorityCode._index.tsx";
import { coverageTotals, rateBasis } from "#app/models/aggregation.server.ts";
import { getCollection } from "#app/models/collection.server.ts";
import { amendReturn, importActor, saveReturn, submitReturn, SYSTEM_ACTOR, type Actor } from "#app/models/return.server.ts";
import { readerFor } from "#app/auth/policy.server.ts";
import { translate } from "#app/i18n/i18n.ts";
import { useDemoDatabase } from "../support/database.ts";
import { get, OFFICER, post, routeArgs, run, signIn, snapshot } from "../support/requests.ts";
import { submitAs } from "../support/returns.ts";

const ROUND = "2026-12-care-experienced-parents";
const CARDIFF = "W06000015";
const NEWPORT = "W06000022";
/** Five authorities whose figures make the peers the outlier check compares Cardiff with: rates of about 20 per 10,000. */
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

  it("flags an outlier against every other authority's rate, but tells the officer only their own rate", async () => {
    for (const [authority, number] of Object.entries(PEERS)) {
      await submitAs(db(), ROUND, authority, {
        care_leavers_21_25: { state: "reported", number: String(number) },
        care_experienced_parents: { state: "reported", number: "10" },
        care_experienced_parents_child_removed: { state: "reported", number: "2" },
      });
    }
    const cardiff = await signIn(db(), OFFICER.cardiff);
    // The draft the first test left (blank again): the form is built from its lock version.
    const collection = (await getCollection(db(), ROUND))!;
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
    const outlier = flagsToExplain.find((q) => q.kind === "outlier");
    const population = (
      await db().selectFrom("denominator_value").select("value").where("authority_code", "=", CARDIFF).executeTakeFirstOrThrow()
    ).value;
    expect(outlier).toEqual({
      itemCode: "care_leavers_21_25",
      kind: "outlier",
      params: { rate: Math.round((4000 * 100_000) / population) / 10 },
    });
    // Neither the peers' figures, nor their rates, nor their median reach the page's data or its words.
    const populations = await db().selectFrom("denominator_value").select(["authority_code", "value"]).execute();
    const peerRates = Object.entries(PEERS)
      .map(([code, n]) => (n * 10_000) / populations.find((p) => p.authority_code === code)!.value)
      .sort((a, b) => a - b);
    const median = peerRates[2]!;
    // What the check compares with, read in one query: the five peers' rates and Cardiff's own
    // population; through an officer's reader, Cardiff's population and no peer at all.
    const basis = (person: Parameters<typeof readerFor>[0]) =>
      rateBasis(db(), readerFor(person), { collectionId: collection.id, authorityCode: CARDIFF });
    const asCoordinator = await basis({ role: "coordinator", authorityCode: null });
    expect(asCoordinator.peerRates.get("care_leavers_21_25")!.sort((a, b) => a - b)).toEqual(peerRates.map((r) => expect.closeTo(r, 6)));
    expect(asCoordinator.denominators.get("care_leavers_21_25")).toBe(population);
    const asOfficer = await basis({ role: "officer", authorityCode: CARDIFF });
    expect(asOfficer.peerRates.size).toBe(0);
    expect(asOfficer.denominators.get("care_leavers_21_25")).toBe(population);
    const data = JSON.stringify(page.data);
    for (const text of [
      data,
      translate("en", "flag.explain.outlier", outlier!.params),
      translate("cy", "flag.explain.outlier", outlier!.params),
    ]) {
      for (const rate of [median, ...peerRates]) expect(text).not.toMatch(new RegExp(`(?<![\\w.])${rate.toFixed(1).replace(".", "\\.")}`));
    }
    expect(translate("en", "flag.explain.outlier", outlier!.params)).toContain(String(outlier!.params.rate));
  });
});
