import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import * as form from "#app/routes/returns.$collectionCode.$authorityCode._index.tsx";
import * as check from "#app/routes/returns.$collectionCode.$authorityCode.check.tsx";
import * as amend from "#app/routes/returns.$collectionCode.$authorityCode.amend.tsx";
import * as acceptPage from "#app/routes/returns.$collectionCode.$authorityCode.accept.tsx";
import * as raisePage from "#app/routes/returns.$collectionCode.$authorityCode.queries.new.tsx";
import * as threadPage from "#app/routes/returns.$collectionCode.$authorityCode.queries.$queryId.tsx";
import * as board from "#app/routes/collections.$code.board.tsx";
import * as chaseList from "#app/routes/collections.$code.chase-list[.]csv.ts";
import { loader as homeLoader } from "#app/routes/_index.tsx";
import { useDemoDatabase } from "../support/database.ts";
import { ANALYST, COORDINATOR, get, OFFICER, post, routeArgs, run, signIn, snapshot, type Visitor } from "../support/requests.ts";

const ROUND = "2026-12-care-experienced-parents";
const CONWY = "W06000003";
const path = (page = "") => `/returns/${ROUND}/${CONWY}${page ? `/${page}` : ""}`;
const params = { collectionCode: ROUND, authorityCode: CONWY };

function answers(lockVersion: number, leavers = "140") {
  const fields: Record<string, string> = { lockVersion: String(lockVersion), intent: "save" };
  const set = (code: string, values: Record<string, string>) => {
    for (const [k, v] of Object.entries(values)) fields[`${code}.${k}`] = v;
  };
  set("care_leavers_21_25", { state: "reported", number: leavers });
  set("care_experienced_parents", { state: "reported", number: "9" });
  set("care_experienced_parents_child_removed", { state: "unknown", cannot: "yes", reason: "Not linked yet." });
  return fields;
}

describe("the coordinator's review: queries, acceptance and the board", () => {
  const db = useDemoDatabase();
  let officer: Visitor;
  let coordinator: Visitor;
  let analyst: Visitor;
  let otherOfficer: Visitor;

  const page = async (visitor: Visitor) => {
    const outcome = await run(() => form.loader(routeArgs(get(path(), visitor), params) as never));
    if (outcome.kind !== "data") throw new Error(`no return page: ${outcome.status}`);
    return outcome.data as Awaited<ReturnType<typeof form.loader>>;
  };
  const act = (visitor: Visitor, fields: Record<string, string>) =>
    run(() => form.action(routeArgs(post(path(), fields, visitor), params) as never));
  const raise = (visitor: Visitor, fields: Record<string, string>) =>
    run(() => raisePage.action(routeArgs(post(path("queries/new"), fields, visitor), params) as never));
  const onThread = (visitor: Visitor, queryId: string, fields: Record<string, string>) =>
    run(() => threadPage.action(routeArgs(post(path(`queries/${queryId}`), fields, visitor), { ...params, queryId }) as never));
  const accept = (visitor: Visitor, fields: Record<string, string>) =>
    run(() => acceptPage.action(routeArgs(post(path("accept"), fields, visitor), params) as never));
  const status = async () =>
    (
      await db()
        .selectFrom("return")
        .innerJoin("collection", "collection.id", "return.collection_id")
        .select("return.status")
        .where("return.authority_code", "=", CONWY)
        .where("collection.code", "=", ROUND)
        .executeTakeFirstOrThrow()
    ).status;

  beforeAll(async () => {
    [officer, coordinator, analyst, otherOfficer] = await Promise.all([
      signIn(db(), OFFICER.conwy),
      signIn(db(), COORDINATOR),
      signIn(db(), ANALYST),
      signIn(db(), OFFICER.cardiff),
    ]);
    // Conwy submits its return.
    expect((await act(officer, answers(0))).status).toBe(302);
    const checkPage = await run(() => check.loader(routeArgs(get(path("check"), officer), params) as never));
    const lockVersion = checkPage.kind === "data" ? (checkPage.data as { lockVersion: number }).lockVersion : -1;
    const submitted = await run(() =>
      check.action(
        routeArgs(
          post(path("check"), { lockVersion: String(lockVersion), signedOffName: "Rhys", signedOffRole: "Team manager" }, officer),
          params,
        ) as never,
      ),
    );
    expect(submitted.status).toBe(302);
  });

  it("counts the board on the demo data: 1 submitted of 22, 21 not started, none overdue before 18 December", async () => {
    const outcome = await run(() => board.loader(routeArgs(get(`/collections/${ROUND}/board`, coordinator), { code: ROUND }) as never));
    const data = outcome.kind === "data" ? (outcome.data as Awaited<ReturnType<typeof board.loader>>) : null;
    expect(data?.counts).toEqual({ notStarted: 21, draft: 0, submitted: 1, queried: 0, accepted: 0, overdue: 0 });
    expect(data?.rows).toHaveLength(22);
    const conwy = data?.rows.find((r) => r.code === CONWY);
    expect(conwy).toMatchObject({ status: "submitted", submittedByName: "Demo Officer (Conwy)", filled: 3, openQueries: 0 });
    // Filtered by region and by status.
    const filtered = await board.loader(
      routeArgs(get(`/collections/${ROUND}/board?region=north-wales&status=notStarted`, coordinator), { code: ROUND }) as never,
    );
    expect(filtered.rows.map((r) => r.code).sort()).toEqual(["W06000001", "W06000002", "W06000004", "W06000005", "W06000006"]);
  });

  it("counts February 2023, a closed round, as 15 submitted, 7 not started, none overdue, and says it is closed", async () => {
    const data = await board.loader(
      routeArgs(get(`/collections/2023-02-care-experienced-parents/board`, coordinator), {
        code: "2023-02-care-experienced-parents",
      }) as never,
    );
    expect(data.counts).toEqual({ notStarted: 7, draft: 0, submitted: 15, queried: 0, accepted: 0, overdue: 0 });
    expect(data.rows.filter((r) => r.overdue)).toEqual([]);
    // Items answered tell a figure from a reason: Blaenau Gwent gave two figures, the others one figure and two reasons.
    expect(data.rows.find((r) => r.code === "W06000019")).toMatchObject({ filled: 3, figures: 2 });
    expect(data.rows.find((r) => r.code === "W06000022")).toMatchObject({ filled: 3, figures: 1 });
  });

  it("keeps the board and the chase list from officers and analysts", async () => {
    for (const visitor of [officer, analyst]) {
      expect(await run(() => board.loader(routeArgs(get(`/collections/${ROUND}/board`, visitor), { code: ROUND }) as never))).toMatchObject(
        { status: 404 },
      );
      expect(
        await run(() => chaseList.loader(routeArgs(get(`/collections/${ROUND}/chase-list.csv`, visitor), { code: ROUND }) as never)),
      ).toMatchObject({ status: 404 });
    }
  });

  it("lists in the chase list every authority not yet submitted, with its officers", async () => {
    const response = (await chaseList.loader(
      routeArgs(get(`/collections/${ROUND}/chase-list.csv`, coordinator), { code: ROUND }) as never,
    )) as Response;
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM, so Excel reads Welsh letters right
    const rows = parse(Buffer.from(bytes), { columns: true, bom: true }) as Record<string, string>[];
    expect(rows).toHaveLength(21);
    expect(rows.map((r) => r["Authority code"])).not.toContain(CONWY);
    expect(rows.find((r) => r["Authority code"] === "W06000015")).toEqual({
      "Authority code": "W06000015",
      Authority: "Cardiff",
      "Return status": "Not started",
      Officer: "Demo Officer (Cardiff)",
      "Email address": "officer.cardiff@authorities.example",
      "Due on": "18 December 2026",
      // Nothing answered yet: all nine items, by name, in the round's order.
      "Items still missing": expect.stringMatching(
        /^Care leavers aged 21 to 25 known to the authority; Care-experienced young people who are parents; (.+; ){6}Children removed from care-experienced parents who have a plan for reunification$/,
      ),
    });
  });

  it("raises a query on a value: the return becomes queried, the officer sees it at home, audited", async () => {
    const empty = await raise(coordinator, { itemCode: "care_leavers_21_25", message: "  " });
    expect(empty).toMatchObject({ status: 400, data: { errors: { message: "queries.error.messageMissing" } } });
    const unknown = await raise(coordinator, { itemCode: "no_such_item", message: "Why?" });
    expect(unknown).toMatchObject({ status: 400, data: { errors: { itemCode: "queries.error.itemMissing" }, input: { message: "Why?" } } });
    const outcome = await raise(coordinator, {
      itemCode: "care_leavers_21_25",
      message: "140 is far above last year's 133 for ages 18 to 25. Which band is this?",
    });
    expect(outcome).toMatchObject({ kind: "response", status: 302 });
    expect(await status()).toBe("queried");
    const seen = await page(officer);
    expect(seen.threads).toHaveLength(1);
    expect(seen.threads[0]).toMatchObject({ item_code: "care_leavers_21_25", status: "open" });
    const home = await homeLoader(routeArgs(get("/", officer)) as never);
    expect(home.officer?.queries.map((q) => q.item_code)).toEqual(["care_leavers_21_25"]);
    const audit = await db()
      .selectFrom("audit_log")
      .select("action")
      .where("authority_code", "=", CONWY)
      .where("action", "like", "%query%")
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(["query.raise", "return.query"]);
  });

  it("refuses to accept a return with an open query, and lets nobody but the coordinator raise or resolve", async () => {
    const { lockVersion } = await page(coordinator);
    expect((await page(coordinator)).viewer.mayAccept).toBe(false);
    const refused = await accept(coordinator, { lockVersion: String(lockVersion) });
    expect(refused).toMatchObject({ status: 409, data: { error: "accept.error.openQueries" } });
    const before = await snapshot(db());
    const threadId = String((await page(coordinator)).threads[0]!.id);
    expect(await raise(officer, { itemCode: "care_leavers_21_25", message: "x" })).toMatchObject({ status: 404 });
    expect(await accept(officer, { lockVersion: String(lockVersion) })).toMatchObject({ status: 404 });
    expect(await onThread(analyst, threadId, { intent: "reply", message: "x" })).toMatchObject({ status: 404 });
    expect(await onThread(otherOfficer, threadId, { intent: "reply", message: "x" })).toMatchObject({ status: 404 });
    expect(await onThread(officer, threadId, { intent: "resolve", message: "" })).toMatchObject({ status: 404 });
    // A coordinator may ask and accept, never change the figures.
    expect(await act(coordinator, answers(lockVersion))).toMatchObject({ status: 404 });
    expect(await snapshot(db())).toBe(before);
  });

  it("shows each query's thread on its own page, to the return's officers and coordinators only", async () => {
    const threadId = String((await page(coordinator)).threads[0]!.id);
    const load = (visitor: Visitor) =>
      run(() => threadPage.loader(routeArgs(get(path(`queries/${threadId}`), visitor), { ...params, queryId: threadId }) as never));
    expect(await load(officer)).toMatchObject({
      kind: "data",
      data: { mayReply: true, mayResolve: false, thread: { item_code: "care_leavers_21_25" } },
    });
    expect(await load(coordinator)).toMatchObject({ kind: "data", data: { mayReply: true, mayResolve: true } });
    for (const visitor of [otherOfficer, analyst]) expect(await load(visitor)).toMatchObject({ status: 404 });
    const raising = await run(() =>
      raisePage.loader(routeArgs(get(path("queries/new?item=care_leavers_21_25"), coordinator), params) as never),
    );
    expect(raising).toMatchObject({ kind: "data", data: { item: "care_leavers_21_25" } });
    expect(await run(() => raisePage.loader(routeArgs(get(path("queries/new"), officer), params) as never))).toMatchObject({ status: 404 });
  });

  it("threads the officer's reply and amendment, then the coordinator resolves it and the return is submitted again", async () => {
    const threadId = String((await page(officer)).threads[0]!.id);
    expect(await onThread(officer, threadId, { intent: "reply", message: "" })).toMatchObject({
      status: 400,
      data: { error: "queries.error.messageMissing" },
    });
    expect(await onThread(officer, threadId, { intent: "reply", message: "We counted 18 to 25 by mistake; amending." })).toMatchObject({
      status: 302,
      location: `${path()}#query-${threadId}`,
    });
    // The officer amends; the open query still stands over the new version.
    const { lockVersion } = await page(officer);
    expect(
      (
        await run(() =>
          amend.action(
            routeArgs(
              post(path("amend"), { lockVersion: String(lockVersion), reason: "Answer to the query: wrong age band." }, officer),
              params,
            ) as never,
          ),
        )
      ).status,
    ).toBe(302);
    const draft = await page(officer);
    expect((await act(officer, answers(draft.lockVersion, "97"))).status).toBe(302);
    const checkPage = (await check.loader(routeArgs(get(path("check"), officer), params) as never)) as { lockVersion: number };
    await check
      .action(
        routeArgs(
          post(
            path("check"),
            { lockVersion: String(checkPage.lockVersion), signedOffName: "Rhys", signedOffRole: "Team manager" },
            officer,
          ),
          params,
        ) as never,
      )
      .catch((r: unknown) => r);
    expect(await status()).toBe("queried");
    const thread = (await page(coordinator)).threads[0]!;
    expect(thread.messages.map((m) => m.author_name)).toEqual(["Demo Coordinator", "Demo Officer (Conwy)"]);
    expect((await onThread(coordinator, String(thread.id), { intent: "resolve", message: "Thanks: 97 for ages 21 to 25." })).status).toBe(
      302,
    );
    expect(await status()).toBe("submitted");
    expect((await page(coordinator)).viewer.mayAccept).toBe(true);
  });

  it("accepts the return, locks it, and flags a later amendment as changed after acceptance", async () => {
    const { lockVersion } = await page(coordinator);
    expect(await accept(coordinator, { lockVersion: String(lockVersion) })).toMatchObject({
      status: 302,
      location: `${path()}?accepted=1`,
    });
    expect(await status()).toBe("accepted");
    const officerView = await page(officer);
    expect(officerView).toMatchObject({ editable: false, mayAmend: true, returnStatus: "accepted" });
    // Saving straight onto an accepted return is refused: amending needs a reason first.
    const refused = await act(officer, answers(officerView.lockVersion));
    expect(refused).toMatchObject({ kind: "data", status: 409 });
    expect(refused.kind === "data" && refused.data).toMatchObject({ refusal: { reason: "submitted" } });
    await amend
      .action(
        routeArgs(post(path("amend"), { lockVersion: String(officerView.lockVersion), reason: "A late case." }, officer), params) as never,
      )
      .catch((r: unknown) => r);
    const data = await board.loader(routeArgs(get(`/collections/${ROUND}/board`, coordinator), { code: ROUND }) as never);
    expect(data.rows.find((r) => r.code === CONWY)).toMatchObject({ status: "draft", changedAfterAcceptance: true });
    expect((await page(coordinator)).changedAfterAcceptance).toBe(true);
    const audit = await db()
      .selectFrom("audit_log")
      .select("action")
      .where("authority_code", "=", CONWY)
      .where("action", "in", ["return.accept", "return.amend", "query.resolve"])
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(["query.resolve", "return.accept", "return.amend", "return.amend"]);
  });
});
