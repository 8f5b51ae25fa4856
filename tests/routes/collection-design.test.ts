import { beforeAll, describe, expect, it } from "vitest";
import * as newCollection from "#app/routes/collections.new.tsx";
import * as design from "#app/routes/collections.$code.design.tsx";
import * as status from "#app/routes/collections.$code.status.tsx";
import * as preview from "#app/routes/collections.$code.preview.tsx";
import * as form from "#app/routes/returns.$collectionCode.$authorityCode._index.tsx";
import { loader as homeLoader } from "#app/routes/_index.tsx";
import { collectionErrors } from "#app/components/collection-form.tsx";
import { translator, type MessageKey } from "#app/i18n/i18n.ts";
import { validateCollection } from "#app/schema/collection-form.ts";
import { EMPTY_COLLECTION } from "#app/web/collection-form.server.ts";
import { useDemoDatabase } from "../support/database.ts";
import { COORDINATOR, get, OFFICER, post, routeArgs, run, signIn, snapshot, type Visitor } from "../support/requests.ts";

const CODE = "2027-06-care-leavers";

const date = (field: string, day: string, month: string, year: string) => ({
  [`${field}-day`]: day,
  [`${field}-month`]: month,
  [`${field}-year`]: year,
});

function collectionFields(overrides: Record<string, string | string[]> = {}) {
  return {
    code: CODE,
    title_en: "Care leavers (June 2027)",
    title_cy: "Pobl sy'n gadael gofal (Mehefin 2027)",
    guidance_en: "Give each figure as at 31 May 2027.",
    guidance_cy: "Rhowch bob ffigur fel yr oedd ar 31 Mai 2027.",
    ...date("reference_date", "31", "5", "2027"),
    ...date("opens_on", "1", "6", "2027"),
    ...date("due_on", "30", "6", "2027"),
    "item.care_experienced_parents": "yes",
    "position.care_experienced_parents": "2",
    "required.care_experienced_parents": "yes",
    "item.care_leavers_21_25": "yes",
    "position.care_leavers_21_25": "1",
    "required.care_leavers_21_25": "yes",
    "item.care_experienced_parents_child_removed": "yes",
    "position.care_experienced_parents_child_removed": "3",
    "rule.0.kind": "not_greater_than",
    "rule.0.item": "care_experienced_parents_child_removed",
    "rule.0.limit": "care_experienced_parents",
    "rule.1.kind": "",
    changePercent: "40",
    changeAbsolute: "8",
    outlierScore: "3",
    outlierMinPeers: "6",
    smallCountMax: "2",
    ...overrides,
  };
}

describe("designing a collection", () => {
  const db = useDemoDatabase();
  let coordinator: Visitor;
  let officer: Visitor;

  beforeAll(async () => {
    [coordinator, officer] = await Promise.all([signIn(db(), COORDINATOR), signIn(db(), OFFICER.cardiff)]);
  });

  const create = (fields: Record<string, string | string[]>, visitor = coordinator) =>
    run(() => newCollection.action(routeArgs(post("/collections/new", fields, visitor)) as never));
  const designAction = (fields: Record<string, string | string[]>, code = CODE) =>
    run(() => design.action(routeArgs(post(`/collections/${code}/design`, fields, coordinator), { code }) as never));
  const statusAction = (fields: Record<string, string>, visitor = coordinator, { csrf = true } = {}, code = CODE) =>
    run(() => status.action(routeArgs(post(`/collections/${code}/status`, fields, visitor, { csrf }), { code }) as never));
  const statusPage = (code = CODE) =>
    run(() => status.loader(routeArgs(get(`/collections/${code}/status`, coordinator), { code }) as never));
  const collection = () => db().selectFrom("collection").selectAll().where("code", "=", CODE).executeTakeFirst();

  it("keeps collection design from officers", async () => {
    expect(await create(collectionFields(), officer)).toMatchObject({ status: 404 });
    expect(await run(() => newCollection.loader(routeArgs(get("/collections/new", officer)) as never))).toMatchObject({ status: 404 });
  });

  it.each([
    [{ code: "Not A Code!" }, "code", "collectionForm.error.code"],
    [{ title_cy: " " }, "title_cy", "collectionForm.error.title_cy.missing"],
    [date("due_on", "31", "5", "2027"), "due_on", "collectionForm.error.dueBeforeOpen"],
    [date("reference_date", "31", "2", "2027"), "reference_date", "collectionForm.error.reference_date.invalid"],
    [date("opens_on", "1", "", "2027"), "opens_on", "collectionForm.error.opens_on.incomplete"],
    [date("due_on", "", "", ""), "due_on", "collectionForm.error.due_on.missing"],
    [date("due_on", "1", "7", "27"), "due_on", "collectionForm.error.due_on.invalid"],
    [{ "rule.0.limit": "" }, "rules.0.limit", "collectionForm.error.rule.limit"],
    [{ "rule.0.limit": "children_reunification_plan" }, "rules.0.limit", "collectionForm.error.rule.notAsked"],
    [{ "rule.0.limit": "care_experienced_parents_child_removed" }, "rules.0.limit", "collectionForm.error.rule.self"],
    [
      { "rule.1.kind": "sum_equals", "rule.1.item": "care_experienced_parents", "rule.1.parts": "care_leavers_21_25" },
      "rules.1.parts",
      "collectionForm.error.rule.parts",
    ],
    [
      { "rule.1.kind": "sum_equals", "rule.1.parts": ["care_leavers_21_25", "care_experienced_parents"] },
      "rules.1.item",
      "collectionForm.error.rule.total",
    ],
    [{ "rule.1.kind": "less_than" }, "rules.1.kind", "collectionForm.error.rule.kind"],
    [{ changePercent: "-5" }, "changePercent", "collectionForm.error.changePercent"],
    [{ outlierMinPeers: "2" }, "outlierMinPeers", "collectionForm.error.outlierMinPeers"],
    [{ outlierScore: "abc" }, "outlierScore", "collectionForm.error.outlierScore"],
    [{ smallCountMax: "100" }, "smallCountMax", "collectionForm.error.smallCountMax"],
    [{ smallCountMax: "" }, "smallCountMax", "collectionForm.error.smallCountMax"],
    [
      { "item.care_leavers_21_25": "", "item.care_experienced_parents": "", "item.care_experienced_parents_child_removed": "" },
      "items",
      "collectionForm.error.items",
    ],
  ])("refuses %j with a message against %s, and changes nothing", async (overrides, fieldName, key) => {
    const before = await snapshot(db());
    const outcome = await create(collectionFields(overrides));
    expect(outcome.status).toBe(400);
    expect(outcome.kind === "data" && (outcome.data as { problems: Record<string, string> }).problems[fieldName]).toBe(key);
    expect(await snapshot(db())).toBe(before);
    expect(await collection()).toBeUndefined();
  });

  it("creates a draft with its items in order and its rules, seen only by coordinators", async () => {
    expect(await create(collectionFields())).toMatchObject({ kind: "response", location: `/collections/${CODE}/design` });
    const row = await collection();
    expect(row).toMatchObject({ status: "draft", reference_date: "2027-05-31", opens_on: "2027-06-01", due_on: "2027-06-30" });
    expect(row?.rules).toMatchObject({
      crossItem: [{ kind: "not_greater_than", item: "care_experienced_parents_child_removed", limit: "care_experienced_parents" }],
      queries: { changePercent: 40, changeAbsolute: 8, outlierScore: 3, outlierMinPeers: 6 },
      smallCountMax: 2,
    });
    const items = await db()
      .selectFrom("collection_item")
      .select(["item_code", "position", "required"])
      .where("collection_id", "=", row!.id)
      .orderBy("position")
      .execute();
    expect(items).toEqual([
      { item_code: "care_leavers_21_25", position: 1, required: true },
      { item_code: "care_experienced_parents", position: 2, required: true },
      { item_code: "care_experienced_parents_child_removed", position: 3, required: false },
    ]);
    expect(await create(collectionFields())).toMatchObject({ status: 400, data: { problems: { code: "collectionForm.error.codeTaken" } } });
    // Officers do not see a draft.
    const officerHome = await homeLoader(routeArgs(get("/", officer)) as never);
    expect(officerHome.officer?.returns.map((r) => r.code)).not.toContain(CODE);
    const officerForm = await run(() =>
      form.loader(routeArgs(get(`/returns/${CODE}/W06000015`, officer), { collectionCode: CODE, authorityCode: "W06000015" }) as never),
    );
    expect(officerForm).toMatchObject({ status: 404 });
  });

  it("previews the form as an officer would see it", async () => {
    const data = await preview.loader(routeArgs(get(`/collections/${CODE}/preview`, coordinator), { code: CODE }) as never);
    expect(data.collection.items.map((i) => i.code)).toEqual([
      "care_leavers_21_25",
      "care_experienced_parents",
      "care_experienced_parents_child_removed",
    ]);
    expect(data.more).toBeNull();
    // "Add a note…" in the preview asks for the same page with that item's note open.
    const more = await preview.loader(
      routeArgs(get(`/collections/${CODE}/preview?more=care_experienced_parents`, coordinator), { code: CODE }) as never,
    );
    expect(more.more).toBe("care_experienced_parents");
  });

  it("builds a sum rule by choosing items, reports every problem at once, and gives saved dates back in their boxes", async () => {
    const sum = {
      "rule.1.kind": "sum_equals",
      "rule.1.item": "care_experienced_parents",
      "rule.1.parts": ["care_leavers_21_25", "care_experienced_parents_child_removed"],
      "rule.2.kind": "",
    };
    const both = await designAction(collectionFields({ ...sum, title_en: "", "rule.0.limit": "" }));
    expect(both).toMatchObject({
      status: 400,
      data: { problems: { title_en: "collectionForm.error.title_en.missing", "rules.0.limit": "collectionForm.error.rule.limit" } },
    });
    expect(await designAction(collectionFields(sum))).toMatchObject({ location: `/collections/${CODE}/design?saved=details` });
    expect((await collection())?.rules).toMatchObject({
      crossItem: [
        { kind: "not_greater_than", item: "care_experienced_parents_child_removed", limit: "care_experienced_parents" },
        { kind: "sum_equals", total: "care_experienced_parents", parts: ["care_leavers_21_25", "care_experienced_parents_child_removed"] },
      ],
    });
    const page = await design.loader(routeArgs(get(`/collections/${CODE}/design`, coordinator), { code: CODE }) as never);
    expect(page.input).toMatchObject({ opens_on: { day: "1", month: "6", year: "2027" }, due_on: { day: "30", month: "6", year: "2027" } });
    expect(page.input.rules).toHaveLength(2);
    expect(page.input.smallCountMax).toBe("2");
  });

  it("refuses two items at the same place in the order, on each of their order boxes, saving nothing", async () => {
    const before = await snapshot(db());
    const saved = await db()
      .selectFrom("collection_item")
      .innerJoin("collection", "collection.id", "collection_item.collection_id")
      .select(["item_code", "position"])
      .where("collection.code", "=", CODE)
      .orderBy("position")
      .execute();
    const clash = { "position.care_leavers_21_25": "2", "position.care_experienced_parents": "2" };
    const refused = await designAction(collectionFields(clash));
    expect(refused).toMatchObject({ status: 400 });
    const problems = (refused as { data: { problems: Record<string, MessageKey> } }).data.problems;
    expect(problems).toEqual({
      "items.care_leavers_21_25.position": "collectionForm.error.position.shared",
      "items.care_experienced_parents.position": "collectionForm.error.position.shared",
    });
    expect(await snapshot(db())).toBe(before);
    expect(
      await db()
        .selectFrom("collection_item")
        .innerJoin("collection", "collection.id", "collection_item.collection_id")
        .select(["item_code", "position"])
        .where("collection.code", "=", CODE)
        .orderBy("position")
        .execute(),
    ).toEqual(saved);
    // The error summary names each item and links to its order box, in both languages.
    const catalogue = (await design.loader(routeArgs(get(`/collections/${CODE}/design`, coordinator), { code: CODE }) as never)).catalogue;
    const label = (code: string) => catalogue.find((c) => c.code === code)!;
    for (const lang of ["en", "cy"] as const) {
      const errors = collectionErrors(translator(lang), problems, catalogue);
      expect(errors.map((e) => e.href).sort()).toEqual(["#position-care_experienced_parents", "#position-care_leavers_21_25"]);
      for (const error of errors) {
        const item = label(error.href.replace("#position-", ""));
        expect(error.text).toContain(lang === "en" ? item.label_en : item.label_cy);
      }
    }
    expect(collectionErrors(translator("en"), problems, catalogue)[0]!.text).toMatch(/^Order of .+: another item has the same number/);
    // A new collection is refused the same way; three at one place are each named, an item not ticked does not count.
    const three = await create(
      collectionFields({
        code: "2027-08-clash",
        "position.care_leavers_21_25": "1",
        "position.care_experienced_parents": "1",
        "position.care_experienced_parents_child_removed": "1",
        "position.children_reunification_plan": "1",
      }),
    );
    expect(three).toMatchObject({ status: 400 });
    expect(Object.keys((three as { data: { problems: Record<string, string> } }).data.problems).sort()).toEqual([
      "items.care_experienced_parents.position",
      "items.care_experienced_parents_child_removed.position",
      "items.care_leavers_21_25.position",
    ]);
    expect(await snapshot(db())).toBe(before);
  });

  it("refuses shared positions in the one schema, whatever reads the design", () => {
    const when = (day: string, month: string) => ({ day, month, year: "2027" });
    const dates = { reference_date: when("31", "5"), opens_on: when("1", "6"), due_on: when("30", "6") };
    const base = { ...EMPTY_COLLECTION, ...dates, code: "2027-09-order", title_en: "Order", title_cy: "Trefn" };
    const codes = ["care_leavers_21_25", "care_experienced_parents"];
    const at = (a: number, b: number) => ({
      ...base,
      items: [
        { code: codes[0]!, position: a, required: true },
        { code: codes[1]!, position: b, required: true },
      ],
    });
    expect(validateCollection(at(1, 2), codes)).toMatchObject({ ok: true, draft: { items: [{ code: codes[0] }, { code: codes[1] }] } });
    expect(validateCollection(at(2, 1), codes)).toMatchObject({ ok: true, draft: { items: [{ code: codes[1] }, { code: codes[0] }] } });
    expect(validateCollection(at(3, 3), codes)).toEqual({
      ok: false,
      problems: {
        "items.care_leavers_21_25.position": "collectionForm.error.position.shared",
        "items.care_experienced_parents.position": "collectionForm.error.position.shared",
      },
    });
  });

  it("adds another rule row keeping what was entered, saving and checking nothing until saved", async () => {
    const before = await snapshot(db());
    const halfDone = { "rule.1.kind": "sum_equals", "rule.1.item": "care_experienced_parents", title_en: "" };
    const added = await designAction(collectionFields({ ...halfDone, intent: "addRule" }));
    expect(added).toMatchObject({ status: 200, data: { problems: {}, refusal: null } });
    const input = (added as { data: { input: { title_en: string; smallCountMax: string; rules: { kind: string; item: string }[] } } }).data
      .input;
    expect(input.title_en).toBe("");
    expect(input.smallCountMax).toBe("2");
    expect(input.rules.map((r) => [r.kind, r.item])).toEqual([
      ["not_greater_than", "care_experienced_parents_child_removed"],
      ["sum_equals", "care_experienced_parents"],
    ]);
    expect(await snapshot(db())).toBe(before);
    const created = await create(collectionFields({ code: "2027-07-add-rule", ...halfDone, intent: "addRule" }));
    expect(created).toMatchObject({ status: 200, data: { problems: {} } });
    expect(await snapshot(db())).toBe(before);
  });

  it("publishes it after a confirmation page: authorities can fill it in", async () => {
    expect(await statusPage()).toMatchObject({ status: 200, data: { step: "publish", progress: { authorities: 22, submitted: 0 } } });
    const before = await snapshot(db());
    expect(await statusAction({ step: "publish" }, coordinator, { csrf: false })).toMatchObject({ status: 403 });
    expect(await statusAction({ step: "publish" }, officer)).toMatchObject({ status: 404 });
    expect(await statusAction({ step: "close" })).toMatchObject({ status: 409, data: { problem: "lifecycle.refused.moved" } });
    expect(await snapshot(db())).toBe(before);
    expect(await statusAction({ step: "publish" })).toMatchObject({ location: `/collections/${CODE}/design?saved=publish` });
    expect((await collection())?.status).toBe("open");
    const officerHome = await homeLoader(routeArgs(get("/", officer)) as never);
    expect(officerHome.officer?.returns.map((r) => r.code)).toContain(CODE);
    expect(await statusAction({ step: "publish" })).toMatchObject({ status: 409 });
  });

  it("lets its questions change while nothing is submitted, and refuses once a return is", async () => {
    expect(await designAction(collectionFields({ changePercent: "30" }))).toMatchObject({
      location: `/collections/${CODE}/design?saved=details`,
    });
    expect((await collection())?.rules).toMatchObject({ queries: { changePercent: 30 } });
    // Cardiff submits.
    const { id } = (await collection())!;
    const ret = await db()
      .insertInto("return")
      .values({ collection_id: id, authority_code: "W06000015", status: "draft" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db().insertInto("return_version").values({ return_id: ret.id, version: 1, signed_off_name: "A", signed_off_role: "B" }).execute();
    await db().updateTable("return").set({ status: "submitted", submitted_version: 1 }).where("id", "=", ret.id).execute();
    const before = await snapshot(db());
    const refused = await designAction(collectionFields({ "item.care_experienced_parents_child_removed": "", "rule.0.kind": "" }));
    expect(refused).toMatchObject({ status: 409, data: { refusal: "design.refused.submittedData" } });
    expect(await snapshot(db())).toBe(before);
  });

  it("copies it as a new collection, then closes the old one", async () => {
    const copy = await newCollection.loader(routeArgs(get(`/collections/new?from=${CODE}`, coordinator)) as never);
    expect(copy.input).toMatchObject({
      code: "",
      title_en: "Care leavers (June 2027)",
      reference_date: { day: "31", month: "5", year: "2027" },
      rules: [{ kind: "not_greater_than", item: "care_experienced_parents_child_removed", parts: [], limit: "care_experienced_parents" }],
      outlierScore: "3",
      outlierMinPeers: "6",
      smallCountMax: "2",
    });
    expect(await statusPage()).toMatchObject({ data: { step: "close", progress: { authorities: 22, submitted: 1 } } });
    expect(await statusAction({ step: "close" })).toMatchObject({ location: `/collections/${CODE}/design?saved=close` });
    expect((await collection())?.status).toBe("closed");
    const audit = await db()
      .selectFrom("audit_log")
      .select("action")
      .where("entity", "=", "collection")
      .where("action", "in", ["collection.create", "collection.update", "collection.publish", "collection.close"])
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action).slice(-5)).toEqual([
      "collection.create",
      "collection.update",
      "collection.publish",
      "collection.update",
      "collection.close",
    ]);
  });

  it("reopens a closed round only with a reason, audited with it", async () => {
    expect(await statusPage()).toMatchObject({ data: { step: "reopen", statisticsPublished: false } });
    const before = await snapshot(db());
    expect(await statusAction({ step: "reopen", reason: "  " })).toMatchObject({
      status: 400,
      data: { problem: "lifecycle.reopen.reasonMissing" },
    });
    expect(await statusAction({ step: "reopen", reason: "x".repeat(2001) })).toMatchObject({
      status: 400,
      data: { problem: "lifecycle.reopen.reasonTooLong" },
    });
    expect(await statusAction({ step: "reopen", reason: "Powys" }, coordinator, { csrf: false })).toMatchObject({ status: 403 });
    expect(await snapshot(db())).toBe(before);
    const reason = "Powys asked to correct a figure after the round closed.";
    expect(await statusAction({ step: "reopen", reason })).toMatchObject({ location: `/collections/${CODE}/design?saved=reopen` });
    expect((await collection())?.status).toBe("open");
    const last = await db()
      .selectFrom("audit_log")
      .select(["action", "reason", "before", "after"])
      .where("entity", "=", "collection")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(last).toEqual({ action: "collection.reopen", reason, before: { status: "closed" }, after: { status: "open" } });
  });

  it("does not reopen a round whose statistics are published: they are withdrawn first", async () => {
    const FEBRUARY = "2023-02-care-experienced-parents";
    expect(await statusPage(FEBRUARY)).toMatchObject({ data: { step: "reopen", statisticsPublished: true } });
    const before = await snapshot(db());
    expect(await statusAction({ step: "reopen", reason: "A late figure." }, coordinator, {}, FEBRUARY)).toMatchObject({
      status: 409,
      data: { problem: "lifecycle.reopen.statisticsPublished" },
    });
    expect(await snapshot(db())).toBe(before);
  });
});
