import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { loader as homeLoader } from "#app/routes/_index.tsx";
import * as bulk from "#app/routes/collections.$code.accept.tsx";
import * as board from "#app/routes/collections.$code.board.tsx";
import * as chase from "#app/routes/collections.$code.chase.$authorityCode.tsx";
import * as chaseList from "#app/routes/collections.$code.chase-list[.]csv.ts";
import { loader as reviewLoader } from "#app/routes/returns.$collectionCode.$authorityCode._index.tsx";
import { getCollection } from "#app/models/collection.server.ts";
import { flagsInContext, waitingForCoordinator } from "#app/models/desk.server.ts";
import { amendReturn, findReturn, SYSTEM_ACTOR } from "#app/models/return.server.ts";
import { raiseQuery, replyToQuery } from "#app/models/value-query.server.ts";
import { readerFor } from "#app/auth/policy.server.ts";
import { useDemoDatabase } from "../support/database.ts";
import { COORDINATOR, get, OFFICER, post, routeArgs, run, signIn, type Visitor } from "../support/requests.ts";
import { submitAs } from "../support/returns.ts";

const ROUND = "2026-12-care-experienced-parents";
const CARDIFF = "W06000015";
const CONWY = "W06000003";
const NEWPORT = "W06000022";
const POWYS = "W06000023";

const answers = (leavers: number) => ({
  care_leavers_21_25: { state: "reported", number: String(leavers) },
  care_experienced_parents: { state: "reported", number: "9" },
  care_experienced_parents_child_removed: { state: "unknown", reason: "Not linked yet." },
});

describe("the coordinator's desk: what waits for them, and accepting clean returns in bulk", () => {
  const db = useDemoDatabase();
  let coordinator: Visitor;
  let officer: Visitor;
  const coordinatorActor = () => ({ userId: coordinator.userId, role: "coordinator" as const, authorityCode: null });
  const collection = async () => (await getCollection(db(), ROUND))!;
  const statusOf = async (authorityCode: string) => (await findReturn(db(), { collection: await collection(), authorityCode }))?.status;
  const home = async (visitor: Visitor) =>
    (await homeLoader(routeArgs(get("/", visitor)) as never)) as Awaited<ReturnType<typeof homeLoader>>;
  const bulkPage = async (search: string, visitor = coordinator) => {
    const outcome = await run(() =>
      bulk.loader(routeArgs(get(`/collections/${ROUND}/accept${search}`, visitor), { code: ROUND }) as never),
    );
    if (outcome.kind !== "data") throw new Error(`no bulk page: ${outcome.status}`);
    return outcome.data as Awaited<ReturnType<typeof bulk.loader>>;
  };
  const bulkPost = (fields: Record<string, string | string[]>, visitor = coordinator) =>
    run(() => bulk.action(routeArgs(post(`/collections/${ROUND}/accept`, fields, visitor), { code: ROUND }) as never));

  beforeAll(async () => {
    [coordinator, officer] = await Promise.all([signIn(db(), COORDINATOR), signIn(db(), OFFICER.conwy)]);
    // Four authorities submit; Newport's figure falls from 271 last round to 100, explained.
    for (const [code, leavers] of [
      [CARDIFF, 120],
      [CONWY, 140],
      [NEWPORT, 100],
      [POWYS, 200],
    ] as const) {
      await submitAs(db(), ROUND, code, answers(leavers));
    }
    // The coordinator queries Conwy's figure, and Conwy's officer replies.
    const conwy = { collection: await collection(), authorityCode: CONWY };
    expect(await raiseQuery(db(), conwy, { itemCode: "care_leavers_21_25", body: "Is 140 right?", actor: coordinatorActor() })).toEqual({
      ok: true,
    });
    const query = await db().selectFrom("value_query").select("id").orderBy("id", "desc").executeTakeFirstOrThrow();
    const officerActor = { userId: officer.userId, role: "officer" as const, authorityCode: CONWY };
    expect(await replyToQuery(db(), conwy, { queryId: query.id, body: "Yes: two teams merged.", actor: officerActor })).toEqual({
      ok: true,
    });
    // Powys's explanation is lost (as a bulk import without one would leave it): an unexplained flag.
    await db()
      .updateTable("return_version_value")
      .set({ query_explanation: null })
      .where("item_code", "=", "care_leavers_21_25")
      .where("return_id", "=", (await findReturn(db(), { collection: await collection(), authorityCode: POWYS }))!.id)
      .execute();
  });

  it("lands the coordinator on what is waiting for them, each entry linking to where to act", async () => {
    const data = await home(coordinator);
    const queue = data.queue!.entries;
    expect(queue.submitted.map((e) => e.authorityCode).sort()).toEqual([CARDIFF, NEWPORT, POWYS].sort());
    expect(queue.reply).toHaveLength(1);
    expect(queue.reply[0]).toMatchObject({
      authorityCode: CONWY,
      author: "Demo Officer (Conwy)",
      label_en: expect.stringContaining("21 to 25"),
    });
    expect(queue.amendment).toEqual([]);
    expect(queue.changedAfterAcceptance).toEqual([]);
    expect(data.queue!.total).toBe(4);
    // The officer's home has no queue.
    expect((await home(officer)).queue).toBeNull();
  });

  it("lists returns past due per round, once the due date has gone", async () => {
    const queue = await waitingForCoordinator(db(), readerFor({ role: "coordinator", authorityCode: null }), { today: "2026-12-19" });
    expect(queue.pastDue).toEqual([
      expect.objectContaining({
        collectionCode: ROUND,
        count: 18,
        due_on: "2026-12-18",
        authorityCodes: expect.not.arrayContaining([CARDIFF]),
      }),
    ]);
    const early = await waitingForCoordinator(db(), readerFor({ role: "coordinator", authorityCode: null }), { today: "2026-12-18" });
    expect(early.pastDue).toEqual([]);
  });

  it("gives each flag its figures: last round 271, now 100, a change of −63.1%", async () => {
    const flags = await flagsInContext(db(), readerFor({ role: "coordinator", authorityCode: null }), {
      collection: await collection(),
      authorityCode: NEWPORT,
    });
    expect(flags).toContainEqual(
      expect.objectContaining({
        itemCode: "care_leavers_21_25",
        kind: "change",
        current: 100,
        previous: expect.objectContaining({ number: 271, referenceDate: "2022-12-31" }),
        changePercent: -63.1,
        explanation: "Checked.",
      }),
    );
    // The review page carries them for the coordinator; an officer's own page carries none.
    const reviewPage = async (visitor: Visitor, authorityCode: string) =>
      (await reviewLoader(
        routeArgs(get(`/returns/${ROUND}/${authorityCode}`, visitor), { collectionCode: ROUND, authorityCode }) as never,
      )) as Awaited<ReturnType<typeof reviewLoader>>;
    expect((await reviewPage(coordinator, NEWPORT)).flags).toEqual(flags);
    expect((await reviewPage(officer, CONWY)).flags).toEqual([]);
  });

  it("offers only clean returns for bulk acceptance, and says why the others are not", async () => {
    const page = await bulkPage("");
    expect(page.clean.map((c) => c.code).sort()).toEqual([CARDIFF, NEWPORT].sort());
    expect(page.notClean).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: CONWY, problem: "notSubmitted", openQueries: 1 }),
        expect.objectContaining({ code: POWYS, problem: "unexplainedFlags", unexplained: ["care_leavers_21_25"] }),
      ]),
    );
    // A return that is not clean cannot be slipped into the confirmation through the address.
    const confirm = await bulkPage(`?step=confirm&authority=${CARDIFF}&authority=${POWYS}&authority=${CONWY}`);
    expect(confirm.confirming).toBe(true);
    expect(confirm.chosen.map((c) => c.code)).toEqual([CARDIFF]);
    const empty = await bulkPage("?step=confirm");
    expect(empty).toMatchObject({ confirming: false, noneChosen: true });
  });

  it("refuses an empty choice, a stale one and a return that is not clean, accepting nothing", async () => {
    expect(await bulkPost({})).toMatchObject({ kind: "data", status: 400, data: { error: "noneChosen" } });
    const page = await bulkPage(`?step=confirm&authority=${CARDIFF}&authority=${NEWPORT}`);
    const stale = {
      authority: [CARDIFF, NEWPORT],
      [`lockVersion.${CARDIFF}`]: String(page.chosen.find((c) => c.code === CARDIFF)!.lockVersion),
      [`lockVersion.${NEWPORT}`]: "0",
    };
    expect(await bulkPost(stale)).toMatchObject({ kind: "data", status: 409, data: { error: "refused", refused: [NEWPORT] } });
    const powys = (await findReturn(db(), { collection: await collection(), authorityCode: POWYS }))!;
    expect(await bulkPost({ authority: [POWYS], [`lockVersion.${POWYS}`]: String(powys.lock_version) })).toMatchObject({
      status: 409,
      data: { refused: [POWYS] },
    });
    expect([await statusOf(CARDIFF), await statusOf(NEWPORT), await statusOf(POWYS)]).toEqual(["submitted", "submitted", "submitted"]);
    // Officers cannot reach the page at all.
    expect(await run(() => bulk.loader(routeArgs(get(`/collections/${ROUND}/accept`, officer), { code: ROUND }) as never))).toMatchObject({
      status: 404,
    });
  });

  it("accepts the confirmed returns in one go, each audited, and back on the board says how many", async () => {
    const page = await bulkPage(`?step=confirm&authority=${CARDIFF}&authority=${NEWPORT}`);
    const fields = {
      authority: page.chosen.map((c) => c.code),
      ...Object.fromEntries(page.chosen.map((c) => [`lockVersion.${c.code}`, String(c.lockVersion)])),
    };
    const outcome = await bulkPost(fields);
    expect(outcome).toMatchObject({ kind: "response", status: 302, location: `/collections/${ROUND}/board?accepted=2` });
    expect([await statusOf(CARDIFF), await statusOf(NEWPORT)]).toEqual(["accepted", "accepted"]);
    const audited = await db()
      .selectFrom("audit_log")
      .select(["authority_code", "actor_user_id"])
      .where("action", "=", "return.accept")
      .orderBy("authority_code")
      .execute();
    expect(audited).toEqual([
      { authority_code: CARDIFF, actor_user_id: coordinator.userId },
      { authority_code: NEWPORT, actor_user_id: coordinator.userId },
    ]);
    expect((await home(coordinator)).queue!.entries.submitted.map((e) => e.authorityCode)).toEqual([POWYS]);
  });

  it("puts a version submitted after acceptance under its own heading", async () => {
    const scope = { collection: await collection(), authorityCode: CARDIFF };
    const ret = (await findReturn(db(), scope))!;
    const amended = await amendReturn(db(), scope, { basedOn: ret.lock_version, reason: "A late referral.", actor: SYSTEM_ACTOR });
    expect(amended.ok).toBe(true);
    await submitAs(db(), ROUND, CARDIFF, answers(121));
    const queue = (await home(coordinator)).queue!.entries;
    expect(queue.changedAfterAcceptance).toEqual([
      expect.objectContaining({ authorityCode: CARDIFF, version: 2, reason: "A late referral." }),
    ]);
    expect(queue.submitted.map((e) => e.authorityCode)).toEqual([POWYS]);
  });

  describe("the board", () => {
    const boardPage = async (search = "") =>
      (await board.loader(routeArgs(get(`/collections/${ROUND}/board${search}`, coordinator), { code: ROUND }) as never)) as Awaited<
        ReturnType<typeof board.loader>
      >;

    it("is one table of all 22 authorities with the region as a column, sorted by the links in its header", async () => {
      const all = await boardPage();
      expect(all.rows).toHaveLength(22);
      expect(all.rows.map((r) => r.name_en)).toEqual([...all.rows.map((r) => r.name_en)].sort((a, b) => a.localeCompare(b)));
      const byRegion = await boardPage("?sort=region&dir=desc");
      const regions = byRegion.rows.map((r) => r.region_en);
      expect(regions).toEqual([...regions].sort((a, b) => b.localeCompare(a)));
      const byStatus = await boardPage("?sort=status");
      // Not started first, accepted last; within a status, by name.
      expect(byStatus.rows.at(-1)?.status).toBe("accepted");
      expect(byStatus.rows[0]?.status).toBeNull();
      const byActivity = await boardPage("?sort=lastActivity&dir=desc");
      expect(byActivity.rows[0]?.code).toBe(CARDIFF);
      // Nonsense in the address is ignored, never a 500.
      expect((await boardPage("?sort=%00&dir=sideways&region=atlantis")).filter).toEqual({
        status: null,
        region: null,
        sort: "authority",
        dir: "asc",
      });
    });

    it("chases, comes back with the filters kept, says what was sent, and shows who chased last", async () => {
      const filters = "?region=gwent&sort=status";
      const outcome = await run(() =>
        chase.action(
          routeArgs(post(`/collections/${ROUND}/chase/W06000018`, { returnTo: `/collections/${ROUND}/board${filters}` }, coordinator), {
            code: ROUND,
            authorityCode: "W06000018",
          }) as never,
        ),
      );
      expect(outcome).toMatchObject({ status: 302, location: `/collections/${ROUND}/board${filters}&chased=W06000018` });
      const after = await boardPage(`${filters}&chased=W06000018`);
      expect(after.filter).toMatchObject({ region: "gwent", sort: "status" });
      expect(after.chased?.chase).toMatchObject({
        queued: 1,
        recipients: ["officer.caerphilly@authorities.example"],
        subject: expect.stringContaining("December 2026"),
      });
      const caerphilly = after.rows.find((r) => r.code === "W06000018");
      expect(caerphilly?.lastChasedBy).toBe("Demo Coordinator");
      // A return address elsewhere is not followed.
      const elsewhere = await run(() =>
        chase.action(
          routeArgs(post(`/collections/${ROUND}/chase/${CARDIFF}`, { returnTo: "https://example.com/?x=1" }, coordinator), {
            code: ROUND,
            authorityCode: CARDIFF,
          }) as never,
        ),
      );
      expect(elsewhere).toMatchObject({ status: 302, location: `/collections/${ROUND}/board?chased=${CARDIFF}&refused=submitted` });
    });

    it("gives a chase list that follows the filters, with the due date and the items still missing", async () => {
      const response = (await chaseList.loader(
        routeArgs(get(`/collections/${ROUND}/chase-list.csv?region=north-wales&status=notStarted`, coordinator), { code: ROUND }) as never,
      )) as Response;
      const rows = parse(Buffer.from(await response.arrayBuffer()), { columns: true, bom: true }) as Record<string, string>[];
      // North Wales less Conwy, which submitted.
      expect([...new Set(rows.map((r) => r["Authority code"]))].sort()).toEqual([
        "W06000001",
        "W06000002",
        "W06000004",
        "W06000005",
        "W06000006",
      ]);
      expect(rows.every((r) => r["Due on"] === "18 December 2026")).toBe(true);
    });
  });
});
