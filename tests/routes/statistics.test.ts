/**
 * Published statistics: the February 2023 round read without signing in; the StatsWales CSV read
 * back; page, workbook, CSV and StatsWales CSV agreeing on every number; and a round of small
 * numbers with sum rules published through the coordinator's page and attacked from its files.
 */
import ExcelJS from "exceljs";
import { parse } from "csv-parse/sync";
import { sql, type Kysely, type Transaction } from "kysely";
import { describe, expect, it } from "vitest";
import type { Database } from "#db/types.ts";
import { getCollection, lockRound } from "#app/models/collection.server.ts";
import { amendReturn, findReturn, SYSTEM_ACTOR } from "#app/models/return.server.ts";
import { acceptReturn } from "#app/models/value-query.server.ts";
import { earlierReleases } from "#app/models/statistics.server.ts";
import type { EarlierRelease } from "#app/domain/disclosure.ts";
import { action as publishAction, loader as publishLoader } from "#app/routes/collections.$code.statistics.tsx";
import { loader as pageLoader } from "#app/routes/statistics.$code._index.tsx";
import { loader as collectionPage } from "#app/routes/collections.$code._index.tsx";
import { loader as listLoader } from "#app/routes/statistics._index.tsx";
import { loader as statsWalesLoader } from "#app/routes/statistics.$code.statswales[.]csv.ts";
import { loader as itemsLoader } from "#app/routes/statistics.$code.items[.]csv.ts";
import { loader as valuesLoader } from "#app/routes/statistics.$code.values[.]csv.ts";
import { loader as workbookLoader } from "#app/routes/statistics.$code.workbook[.]xlsx.ts";
import { action as statusAction } from "#app/routes/collections.$code.status.tsx";
import { action as takeForPublication } from "#app/routes/collections.$code.export[.]xlsx.ts";
import { REGION_ONS_CODES } from "#app/spreadsheets/statswales.server.ts";
import { useDemoDatabase } from "../support/database.ts";
import { useInProcessPortal } from "../support/hardening.ts";
import { attack, attackReleases, type Published, type PublishedRound } from "../support/disclosure-attack.ts";
import { COORDINATOR, get, OFFICER, post, routeArgs, run, signIn } from "../support/requests.ts";
import { parentsReturn, submitAs } from "../support/returns.ts";

const FEBRUARY = "2023-02-care-experienced-parents";
const DECEMBER = "2026-12-care-experienced-parents";

type Row = Record<string, string>;
const csvRows = (text: string) => parse(text.replace(/^\uFEFF/, ""), { columns: true }) as Row[];

async function download(loader: (args: never) => Promise<Response>, path: string, code: string) {
  const response = await loader(routeArgs(get(path), { code }) as never);
  expect(response.status).toBe(200);
  expect(response.headers.get("Cache-Control")).toBe("public, max-age=300");
  expect(response.headers.get("Content-Disposition")).toContain("attachment");
  return response;
}

/** What a reader of the StatsWales CSV knows, in the attack's terms. */
function publishedFromStatsWales(rows: Row[], regionOf: Map<string, string>, rules: PublishedRound["rules"]): PublishedRound {
  const onsRegion = new Map<string, string>();
  const shown = (r: Row): Published =>
    r.value !== "" ? Number(r.value) : r.notes_codes!.includes("[c]") ? "[c]" : r.notes_codes!.includes("[z]") ? "[z]" : "[x]";
  const cells: PublishedRound["cells"] = new Map();
  const totals: PublishedRound["totals"] = new Map();
  for (const r of rows) {
    if (r.area_type === "authority") {
      const row = cells.get(r.area_code!) ?? new Map();
      row.set(r.item_code!, { shown: shown(r), counted: r.notes_codes!.includes("[d]") ? "differently" : "same" });
      cells.set(r.area_code!, row);
    } else {
      const areas = totals.get(r.item_code!) ?? new Map();
      areas.set(r.area_type === "country" ? "" : r.area_code!, shown(r));
      totals.set(r.item_code!, areas);
      if (r.area_type === "region") onsRegion.set(r.area_code!, r.area_code!);
    }
  }
  return { cells, totals, regionOf, rules };
}

/** The round reopened, Cardiff's return amended ("Six, not three") and submitted with `raw`, and the round closed again. */
async function amendCardiff(db: Kysely<Database>, raw: Parameters<typeof submitAs>[3]) {
  await db.updateTable("collection").set({ status: "open" }).where("code", "=", DECEMBER).execute();
  const cardiff = { collection: (await getCollection(db, DECEMBER))!, authorityCode: "W06000015" };
  const amended = await amendReturn(db, cardiff, {
    basedOn: (await findReturn(db, cardiff))!.lock_version,
    reason: "Six, not three",
    actor: SYSTEM_ACTOR,
  });
  expect(amended).toMatchObject({ ok: true });
  await submitAs(db, DECEMBER, "W06000015", raw);
  await db.updateTable("collection").set({ status: "closed" }).where("code", "=", DECEMBER).execute();
  await acceptSubmitted(db);
}

/** Every return of the December round submitted and not accepted, accepted: only accepted figures are published. */
async function acceptSubmitted(db: Kysely<Database>) {
  const collection = (await getCollection(db, DECEMBER))!;
  const submitted = await db
    .selectFrom("return")
    .select(["authority_code", "lock_version"])
    .where("collection_id", "=", collection.id)
    .where("status", "=", "submitted")
    .execute();
  const coordinator = await db.selectFrom("app_user").select("id").where("email", "=", COORDINATOR).executeTakeFirstOrThrow();
  const actor = { userId: coordinator.id, role: "coordinator" as const, authorityCode: null };
  for (const ret of submitted) {
    const scope = { collection, authorityCode: ret.authority_code };
    expect(await acceptReturn(db, scope, { basedOn: ret.lock_version, actor })).toEqual({ ok: true });
  }
}

describe("published statistics", () => {
  const db = useDemoDatabase();

  it("lets anyone read February 2023 without signing in: 926 from 12 of 22, three counted differently, seven no reply", async () => {
    const list = await run(() => listLoader(routeArgs(get("/statistics")) as never));
    expect(list.kind === "data" && (list.data as { rounds: { code: string }[] }).rounds.map((r) => r.code)).toEqual([FEBRUARY]);
    const page = await run(() => pageLoader(routeArgs(get(`/statistics/${FEBRUARY}`), { code: FEBRUARY }) as never));
    expect(page.kind).toBe("data");
    const data = (page as { data: Awaited<ReturnType<typeof pageLoader>>["data"] }).data;
    const wales = data.totals.find((t) => t.itemCode === "care_leavers_21_25" && t.regionCode === null)!;
    expect([wales.total, wales.comparable, wales.expected, wales.nonComparable, wales.noReturn]).toEqual([926, 12, 22, 3, 7]);
    const differently = data.cells.filter((c) => c.itemCode === "care_leavers_21_25" && c.state === "reported" && !c.comparable);
    expect(differently.map((c) => c.authorityCode).sort()).toEqual(["W06000003", "W06000012", "W06000016"]);
    expect(differently.every((c) => c.marks === "[d]")).toBe(true);
    expect(data.cells.filter((c) => c.itemCode === "care_leavers_21_25" && !c.hasReturn)).toHaveLength(7);
    expect(data.reasons.length).toBeGreaterThan(0);
    // Nothing was small in February 2023: nothing is suppressed.
    expect(data.cells.some((c) => c.suppressed) || data.totals.some((t) => t.suppressed)).toBe(false);
  });

  it("is cacheable for anyone not signed in, private for a signed-in person, and a 404 for a round not published", async () => {
    const anonymous = await pageLoader(routeArgs(get(`/statistics/${FEBRUARY}`), { code: FEBRUARY }) as never);
    expect((anonymous as unknown as { init: ResponseInit }).init.headers).toEqual({ "Cache-Control": "public, max-age=300" });
    const officer = await signIn(db(), OFFICER.cardiff);
    const signedIn = await pageLoader(routeArgs(get(`/statistics/${FEBRUARY}`, officer), { code: FEBRUARY }) as never);
    expect((signedIn as unknown as { init: ResponseInit }).init.headers).toEqual({ "Cache-Control": "private, no-store" });
    for (const code of [DECEMBER, "no-such-round"]) {
      const outcome = await run(() => pageLoader(routeArgs(get(`/statistics/${code}`), { code }) as never));
      expect(outcome.status).toBe(404);
      const file = await run(() => statsWalesLoader(routeArgs(get(`/statistics/${code}/statswales.csv`), { code }) as never));
      expect(file.status).toBe(404);
    }
  });

  it("gives the StatsWales CSV: every published value and code, read back; the page, workbook and CSV agree", async () => {
    const collection = (await getCollection(db(), FEBRUARY))!;
    const text = await (await download(statsWalesLoader, `/statistics/${FEBRUARY}/statswales.csv`, FEBRUARY)).text();
    const rows = csvRows(text);
    expect(Object.keys(rows[0]!)).toEqual(["area_code", "area_type", "item_code", "reference_date", "value", "notes_codes"]);
    expect(rows).toHaveLength((22 + 7 + 1) * collection.items.length);
    expect(new Set(rows.filter((r) => r.area_type === "authority").map((r) => r.area_code)).size).toBe(22);
    expect([...new Set(rows.filter((r) => r.area_type === "region").map((r) => r.area_code))].sort()).toEqual([
      "W11000023",
      "W11000024",
      "W11000025",
      "W11000028",
      "W11000029",
      "W11000030",
      "W11000031",
    ]);
    expect(rows.filter((r) => r.area_type === "country").every((r) => r.area_code === "W92000004")).toBe(true);
    expect(rows.every((r) => r.reference_date === "2022-12-31")).toBe(true);
    expect(rows.every((r) => /^(\[[cxzud p]\])?( \[[cxzudp]\])*$/.test(r.notes_codes!))).toBe(true);
    const wales = rows.find((r) => r.area_type === "country" && r.item_code === "care_leavers_21_25")!;
    expect(wales.value).toBe("926");
    expect(rows.find((r) => r.area_type === "country" && r.item_code === "care_experienced_parents")).toMatchObject({
      value: "",
      notes_codes: "[x]",
    });
    expect(rows.find((r) => r.area_code === "W06000003" && r.item_code === "care_leavers_21_25")).toMatchObject({
      value: "133",
      notes_codes: "[d]",
    });

    // The page: every authority figure and every total is the StatsWales CSV's.
    const page = (await pageLoader(routeArgs(get(`/statistics/${FEBRUARY}`), { code: FEBRUARY }) as never)) as unknown as {
      data: Awaited<ReturnType<typeof pageLoader>>["data"];
    };
    for (const c of page.data.cells) {
      const r = rows.find((row) => row.area_code === c.authorityCode && row.item_code === c.itemCode)!;
      expect([r.value, r.notes_codes]).toEqual([c.number === null ? "" : String(c.number), c.marks]);
    }
    const walesTotals = page.data.totals.filter((t) => t.regionCode === null);
    for (const t of walesTotals) {
      expect(rows.find((r) => r.area_type === "country" && r.item_code === t.itemCode)!.value).toBe(
        t.total === null ? "" : String(t.total),
      );
    }
    // The tidy CSV.
    const values = csvRows(await (await download(valuesLoader, `/statistics/${FEBRUARY}/values.csv`, FEBRUARY)).text());
    expect(values).toHaveLength(22 * collection.items.length);
    for (const v of values) {
      const r = rows.find((row) => row.area_code === v.area_code && row.item_code === v.item_code)!;
      expect([v.value, v.notes_codes]).toEqual([r.value, r.notes_codes]);
    }
    // The workbook: its Summary totals and its data sheet.
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await (await download(workbookLoader, `/statistics/${FEBRUARY}/workbook.xlsx`, FEBRUARY)).arrayBuffer());
    const summary = workbook.getWorksheet("Summary")!;
    summary.eachRow((row, n) => {
      if (n === 1 || row.getCell(3).value !== "Wales") return;
      const r = rows.find((x) => x.area_type === "country" && x.item_code === row.getCell(1).value)!;
      expect(String(row.getCell(4).value ?? "")).toBe(r.value);
    });
    const sheet = workbook.getWorksheet("Data")!;
    let checked = 0;
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      const r = rows.find((x) => x.area_code === row.getCell(1).value && x.item_code === row.getCell(4).value)!;
      expect(String(row.getCell(8).value ?? "")).toBe(r.value);
      checked++;
    });
    expect(checked).toBe(22 * collection.items.length);
    // Every total, Wales's and each region's: the page's, the StatsWales CSV's (by ONS code) and the workbook Summary's (by name).
    const ons = REGION_ONS_CODES;
    const regionName = new Map(page.data.authorities.map((a) => [a.region_code, a.region_en]));
    const summaryTotals = new Map<string, string>();
    summary.eachRow((row, n) => {
      if (n > 1) summaryTotals.set(`${row.getCell(1).value}:${row.getCell(3).value}`, String(row.getCell(4).value ?? ""));
    });
    expect(page.data.totals).toHaveLength((7 + 1) * collection.items.length);
    for (const t of page.data.totals) {
      const shown = t.total === null ? "" : String(t.total);
      const r = rows.find(
        (x) => x.area_code === (t.regionCode === null ? "W92000004" : ons.get(t.regionCode)) && x.item_code === t.itemCode,
      )!;
      expect([r.value, r.notes_codes]).toEqual([shown, t.marks]);
      expect(summaryTotals.get(`${t.itemCode}:${t.regionCode === null ? "Wales" : regionName.get(t.regionCode)}`)).toBe(shown);
    }
    expect(summaryTotals.get("care_leavers_21_25:Wales")).toBe("926");
    const about = JSON.stringify(workbook.getWorksheet("About")!.getSheetValues());
    expect(about).not.toContain("Coordinator");
    expect(about).toContain("[c]");
    // The lookup of item codes, in both languages.
    const items = csvRows(await (await download(itemsLoader, `/statistics/${FEBRUARY}/items.csv`, FEBRUARY)).text());
    expect(items.map((i) => i.item_code)).toEqual(collection.items.map((i) => i.code));
    expect(items.every((i) => i.description_en && i.description_cy)).toBe(true);
  });

  it("publishes a closed round of small numbers with sum rules, from which no [c] can be recovered; withdrawing takes it down", async () => {
    const small = (parents: number, mothers: number, home: number, removed: number) =>
      parentsReturn({ leavers: parents * 3 + 1, parents, mothers, home, removed });
    const figures: [string, ReturnType<typeof small>][] = [
      ["W06000015", small(20, 12, 18, 3)], // Cardiff
      ["W06000014", small(9, 5, 7, 0)], // the Vale
      ["W06000022", small(20, 11, 18, 2)], // Newport: 20 = 18 + 2
      ["W06000020", small(6, 4, 6, 1)], // Torfaen
      ["W06000021", small(15, 9, 12, 4)], // Monmouthshire
      ["W06000023", small(3, 2, 3, 0)], // Powys, a region of one
      ["W06000011", small(31, 20, 25, 6)], // Swansea
    ];
    for (const [code, raw] of figures) await submitAs(db(), DECEMBER, code, raw);
    const coordinator = await signIn(db(), COORDINATOR);
    const path = `/collections/${DECEMBER}/statistics`;
    // Not while the round is open.
    const early = await run(() => publishAction(routeArgs(post(path, { intent: "publish" }, coordinator), { code: DECEMBER }) as never));
    expect(early.status).toBe(409);
    await db().updateTable("collection").set({ status: "closed" }).where("code", "=", DECEMBER).execute();
    // Not while a return waits to be accepted: anyone may read what is published, other
    // authorities' officers too, who may see a figure only once it is accepted. The page lists them.
    const waiting = await run(() => publishLoader(routeArgs(get(path, coordinator), { code: DECEMBER }) as never));
    // In alphabetical order, as every list of authorities is.
    expect(
      waiting.kind === "data" && (waiting.data as { awaitingAcceptance: { name_en: string }[] }).awaitingAcceptance.map((a) => a.name_en),
    ).toEqual(["Cardiff", "Monmouthshire", "Newport", "Powys", "Swansea", "Torfaen", "Vale of Glamorgan"]);
    const unaccepted = await run(() =>
      publishAction(routeArgs(post(path, { intent: "publish" }, coordinator), { code: DECEMBER }) as never),
    );
    expect(unaccepted).toMatchObject({ status: 409, data: { problem: "statistics.refused.notAccepted" } });
    const december = (await getCollection(db(), DECEMBER))!;
    expect(await db().selectFrom("statistics_publication").select("id").where("collection_id", "=", december.id).execute()).toEqual([]);
    expect(await db().selectFrom("disclosure_release").select("id").where("collection_id", "=", december.id).execute()).toEqual([]);
    await acceptSubmitted(db());
    const confirm = await run(() => publishLoader(routeArgs(get(path, coordinator), { code: DECEMBER }) as never));
    expect(confirm.kind === "data" && (confirm.data as { publishedAt: unknown }).publishedAt).toBe(null);
    expect(confirm.kind === "data" && (confirm.data as { awaitingAcceptance: unknown[] }).awaitingAcceptance).toEqual([]);
    const done = await run(() => publishAction(routeArgs(post(path, { intent: "publish" }, coordinator), { code: DECEMBER }) as never));
    expect(done).toMatchObject({ status: 302, location: `${path}?saved=published` });
    const audit = await db().selectFrom("audit_log").select(["action", "actor_user_id"]).where("action", "like", "statistics.%").execute();
    expect(audit.map((a) => a.action)).toEqual(["statistics.publish", "statistics.publish"]);

    // The attack, from the StatsWales CSV and the round's published rules.
    const collection = (await getCollection(db(), DECEMBER))!;
    const rows = csvRows(await (await download(statsWalesLoader, `/statistics/${DECEMBER}/statswales.csv`, DECEMBER)).text());
    const authorities = await db().selectFrom("authority").select(["code", "region_code"]).execute();
    const ons = new Map(rows.filter((r) => r.area_type === "region").map((r) => [r.area_code!, r.area_code!] as const));
    expect(ons.size).toBe(7);
    const regionOns: Record<string, string> = {
      "north-wales": "W11000023",
      powys: "W11000024",
      "west-wales": "W11000025",
      gwent: "W11000028",
      "cardiff-and-vale": "W11000029",
      "cwm-taf-morgannwg": "W11000030",
      "west-glamorgan": "W11000031",
    };
    const regionOf = new Map(authorities.map((a) => [a.code, regionOns[a.region_code]!]));
    const round = publishedFromStatsWales(rows, regionOf, collection.rules.crossItem);
    const hidden = rows.filter((r) => r.notes_codes!.includes("[c]"));
    expect(hidden.length).toBeGreaterThan(8);
    expect(
      rows.find((r) => r.area_code === "W06000022" && r.item_code === "care_experienced_parents_other_authority")!.notes_codes,
    ).toContain("[c]");
    const recovered = (await attack(round)).filter((r) => r.min === r.max);
    expect(recovered, "suppressed figures recovered from the StatsWales CSV").toEqual([]);
    // Zero stays zero.
    expect(rows.find((r) => r.area_code === "W06000014" && r.item_code === "care_experienced_parents_child_removed")).toMatchObject({
      value: "0",
    });

    // Withdrawing needs a reason, is audited, and takes the page and files down.
    const noReason = await run(() =>
      publishAction(routeArgs(post(path, { intent: "withdraw", reason: " " }, coordinator), { code: DECEMBER }) as never),
    );
    expect(noReason.status).toBe(400);
    const withdrawn = await run(() =>
      publishAction(
        routeArgs(post(path, { intent: "withdraw", reason: "A figure was found to be wrong." }, coordinator), { code: DECEMBER }) as never,
      ),
    );
    expect(withdrawn).toMatchObject({ status: 302 });
    const last = await db().selectFrom("audit_log").select(["action", "reason"]).orderBy("id", "desc").executeTakeFirstOrThrow();
    expect(last).toEqual({ action: "statistics.withdraw", reason: "A figure was found to be wrong." });
    expect((await run(() => pageLoader(routeArgs(get(`/statistics/${DECEMBER}`), { code: DECEMBER }) as never))).status).toBe(404);

    // The revision: Cardiff's 3 children removed, [c] above, becomes 6, and the round is published
    // again. Its readers still hold the first release: read together, neither gives away a [c].
    await amendCardiff(db(), small(20, 12, 18, 6));
    const again = await run(() => publishAction(routeArgs(post(path, { intent: "publish" }, coordinator), { code: DECEMBER }) as never));
    expect(again).toMatchObject({ status: 302, location: `${path}?saved=published` });
    const revised = csvRows(await (await download(statsWalesLoader, `/statistics/${DECEMBER}/statswales.csv`, DECEMBER)).text());
    const removed = "care_experienced_parents_child_removed";
    const changed = new Set([`cell:W06000015:${removed}`, `total:${removed}:W11000029`, `total:${removed}:`]);
    const revision = publishedFromStatsWales(revised, regionOf, collection.rules.crossItem);
    const recoveredTogether = (await attackReleases([round, revision], [changed])).filter((r) => r.min === r.max);
    expect(recoveredTogether, "suppressed figures recovered from the two releases together").toEqual([]);
    expect(revised.find((r) => r.area_code === "W06000015" && r.item_code === removed)!.notes_codes).toContain("[c]");
    // Each release's figures as they were when it was published, read back from the versions submitted by then.
    const releases = await earlierReleases(db(), collection.id);
    const cardiffRemoved = (release: EarlierRelease) =>
      release.cells.find((c) => c.authorityCode === "W06000015" && c.itemCode === removed)?.number;
    expect(releases.map(cardiffRemoved)).toEqual([3, 6]);
    expect(releases[0]!.hidden).toContain(`cell:W06000015:${removed}`);
  }, 300_000);
});

describe("a workbook for publication", () => {
  const db = useDemoDatabase();
  it("plans statistics published after an amendment with the workbook for publication taken before it", async () => {
    // A review's case: the coordinator's workbook for publication hid Cardiff's 3 and the region's
    // total of 53 beside the Vale's 50; Cardiff's figure was amended to 6 and the round published.
    // Planned without the workbook, the statistics showed the Vale's 50 and 53 − 50 gave the 3 back.
    const leavers = (n: number) => parentsReturn({ leavers: n, parents: 10, mothers: 6, home: 10, removed: 0 });
    const figures = [
      ["W06000015", 3], // Cardiff
      ["W06000014", 50], // the Vale
      ["W06000022", 40],
      ["W06000011", 60],
      ["W06000020", 30],
    ] as const;
    for (const [code, n] of figures) await submitAs(db(), DECEMBER, code, leavers(n));
    await db().updateTable("collection").set({ status: "closed" }).where("code", "=", DECEMBER).execute();
    const coordinator = await signIn(db(), COORDINATOR);
    const collection = (await getCollection(db(), DECEMBER))!;
    const authorities = await db().selectFrom("authority").select(["code", "name_en", "region_code"]).execute();
    const regionOf = new Map(authorities.map((a) => [a.code, REGION_ONS_CODES.get(a.region_code)!]));
    const regionNames = await db().selectFrom("region").select(["code", "name_en"]).execute();
    const regionByName = new Map(regionNames.map((r) => [r.name_en, REGION_ONS_CODES.get(r.code)!]));

    const takeWorkbook = async () => {
      const response = await takeForPublication(
        routeArgs(post(`/collections/${DECEMBER}/export.xlsx`, {}, coordinator), { code: DECEMBER }) as never,
      );
      expect(response.headers.get("Content-Disposition")).toContain("for-publication");
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(await response.arrayBuffer());
      return book;
    };
    const book = await takeWorkbook();
    // The same figures taken again are the same release, recorded once.
    await takeWorkbook();
    const releases = () =>
      db().selectFrom("disclosure_release").select("kind").where("collection_id", "=", collection.id).orderBy("id").execute();
    expect((await releases()).map((r) => r.kind)).toEqual(["workbook"]);

    // What a reader of the workbook knows: its tidy table and its totals.
    const shown = (value: unknown, notes: string): Published =>
      notes.includes("[c]") ? "[c]" : typeof value === "number" ? value : notes.includes("[z]") ? "[z]" : "[x]";
    const data = book.getWorksheet("Data")!;
    const header = (data.getRow(1).values as unknown[]).map(String);
    const column = (name: string) => header.indexOf(name);
    const cells: PublishedRound["cells"] = new Map();
    data.eachRow((row, n) => {
      if (n === 1) return;
      const v = row.values as unknown[];
      const notes = String(v[column("Notes codes")] ?? "");
      const authority = cells.get(String(v[column("Authority code")])) ?? new Map();
      authority.set(String(v[column("Item code")]), {
        shown: shown(v[column("Value")], notes),
        counted: notes.includes("[d]") ? "differently" : "same",
      });
      cells.set(String(v[column("Authority code")]), authority);
    });
    const totals: PublishedRound["totals"] = new Map();
    book.getWorksheet("Summary")!.eachRow((row, n) => {
      if (n === 1) return;
      const v = row.values as unknown[];
      const areas = totals.get(String(v[1])) ?? new Map();
      areas.set(regionByName.get(String(v[3])) ?? "", typeof v[4] === "number" ? v[4] : v[4] === "[c]" ? "[c]" : "[x]");
      totals.set(String(v[1]), areas);
    });
    const workbookRound: PublishedRound = { cells, totals, regionOf, rules: collection.rules.crossItem };
    expect(cells.get("W06000015")!.get("care_leavers_21_25")!.shown).toBe("[c]");
    // The region's total of 53 is published, so the Vale's 50 is hidden beside the 3.
    expect(totals.get("care_leavers_21_25")!.get("W11000029")).toBe(53);
    expect(cells.get("W06000014")!.get("care_leavers_21_25")!.shown).toBe("[c]");
    expect((await attack(workbookRound)).filter((r) => r.min === r.max)).toEqual([]);

    await amendCardiff(db(), leavers(6));
    const path = `/collections/${DECEMBER}/statistics`;
    const published = await run(() =>
      publishAction(routeArgs(post(path, { intent: "publish" }, coordinator), { code: DECEMBER }) as never),
    );
    expect(published).toMatchObject({ status: 302 });
    expect((await releases()).map((r) => r.kind)).toEqual(["workbook", "statistics"]);
    const official = publishedFromStatsWales(
      csvRows(await (await download(statsWalesLoader, `/statistics/${DECEMBER}/statswales.csv`, DECEMBER)).text()),
      regionOf,
      collection.rules.crossItem,
    );
    const changed = new Set(["cell:W06000015:care_leavers_21_25", "total:care_leavers_21_25:W11000029", "total:care_leavers_21_25:"]);
    const recovered = (await attackReleases([workbookRound, official], [changed])).filter((r) => r.min === r.max);
    expect(recovered, "figures the workbook hid, recovered with the statistics").toEqual([]);
  }, 300_000);
});

describe("a return reopened for amendment before it was accepted", () => {
  const db = useDemoDatabase();

  it("refuses to publish a return reopened for amendment before it was accepted, until it is submitted again and accepted", async () => {
    // A review's case: Swansea's submitted figures, never accepted, stay what totals read while its
    // officer amends them, so publishing them would show them to every reader before acceptance.
    const raw = (removed: number) => parentsReturn({ leavers: 94, parents: 31, mothers: 20, home: 25, removed });
    await submitAs(db(), DECEMBER, "W06000011", raw(6));
    const swansea = { collection: (await getCollection(db(), DECEMBER))!, authorityCode: "W06000011" };
    const amended = await amendReturn(db(), swansea, {
      basedOn: (await findReturn(db(), swansea))!.lock_version,
      reason: "Seven, not six",
      actor: SYSTEM_ACTOR,
    });
    expect(amended).toMatchObject({ ok: true });
    await db().updateTable("collection").set({ status: "closed" }).where("code", "=", DECEMBER).execute();
    await acceptSubmitted(db());
    const coordinator = await signIn(db(), COORDINATOR);
    const path = `/collections/${DECEMBER}/statistics`;
    const waiting = await run(() => publishLoader(routeArgs(get(path, coordinator), { code: DECEMBER }) as never));
    expect(waiting.kind === "data" && (waiting.data as { awaitingAcceptance: unknown[] }).awaitingAcceptance).toEqual([
      { code: "W06000011", name_en: "Swansea", name_cy: "Abertawe", amending: true },
    ]);
    const refused = await run(() => publishAction(routeArgs(post(path, { intent: "publish" }, coordinator), { code: DECEMBER }) as never));
    expect(refused).toMatchObject({ status: 409, data: { problem: "statistics.refused.notAccepted" } });
    expect(
      await db().selectFrom("statistics_publication").select("id").where("collection_id", "=", swansea.collection.id).execute(),
    ).toEqual([]);

    await db().updateTable("collection").set({ status: "open" }).where("code", "=", DECEMBER).execute();
    await submitAs(db(), DECEMBER, "W06000011", raw(7));
    await db().updateTable("collection").set({ status: "closed" }).where("code", "=", DECEMBER).execute();
    await acceptSubmitted(db());
    const published = await run(() =>
      publishAction(routeArgs(post(path, { intent: "publish" }, coordinator), { code: DECEMBER }) as never),
    );
    expect(published).toMatchObject({ status: 302, location: `${path}?saved=published` });
  });
});

describe("publishing and reopening a round at the same moment", () => {
  const db = useDemoDatabase();

  /** Whether a connection to the database comes to wait on a lock before `done` says what it watches has finished. */
  async function untilWaitingOnLock(done: () => boolean) {
    for (let waited = 0; !done(); waited += 20) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(db());
      if (rows[0]!.n > 0) return true;
      if (waited > 10_000) throw new Error("nothing waited on the round, and nothing finished");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  /** Runs `change` in a transaction that holds the round's lock, and lets it commit once `whileHeld` is waiting on it. */
  async function holdingTheRound(change: (trx: Transaction<Database>, id: number) => Promise<void>, whileHeld: () => Promise<unknown>) {
    const { id } = (await getCollection(db(), DECEMBER))!;
    let held!: () => void;
    let commit!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const committing = new Promise<void>((resolve) => (commit = resolve));
    const holder = db()
      .transaction()
      .execute(async (trx) => {
        await lockRound(trx, id);
        await change(trx, id);
        held();
        await committing;
      });
    await holding;
    const waiting = whileHeld();
    try {
      // Until the other request is queued behind the lock: then it has read all it reads before it.
      expect(await untilWaitingOnLock(() => false)).toBe(true);
    } finally {
      commit();
      await holder;
    }
    return waiting;
  }

  it("holds up no officer's save while the round is locked for a release", async () => {
    // A workbook for publication is planned with the round locked, for seconds on a large round:
    // an officer's first save, whose new return refers to the round, must not wait for it.
    const { id } = (await getCollection(db(), DECEMBER))!;
    await db()
      .transaction()
      .execute(async (trx) => {
        await lockRound(trx, id);
        let saved = false;
        const saving = submitAs(
          db(),
          DECEMBER,
          "W06000001",
          parentsReturn({ leavers: 40, parents: 5, mothers: 3, home: 5, removed: 0 }),
        ).then(() => {
          saved = true;
        });
        const waited = await untilWaitingOnLock(() => saved);
        expect(waited, "Anglesey's first save waited for the round's lock").toBe(false);
        await saving;
      });
  });

  it("does not publish a round being reopened", async () => {
    await db().updateTable("collection").set({ status: "closed" }).where("code", "=", DECEMBER).execute();
    const coordinator = await signIn(db(), COORDINATOR);
    const path = `/collections/${DECEMBER}/statistics`;
    const published = await holdingTheRound(
      async (trx, id) => {
        await trx.updateTable("collection").set({ status: "open" }).where("id", "=", id).execute();
      },
      () => run(() => publishAction(routeArgs(post(path, { intent: "publish" }, coordinator), { code: DECEMBER }) as never)),
    );
    expect(published).toMatchObject({ status: 409, data: { problem: "statistics.refused.notClosed" } });
    expect(await db().selectFrom("statistics_publication").select("id").execute()).toHaveLength(1); // February's only
  });

  it("does not reopen a round being published", async () => {
    await db().updateTable("collection").set({ status: "closed" }).where("code", "=", DECEMBER).execute();
    const coordinator = await signIn(db(), COORDINATOR);
    const path = `/collections/${DECEMBER}/status`;
    const reopened = await holdingTheRound(
      async (trx, id) => {
        await trx.insertInto("statistics_publication").values({ collection_id: id, published_by: null, figures: "{}" }).execute();
      },
      () =>
        run(() =>
          statusAction(routeArgs(post(path, { step: "reopen", reason: "A late return" }, coordinator), { code: DECEMBER }) as never),
        ),
    );
    expect(reopened).toMatchObject({ status: 409, data: { problem: "lifecycle.reopen.statisticsPublished" } });
    expect((await getCollection(db(), DECEMBER))!.status).toBe("closed");
  });
});

describe("a small count no plan can protect", () => {
  const db = useDemoDatabase();
  const portal = useInProcessPortal();

  it("refuses the workbook for publication and the statistics with a message naming it, and records nothing", async () => {
    // Cardiff's 3 parents were hidden with the Vale's 14 beside them, whose figures from their own
    // authority were not collected and from others were counted differently (14, published). The
    // Vale then gave its own as 0: 14 = 0 + 14 gives its parents away, the region's total gives
    // Cardiff's 3, and every other figure about them was published before. Nothing can be hidden.
    await submitAs(db(), DECEMBER, "W06000015", parentsReturn({ leavers: 40, parents: 3, mothers: 2, home: 3, removed: 0 }));
    const vale = (home: { state: string; number?: string; reason?: string }) => ({
      ...parentsReturn({ leavers: 60, parents: 14, mothers: 8, home: 0, removed: 0 }),
      care_experienced_parents_home_authority: home,
      care_experienced_parents_other_authority: { state: "reported", number: "14", countingNote: "Counted where the child was placed" },
    });
    await submitAs(db(), DECEMBER, "W06000014", vale({ state: "not_collected", reason: "Not recorded by placing authority" }));
    const coordinator = await signIn(db(), COORDINATOR);
    const collection = (await getCollection(db(), DECEMBER))!;
    const take = () =>
      takeForPublication(routeArgs(post(`/collections/${DECEMBER}/export.xlsx`, {}, coordinator), { code: DECEMBER }) as never);
    expect((await take()).status).toBe(200);
    expect((await take()).status).toBe(200);

    const theVale = { collection, authorityCode: "W06000014" };
    const amended = await amendReturn(db(), theVale, {
      basedOn: (await findReturn(db(), theVale))!.lock_version,
      reason: "Our own placements are 0",
      actor: SYSTEM_ACTOR,
    });
    expect(amended).toMatchObject({ ok: true });
    await submitAs(db(), DECEMBER, "W06000014", vale({ state: "reported", number: "0" }));
    const recorded = async () => ({
      releases: (await db().selectFrom("disclosure_release").select("id").where("collection_id", "=", collection.id).execute()).length,
      audits: (await db().selectFrom("audit_log").select("id").where("action", "like", "%publication%").execute()).length,
    });
    const before = await recorded();

    // The workbook: back to the collection page's form, which says which figure and why.
    const refused = await run(() => take());
    expect(refused).toMatchObject({ kind: "response", status: 302 });
    const location = (refused as { location: string }).location;
    expect(location).toMatch(new RegExp(`^/collections/${DECEMBER}\\?unprotectable=cell%3AW06000015%3A[a-z_]+#publication$`));
    const page = await run(() => collectionPage(routeArgs(get(location, coordinator), { code: DECEMBER }) as never));
    expect(page.kind === "data" && (page.data as { unprotectable: unknown }).unprotectable).toMatchObject({
      authority: { en: "Cardiff", cy: "Caerdydd" },
      region: null,
    });
    const html = await (await portal.page(get(location, coordinator))).text();
    expect(html).toContain("<title>Error: ");
    expect(html).toMatch(
      /<a href="#publication">Nothing was released: with the figures released before, this release would give away a small count, Cardiff&#x27;s figure for [^<]+, whatever else were hidden/,
    );
    expect(await recorded()).toEqual(before);

    // The statistics: refused with the same message, nothing published.
    await db().updateTable("collection").set({ status: "closed" }).where("id", "=", collection.id).execute();
    await acceptSubmitted(db());
    const path = `/collections/${DECEMBER}/statistics`;
    const publish = await run(() => publishAction(routeArgs(post(path, { intent: "publish" }, coordinator), { code: DECEMBER }) as never));
    expect(publish).toMatchObject({
      status: 409,
      data: { problem: "disclosure.refused.cannotProtect", figure: { authority: { en: "Cardiff", cy: "Caerdydd" } } },
    });
    expect(await db().selectFrom("statistics_publication").select("id").where("collection_id", "=", collection.id).execute()).toEqual([]);
    expect(await recorded()).toEqual(before);
  });
});
