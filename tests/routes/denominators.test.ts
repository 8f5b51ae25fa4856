import { beforeAll, describe, expect, it } from "vitest";
import * as denominatorsPage from "#app/routes/denominators.tsx";
import { translator } from "#app/i18n/i18n.ts";
import { issueText, type UploadIssue } from "#app/spreadsheets/spreadsheet.ts";
import { CENSUS_2021 } from "#app/domain/denominators.ts";
import { useDemoDatabase } from "../support/database.ts";
import { ANALYST, COORDINATOR, get, OFFICER, routeArgs, run, snapshot, useSignedIn } from "../support/requests.ts";

const HEADER = ["code", "label_en", "label_cy", "source_en", "source_cy", "year"];

describe("uploading a denominator table", () => {
  const db = useDemoDatabase();
  const people = useSignedIn(db, { coordinator: COORDINATOR, analyst: ANALYST, officer: OFFICER.cardiff });
  let authorities: string[];
  beforeAll(async () => {
    authorities = (await db().selectFrom("authority").select("code").orderBy("code").execute()).map((a) => a.code);
  });

  const row = (code: string, value: (i: number) => string = (i) => String(1000 + i)) => [
    code,
    "residents aged 18 to 25",
    "o breswylwyr 18 i 25 oed",
    "Mid-2022 population estimates",
    "Amcangyfrifon poblogaeth canol 2022",
    "2022",
    ...authorities.map((_, i) => value(i)),
  ];
  const csv = (rows: string[][], header = [...HEADER, ...authorities]) => `${[header, ...rows].map((r) => r.join(",")).join("\r\n")}\r\n`;

  const upload = (body: Uint8Array | string, visitor = people.coordinator, { csrf = true } = {}) => {
    const form = new FormData();
    if (csrf) form.append("csrf", visitor.csrf);
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    form.append("workbook", new File([new Uint8Array(bytes)], "denominators.csv", { type: "text/csv" }));
    const request = new Request("http://localhost/denominators", { method: "POST", body: form, headers: { Cookie: visitor.cookie } });
    return run(() => denominatorsPage.action(routeArgs(request) as never));
  };
  const issuesOf = (outcome: Awaited<ReturnType<typeof upload>>) => {
    expect(outcome).toMatchObject({ kind: "data", status: 400 });
    const issues = (outcome as { data: { issues: UploadIssue[] } }).data.issues;
    return issues.map((issue) => issueText(translator("en"), issue, {}));
  };

  it("is a coordinator's page: analysts and officers are refused as if it did not exist", async () => {
    const page = await denominatorsPage.loader(routeArgs(get("/denominators", people.coordinator)) as never);
    expect(page.denominators.find((d) => d.code === CENSUS_2021)).toMatchObject({ year: 2021, authorities: 22 });
    expect(await run(() => denominatorsPage.loader(routeArgs(get("/denominators", people.analyst)) as never))).toMatchObject({
      status: 404,
    });
    const before = await snapshot(db());
    expect(await upload(csv([row("population_18_25")]), people.analyst)).toMatchObject({ status: 404 });
    expect(await upload(csv([row("population_18_25")]), people.officer)).toMatchObject({ status: 404 });
    expect(await upload(csv([row("population_18_25")]), people.coordinator, { csrf: false })).toMatchObject({ status: 403 });
    expect(await snapshot(db())).toBe(before);
  });

  it.each([
    ["larger than 64 KB", () => csv([row("big")]) + " ".repeat(70 * 1024), "The file is larger than 64 KB"],
    ["more than 50 rows", () => csv(Array.from({ length: 51 }, (_, i) => row(`d${i}`))), "The file has more than 50 rows"],
    ["more than 50 lines of nothing but line endings", () => "\n".repeat(5000), "The file has more than 50 rows"],
    ["not UTF-8", () => new Uint8Array([0x63, 0x6f, 0x64, 0x65, 0xff, 0xfe, 0x0a]), "The file is not UTF-8 text"],
    ["ragged rows", () => csv([row("short").slice(0, 10)]), "The file cannot be read as CSV"],
    ["an unterminated quote", () => `${csv([])}"code,`, "The file cannot be read as CSV"],
    [
      "the wrong header",
      () => csv([row("x")], ["name", ...HEADER.slice(1), ...authorities]),
      "The first row must name the columns, starting with code",
    ],
    ["no rows", () => csv([]), "The file has no denominators in it"],
    [
      "a missing authority",
      () => csv([row("x").slice(0, -1)], [...HEADER, ...authorities.slice(0, -1)]),
      "There is no column for the authority W06000024",
    ],
    ["an unknown column", () => csv([[...row("x"), "5"]], [...HEADER, ...authorities, "W92000004"]), "The column W92000004 is neither"],
    ["a bad code", () => csv([row("Population 18-25")]), "Row 2: the code must be"],
    ["a code twice", () => csv([row("p"), row("p")]), "Row 3: p is in the file more than once"],
    ["a year as a number with a separator", () => csv([row("p").map((v) => (v === "2022" ? '"2,022"' : v))]), "the year must be"],
    [
      "a zero value",
      () => csv([row("p", (i) => (i === 3 ? "0" : "10"))]),
      "Row 2: the value for W06000004 must be a whole number greater than 0",
    ],
    ["a formula", () => csv([row("p", (i) => (i === 0 ? "=1+1" : "10"))]), "Row 2: the value for W06000001 must be"],
    ["an empty label", () => csv([row("p").map((v, i) => (i === 2 ? "" : v))]), "Row 2: label_cy is empty"],
  ])("refuses a file with %s, loading nothing", async (_, file, message) => {
    const before = await snapshot(db());
    const issues = issuesOf(await upload(file()));
    expect(issues.join("\n")).toContain(message);
    expect(await snapshot(db())).toBe(before);
  });

  it("refuses the whole table when one row of it is wrong", async () => {
    const before = await snapshot(db());
    const issues = issuesOf(await upload(csv([row("population_18_25"), row("broken", () => "-5")])));
    // Every authority's value in the broken row is wrong; the first 20 problems are said.
    expect(issues).toHaveLength(20);
    expect(issues[0]).toBe("Row 3: the value for W06000001 must be a whole number greater than 0");
    expect(await snapshot(db())).toBe(before);
  });

  it("loads a good table, new and replacing, with an audit entry each holding before and after", async () => {
    const census = row(CENSUS_2021, (i) => String(5000 + i)).map((v, i) => (i === 1 ? "residents of all ages" : v));
    const outcome = await upload(`\uFEFF${csv([row("population_18_25"), census])}`);
    expect(outcome).toMatchObject({ kind: "response", location: `/denominators?loaded=population_18_25%20${CENSUS_2021}` });
    const added = await db().selectFrom("denominator").selectAll().where("code", "=", "population_18_25").executeTakeFirstOrThrow();
    expect(added).toMatchObject({ label_cy: "o breswylwyr 18 i 25 oed", source_cy: "Amcangyfrifon poblogaeth canol 2022", year: 2022 });
    const values = await db()
      .selectFrom("denominator_value")
      .select(["authority_code", "value"])
      .where("denominator_code", "=", CENSUS_2021)
      .orderBy("authority_code")
      .execute();
    expect(values.map((v) => v.value)).toEqual(authorities.map((_, i) => 5000 + i));
    const audit = await db()
      .selectFrom("audit_log")
      .select(["entity_key", "actor_user_id", "before", "after"])
      .where("action", "=", "denominator.load")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => [a.entity_key, a.actor_user_id])).toEqual([
      ["population_18_25", people.coordinator.userId],
      [CENSUS_2021, people.coordinator.userId],
    ]);
    expect(audit[0]!.before).toBeNull();
    expect(audit[1]!.before).toMatchObject({ year: 2021, values: { W06000001: 68877 } });
    expect(audit[1]!.after).toMatchObject({ year: 2022, values: { W06000001: 5000 } });
    const page = await denominatorsPage.loader(routeArgs(get("/denominators?loaded=population_18_25", people.coordinator)) as never);
    expect(page.denominators.map((d) => d.code)).toEqual(expect.arrayContaining(["population_18_25", CENSUS_2021]));
  });
});
