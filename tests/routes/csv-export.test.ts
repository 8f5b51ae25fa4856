import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import * as csvRoute from "#app/routes/collections.$code.values[.]csv.ts";
import { FEBRUARY_2023 } from "#seeds/demo.ts";
import { useDemoDatabase } from "../support/database.ts";
import { ANALYST, COORDINATOR, get, OFFICER, routeArgs, run, useSignedIn, type Visitor } from "../support/requests.ts";

const HEADERS_EN = [
  "Information request code",
  "Reference date",
  "Authority code",
  "Authority",
  "Region",
  "Item code",
  "State",
  "Value",
  "Notes codes",
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
  const people = useSignedIn(db, { coordinator: COORDINATOR, analyst: ANALYST, officer: OFFICER.newport });

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
    expect(await download(people.officer)).toMatchObject({ kind: "response", status: 404 });
    expect(await download(people.analyst)).toMatchObject({ kind: "response", status: 200 });
  });

  it("starts with a byte order mark, and has Welsh headers with ?lang=cy", async () => {
    expect(parse(await text(people.coordinator), { to_line: 1 })[0]).toEqual(HEADERS_EN);
    const welsh = parse(await text(people.coordinator, "?lang=cy"), { to_line: 1 })[0] as string[];
    expect(welsh).toHaveLength(HEADERS_EN.length);
    expect(welsh.slice(0, 4)).toEqual(["Cod y cais am wybodaeth", "Dyddiad cyfeirio", "Cod yr awdurdod", "Awdurdod"]);
    expect(welsh.every((header, i) => header !== HEADERS_EN[i])).toBe(true);
  });

  it("parsed back, gives the February 2023 reply's figures, worked out by hand: every authority x item, blanks where none", async () => {
    const rows = parse(await text(people.coordinator), { columns: true }) as Record<string, string>[];
    const leavers = rows.filter((r) => r["Item code"] === "care_leavers_21_25");
    // The reply's 15 answers to item 1 (seeds/data/adss-2023-02-care-leavers-21-25.csv), typed out here.
    expect(Object.fromEntries(leavers.filter((r) => r.Value !== "").map((r) => [r["Authority code"], Number(r.Value)]))).toEqual({
      W06000001: 39,
      W06000003: 133,
      W06000004: 15,
      W06000005: 80,
      W06000009: 8,
      W06000011: 190,
      W06000012: 159,
      W06000013: 128,
      W06000014: 7,
      W06000016: 173,
      W06000018: 64,
      W06000019: 33,
      W06000022: 271,
      W06000023: 46,
      W06000024: 45,
    });
    // Counted differently: Conwy's 18 to 25, Neath Port Talbot's missing lower bound, Rhondda Cynon Taf's stated date.
    expect(
      leavers
        .filter((r) => r.Comparable === "false")
        .map((r) => r["Authority code"])
        .sort(),
    ).toEqual(["W06000003", "W06000012", "W06000016"]);
    // 1,391 reported, less 133 + 159 + 173 counted differently.
    expect(leavers.filter((r) => r.Comparable === "true").reduce((sum, r) => sum + Number(r.Value), 0)).toBe(926);
    expect(leavers.find((r) => r["Authority code"] === "W06000012")).toMatchObject({ "Age from": "", "Age to": "25" });
    expect(leavers.find((r) => r["Authority code"] === "W06000016")).toMatchObject({ "Reference date used": "2023-12-31" });
    expect(leavers.find((r) => r["Authority code"] === "W06000019")).toMatchObject({ Caveat: "7 of these 33 are parents or pregnant." });
    // The 7 that did not reply: a row for each item, blank.
    const blank = rows.filter((r) => r["Return status"] === "");
    expect(blank).toHaveLength(7 * 3);
    expect(blank.every((r) => r.State === "" && r.Value === "" && r.Version === "")).toBe(true);
    // Items 2 and 3 were not collected, with the reply's reason, except Blaenau Gwent's parents, counted differently.
    const answered = rows.filter((r) => r["Return status"] !== "" && r["Item code"] !== "care_leavers_21_25");
    expect(answered).toHaveLength(15 * 2);
    expect(answered.filter((r) => r.State === "not_collected" && r.Reason !== "")).toHaveLength(29);
    expect(answered.find((r) => r["Authority code"] === "W06000019" && r["Item code"] === "care_experienced_parents")).toMatchObject({
      State: "reported",
      Value: "7",
      Comparable: "false",
    });
    // The round is closed: every figure is final, none was queried.
    expect(rows.every((r) => r["Information request code"] === FEBRUARY_2023 && r["Status of the figure"] === "final")).toBe(true);
    expect(rows.every((r) => r["Queries on the figure"] === "")).toBe(true);
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
