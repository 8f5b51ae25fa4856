import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import * as importPage from "#app/routes/collections.$code.import._index.tsx";
import * as previewPage from "#app/routes/collections.$code.import.$uploadId.tsx";
import { coverageTotals } from "#app/models/aggregation.server.ts";
import { readerFor } from "#app/auth/policy.server.ts";
import { changeCollectionStatus, createCollection, getCollection } from "#app/models/collection.server.ts";
import { translator } from "#app/i18n/i18n.ts";
import { issueText, type UploadIssue } from "#app/spreadsheets/spreadsheet.ts";
import { FEBRUARY_2023, february2023Reply, FEBRUARY_2023_PARENTS_COUNTED_DIFFERENTLY, FEBRUARY_2023_REASONS } from "#seeds/demo.ts";
import { useDemoDatabase } from "../support/database.ts";
import { ANALYST, COORDINATOR, get, OFFICER, post, routeArgs, run, snapshot, useSignedIn, type Visitor } from "../support/requests.ts";
import { submitAs } from "../support/returns.ts";

/** Reads every authority's figures, as a coordinator does. */
const coordinatorReader = readerFor({ role: "coordinator", authorityCode: null });

const REPLY = february2023Reply();

const HEADER = [
  "Authority",
  "Item code",
  "State",
  "Number",
  "Reason",
  "Age from",
  "Age to",
  "Reference date used",
  "Other difference",
  "Caveat",
  "reported_text",
];

/** A workbook as a coordinator would type it up from the reply, authorities as the reply wrote them. */
async function workbookOf(rows: unknown[][]) {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("Reply of 16 February 2023");
  sheet.addRow(HEADER);
  for (const row of rows) sheet.addRow(row);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

function february2023Rows() {
  return REPLY.flatMap((r) => [
    [
      r.authority_as_written,
      "care_leavers_21_25",
      "A number",
      Number(r.value),
      null,
      r.age_from ? Number(r.age_from) : null,
      r.age_to ? Number(r.age_to) : null,
      r.reference_date_stated || null,
      null,
      r.authority_code === "W06000019" ? "7 of these 33 are parents or pregnant." : null,
      r.reported_text,
    ],
    // Items 2 and 3 in the reply's own words (Blaenau Gwent's parents counted with expectant parents); half the rows use the Welsh answer.
    FEBRUARY_2023_PARENTS_COUNTED_DIFFERENTLY[r.authority_code]
      ? [
          r.authority_as_written,
          "care_experienced_parents",
          "A number",
          Number(FEBRUARY_2023_PARENTS_COUNTED_DIFFERENTLY[r.authority_code]!.number),
          null,
          null,
          null,
          null,
          FEBRUARY_2023_PARENTS_COUNTED_DIFFERENTLY[r.authority_code]!.countingNote,
        ]
      : [r.authority_as_written, "care_experienced_parents", "not_collected", null, FEBRUARY_2023_REASONS.care_experienced_parents],
    [
      r.authority_as_written,
      "care_experienced_parents_child_removed",
      "Heb ei gasglu",
      null,
      FEBRUARY_2023_REASONS.care_experienced_parents_child_removed,
    ],
  ]);
}

describe("the coordinator's bulk import", () => {
  const db = useDemoDatabase();
  const people = useSignedIn(db, { coordinator: COORDINATOR, analyst: ANALYST, officer: OFFICER.cardiff });

  /** A new open collection asking what February 2023 asked (its dates, items and rule), at `referenceDate`. */
  const newRound = async (code: string, referenceDate = "2022-12-31") => {
    const february = (await getCollection(db(), FEBRUARY_2023))!;
    const created = await createCollection(
      db(),
      {
        code,
        title_en: "Care-experienced young people who are parents (loaded from the reply)",
        title_cy: "Pobl ifanc â phrofiad o ofal sy'n rhieni (wedi'u llwytho o'r ateb)",
        guidance_en: "",
        guidance_cy: "",
        reference_date: referenceDate,
        opens_on: february.opens_on,
        due_on: february.due_on,
        items: february.items.map((item) => ({ code: item.code, required: item.required })),
        rules: february.rules,
      },
      people.coordinator.userId,
    );
    expect(created.ok).toBe(true);
    await changeCollectionStatus(db(), (await getCollection(db(), code))!, "publish", people.coordinator.userId);
    return (await getCollection(db(), code))!;
  };

  const uploadRequest = (code: string, visitor: Visitor, file: Uint8Array) => {
    const body = new FormData();
    body.append("csrf", visitor.csrf);
    body.append("workbook", new File([new Uint8Array(file)], "february-2023.xlsx"));
    return new Request(`http://localhost/collections/${code}/import`, { method: "POST", body, headers: { Cookie: visitor.cookie } });
  };

  const upload = (code: string, file: Uint8Array, visitor = people.coordinator) =>
    run(() => importPage.action(routeArgs(uploadRequest(code, visitor, file), { code }) as never));

  const preview = async (code: string, uploadId: string) => {
    const outcome = await run(() =>
      previewPage.loader(routeArgs(get(`/collections/${code}/import/${uploadId}`, people.coordinator), { code, uploadId }) as never),
    );
    if (outcome.kind !== "data") throw new Error(`expected the preview, got ${outcome.status}`);
    return outcome.data as Awaited<ReturnType<typeof previewPage.loader>>;
  };

  const apply = (code: string, uploadId: string, visitor = people.coordinator) =>
    run(() => previewPage.action(routeArgs(post(`/collections/${code}/import/${uploadId}`, {}, visitor), { code, uploadId }) as never));

  const texts = (issues: UploadIssue[]) => issues.map((issue) => issueText(translator("en"), issue, {}));

  it("is for coordinators only", async () => {
    for (const visitor of [people.analyst, people.officer]) {
      const outcome = await run(() =>
        importPage.loader(routeArgs(get(`/collections/${FEBRUARY_2023}/import`, visitor), { code: FEBRUARY_2023 }) as never),
      );
      expect(outcome).toMatchObject({ kind: "response", status: 404 });
    }
    const outcome = await run(() =>
      importPage.loader(routeArgs(get(`/collections/${FEBRUARY_2023}/import`, people.coordinator), { code: FEBRUARY_2023 }) as never),
    );
    expect(outcome.kind).toBe("data");
  });

  it("loads the real February 2023 reply into a new round, previewed first, with the same totals and coverage as the demo round", async () => {
    const round = await newRound("2023-02-loaded-from-the-reply");
    const stored = { tablesExcept: ["import_upload"] };
    const before = await snapshot(db(), stored);
    const uploaded = await upload(round.code, await workbookOf(february2023Rows()));
    expect(uploaded).toMatchObject({ kind: "response", status: 302 });
    const uploadId = uploaded.kind === "response" ? uploaded.location!.split("/").at(-1)! : "";
    // Uploading stores the workbook and previews it; nothing else is touched yet.
    expect(await snapshot(db(), stored)).toBe(before);

    const page = await preview(round.code, uploadId);
    expect(page.plan?.issues).toEqual([]);
    expect(page.plan?.ignoredColumns).toEqual(["reported_text"]);
    expect(page.plan?.authorities.map((a) => a.code).sort()).toEqual(REPLY.map((r) => r.authority_code).sort());
    const rct = page.plan!.authorities.find((a) => a.code === "W06000016")!;
    expect(rct.values.care_leavers_21_25).toMatchObject({ number: 173, referenceDateUsed: "2023-12-31" });
    expect(page.plan!.authorities.find((a) => a.code === "W06000012")!.values.care_leavers_21_25).toMatchObject({
      ageFrom: null,
      ageTo: 25,
    });
    expect(page.plan!.authorities.find((a) => a.code === "W06000001")!.values.care_experienced_parents_child_removed).toMatchObject({
      state: "not_collected",
    });

    const applied = await apply(round.code, uploadId);
    expect(applied).toMatchObject({ kind: "response", status: 302, location: `/collections/${round.code}/import/${uploadId}` });

    const demo = (await getCollection(db(), FEBRUARY_2023))!;
    const loaded = await coverageTotals(db(), coordinatorReader, round.id);
    expect(loaded).toEqual(await coverageTotals(db(), coordinatorReader, demo.id));
    expect(loaded.find((t) => t.itemCode === "care_leavers_21_25" && t.regionCode === null)).toMatchObject({
      total: 926,
      comparable: 12,
      nonComparable: 3,
      noReturn: 7,
    });

    const audit = await db()
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "in", ["import.apply", "return.submit"])
      .where("actor_user_id", "=", people.coordinator.userId)
      .execute();
    expect(audit.filter((a) => a.action === "return.submit")).toHaveLength(15);
    expect(audit.find((a) => a.action === "import.apply")).toMatchObject({ entity: "import_upload", entity_key: uploadId });
    const versions = await db()
      .selectFrom("return_version as rv")
      .innerJoin("return as r", "r.id", "rv.return_id")
      .select(["rv.signed_off_name", "rv.signed_off_role"])
      .where("r.collection_id", "=", round.id)
      .execute();
    expect(versions).toHaveLength(15);
    expect(versions[0]).toEqual({
      signed_off_name: "Demo Coordinator",
      signed_off_role: "Loaded by ADSS Cymru from the workbook ‘february-2023.xlsx’",
    });

    expect((await preview(round.code, uploadId)).upload.applied_at).toBeTruthy();
    const again = await apply(round.code, uploadId);
    expect(again.status).toBe(409);
    expect(texts((again.kind === "data" ? (again.data as { issues: UploadIssue[] }) : { issues: [] }).issues)).toEqual([
      "This workbook has already been loaded.",
    ]);
  });

  it("refuses a workbook with problems, listing every one by cell, and keeps nothing", async () => {
    const round = await newRound("2023-02-with-problems");
    const stored = await db()
      .selectFrom("import_upload")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const before = await snapshot(db());
    const rows = [
      ["caerdydd", "care_leavers_21_25", "A number", 12, null],
      ["caerdydd", "care_experienced_parents", "A number", 3, null],
      ["caerdydd", "care_experienced_parents_child_removed", "A number", 1, null],
      ["Atlantis", "care_leavers_21_25", "A number", 5, null],
      ["Newport", "care_leavers_21_25", "A number", 12.5, null],
      ["Newport", "care_leavers_21_25", "A number", 12, null],
      ["Newport", "care_experienced_parents", "Not collected", null, null],
      ["Newport", "care_of_goldfish", "A number", 1, null],
    ];
    const outcome = await upload(round.code, await workbookOf(rows));
    expect(outcome.status).toBe(400);
    const data =
      outcome.kind === "data"
        ? (outcome.data as { issues: UploadIssue[]; authorities: { code: string }[] })
        : { issues: [], authorities: [] };
    expect(texts(data.issues).sort()).toEqual(
      [
        "Sheet Reply of 16 February 2023, cell A5: no authority is called ‘Atlantis’. Use its code, like W06000015, or its name",
        "Sheet Reply of 16 February 2023, cell B7: Newport already has a row for this item, row 6. Keep one of them",
        "care_of_goldfish (cell B9): this item is not part of this information request",
        "care_leavers_21_25 (cell D6): enter a whole number, like 12",
        "care_experienced_parents (cell E8): say why there is no number",
        "Newport: there is no row for ‘Care-experienced parents who have had a child removed or placed on the child protection register’, which must be answered",
      ].sort(),
    );
    // Cardiff, written in Welsh and in lower case, was read without a problem and is shown as it would load.
    expect(data.authorities.map((a) => a.code)).toEqual(["W06000015"]);
    expect(await snapshot(db())).toBe(before);
    expect(
      await db()
        .selectFrom("import_upload")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow(),
    ).toEqual(stored);
  });

  it("applies all or nothing: one authority that submitted meanwhile stops the whole import", async () => {
    const round = await newRound("2023-02-all-or-nothing");
    const rows = (authority: string) => [
      [authority, "care_leavers_21_25", "A number", 40, null],
      [authority, "care_experienced_parents", "A number", 6, null],
      [authority, "care_experienced_parents_child_removed", "Unknown", null, "Not linked yet."],
    ];
    const uploaded = await upload(round.code, await workbookOf([...rows("W06000015"), ...rows("Newport")]));
    const uploadId = uploaded.kind === "response" ? uploaded.location!.split("/").at(-1)! : "";
    expect((await preview(round.code, uploadId)).plan?.issues).toEqual([]);
    await submitAs(db(), round.code, "W06000022", {
      care_leavers_21_25: { number: 39 },
      care_experienced_parents: { number: 5 },
      care_experienced_parents_child_removed: { number: 1 },
    });
    const before = await snapshot(db());
    const outcome = await apply(round.code, uploadId);
    expect(outcome.status).toBe(409);
    expect(texts((outcome.kind === "data" ? (outcome.data as { issues: UploadIssue[] }) : { issues: [] }).issues)).toEqual([
      "Newport has already submitted its return to this information request; an import cannot replace it",
    ]);
    expect(await snapshot(db())).toBe(before);
    const upload2 = await db()
      .selectFrom("import_upload")
      .select("applied_at")
      .where("id", "=", Number(uploadId))
      .executeTakeFirstOrThrow();
    expect(upload2.applied_at).toBeNull();
  });

  it("submits figures the portal's checks query with an explanation saying they were loaded without one", async () => {
    // A year after February 2023, when Newport reported 271 (and 39 in the round of February 2023
    // an earlier test made, which counts as the latest): 4 is a change to explain against either.
    const round = await newRound("2023-12-a-year-on", "2023-12-31");
    const uploaded = await upload(
      round.code,
      await workbookOf([
        ["Newport", "care_leavers_21_25", "A number", 4, null],
        ["Newport", "care_experienced_parents", "A number", 6, null],
        ["Newport", "care_experienced_parents_child_removed", "A number", 1, null],
      ]),
    );
    const uploadId = uploaded.kind === "response" ? uploaded.location!.split("/").at(-1)! : "";
    expect(await apply(round.code, uploadId)).toMatchObject({ kind: "response", status: 302 });
    const explained = await db()
      .selectFrom("return_version_value as v")
      .innerJoin("return as r", "r.id", "v.return_id")
      .select(["v.item_code", "v.query_explanation"])
      .where("r.collection_id", "=", round.id)
      .where("v.query_explanation", "is not", null)
      .execute();
    expect(explained).toEqual([{ item_code: "care_leavers_21_25", query_explanation: translator("en")("import.autoExplanation") }]);
  });

  it("refuses an upload that is not a workbook, and a post without the CSRF token, without a 500", async () => {
    const round = await newRound("2023-02-not-a-workbook");
    const before = await snapshot(db());
    const outcome = await upload(round.code, new TextEncoder().encode("authority,item\n"));
    expect(outcome.status).toBe(400);
    const forged = await run(() =>
      previewPage.action(
        routeArgs(post(`/collections/${round.code}/import/1`, {}, people.coordinator, { csrf: false }), {
          code: round.code,
          uploadId: "1",
        }) as never,
      ),
    );
    expect([403, 404]).toContain(forged.status);
    const nonsense = await run(() =>
      previewPage.loader(
        routeArgs(get(`/collections/${round.code}/import/abc`, people.coordinator), { code: round.code, uploadId: "abc" }) as never,
      ),
    );
    expect(nonsense.status).toBe(404);
    expect(await snapshot(db())).toBe(before);
  });
});
