import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import * as csvRoute from "#app/routes/collections.$code.values[.]csv.ts";
import { FEBRUARY_2023 } from "#seeds/demo.ts";
import { useDemoDatabase } from "../support/database.ts";
import { ANALYST, COORDINATOR, get, OFFICER, routeArgs, run, signIn, type Visitor } from "../support/requests.ts";

const HEADERS_EN = [
  "Information request code",
  "Reference date",
  "Authority code",
  "Authority",
  "Region",
  "Item code",
  "State",
  "Value",
  "Comparable",
  "Age from",
  "Age to",
  "Reference date used",
  "Other difference",
  "Caveat",
  "Reason",
  "Return status",
  "Version",
  "Submitted at",
  "Status of the figure",
  "Explanation of a figure flagged for checking",
  "What the authority wrote",
  "Queries on the figure",
];

describe("the tidy CSV of a collection", () => {
  const db = useDemoDatabase();
  let coordinator: Visitor;
  let analyst: Visitor;
  let officer: Visitor;

  beforeAll(async () => {
    [coordinator, analyst, officer] = await Promise.all([signIn(db(), COORDINATOR), signIn(db(), ANALYST), signIn(db(), OFFICER.newport)]);
  });

  const download = (visitor: Visitor, query = "") =>
    run(() =>
      csvRoute.loader(routeArgs(get(`/collections/${FEBRUARY_2023}/values.csv${query}`, visitor), { code: FEBRUARY_2023 }) as never),
    );

  const text = async (visitor: Visitor, query = "") => {
    const outcome = await download(visitor, query);
    if (outcome.kind !== "response" || outcome.status !== 200) throw new Error(`expected the CSV, got ${outcome.status}`);
    expect(outcome.response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    const bytes = new Uint8Array(await outcome.response.arrayBuffer());
    // UTF-8 with a byte order mark, so that Excel reads Welsh letters right; the decoder drops it.
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    return new TextDecoder().decode(bytes);
  };

  it("is for coordinators and analysts only", async () => {
    expect(await download(officer)).toMatchObject({ kind: "response", status: 404 });
    expect(await download(analyst)).toMatchObject({ kind: "response", status: 200 });
  });

  it("starts with a byte order mark, and has Welsh headers with ?lang=cy", async () => {
    expect(parse(await text(coordinator), { to_line: 1 })[0]).toEqual(HEADERS_EN);
    const welsh = parse(await text(coordinator, "?lang=cy"), { to_line: 1 })[0] as string[];
    expect(welsh).toHaveLength(HEADERS_EN.length);
    expect(welsh.slice(0, 4)).toEqual(["Cod y cais am wybodaeth", "Dyddiad cyfeirio", "Cod yr awdurdod", "Awdurdod"]);
    expect(welsh.every((header, i) => header !== HEADERS_EN[i])).toBe(true);
  });

  it("parsed back, equals the database: every authority x item, the latest submitted value, blanks where there is none", async () => {
    const rows = parse(await text(coordinator), { columns: true }) as Record<string, string>[];
    const expected = await db()
      .selectFrom("collection as c")
      .innerJoin("collection_item as ci", "ci.collection_id", "c.id")
      .innerJoin("authority as a", (join) => join.onTrue())
      .innerJoin("region as g", "g.code", "a.region_code")
      .leftJoin("return as r", (join) =>
        join.onRef("r.collection_id", "=", "c.id").onRef("r.authority_code", "=", "a.code").on("r.submitted_version", "is not", null),
      )
      .leftJoin("return_version as rv", (join) => join.onRef("rv.return_id", "=", "r.id").onRef("rv.version", "=", "r.submitted_version"))
      .leftJoin("return_version_value as v", (join) =>
        join.onRef("v.return_id", "=", "r.id").onRef("v.version", "=", "r.submitted_version").onRef("v.item_code", "=", "ci.item_code"),
      )
      .leftJoin("reply_text as rt", (join) => join.onRef("rt.return_id", "=", "r.id").onRef("rt.item_code", "=", "ci.item_code"))
      .select([
        "c.code",
        "c.reference_date",
        "a.code as authority",
        "a.name_en",
        "g.name_en as region",
        "ci.item_code",
        "v.state",
        "v.number",
        "v.is_comparable",
        "v.age_from",
        "v.age_to",
        "v.reference_date_used",
        "v.counting_note",
        "v.caveat",
        "v.reason",
        "r.status",
        "r.submitted_version",
        "rv.submitted_at",
        "c.status as collection_status",
        "v.query_explanation",
        "rt.text as as_written",
      ])
      .where("c.code", "=", FEBRUARY_2023)
      .orderBy("a.code")
      .orderBy("ci.position")
      .execute();
    const cell = (v: unknown) => (v === null || v === undefined ? "" : String(v));
    expect(rows.map((r) => HEADERS_EN.map((h) => r[h]))).toEqual(
      expected.map((e) => [
        e.code,
        e.reference_date,
        e.authority,
        e.name_en,
        e.region,
        e.item_code,
        cell(e.state),
        cell(e.number),
        e.state === "reported" ? String(e.is_comparable) : "",
        cell(e.age_from),
        cell(e.age_to),
        cell(e.reference_date_used),
        cell(e.counting_note),
        cell(e.caveat),
        cell(e.reason),
        cell(e.status),
        cell(e.submitted_version),
        e.submitted_at ? new Date(e.submitted_at).toISOString() : "",
        e.collection_status === "closed" ? "final" : "provisional",
        cell(e.query_explanation),
        cell(e.as_written),
        // No query was raised in February 2023.
        "",
      ]),
    );
    expect(rows).toHaveLength(22 * 3);
    const conwy = rows.find((r) => r["Authority code"] === "W06000003" && r["Item code"] === "care_leavers_21_25")!;
    expect(conwy).toMatchObject({
      State: "reported",
      Value: "133",
      Comparable: "false",
      "Age from": "18",
      "Age to": "25",
      "Return status": "submitted",
      Version: "1",
    });
    expect(conwy["Submitted at"]).toBe("2023-02-16T12:00:00.000Z");
    const cardiff = rows.find((r) => r["Authority code"] === "W06000015")!;
    expect(cardiff).toMatchObject({ State: "", Value: "", "Return status": "", Version: "" });
  });
});
