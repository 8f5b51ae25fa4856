/**
 * npm run bench: the portal against its own limits, on the machine's PostgreSQL, with production
 * builds. Every figure is a ratio of two measurements taken side by side (interleaved) in the
 * same run, and the whole set is measured `--runs` times (3 by default) to show its spread.
 * Nothing here asserts a time. Writes bench/results.json and prints the goals table.
 *
 *   npm run bench [-- --runs 3 --samples 500]
 *   npm run bench -- --only exports    the history export and its limit alone, on a database of their own
 *   npm run bench -- --only views      each view's page ÷ all its SQL at ten years, on a database of their own
 *   npm run bench -- --only embedded   PGlite against PostgreSQL alone, on databases of their own
 *   npm run bench -- --only form       the form GET beside the signed-in floor, on a one-round database of its own
 *   npm run bench -- --only deadline   deadline day alone, on a ten-year database of its own
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sql, type Kysely } from "kysely";
import pg from "pg";
import { createDatabase } from "#db/connect.ts";
import type { Database } from "#db/types.ts";
import { migrateToLatest } from "#db/migrator.ts";
import { seedReferenceData } from "#seeds/reference.ts";
import { DECEMBER_2026, DEMO_PASSWORD, seedDemoData } from "#seeds/demo.ts";
import { nthOfficerEmail, OFFICERS_PER_AUTHORITY, seedHistory } from "#seeds/history.ts";
import { combine, cpuMs, expect, field, load, loadResult, rssKb, signIn, type Client, type LoadResult, type Step } from "./load.ts";
import { startServer, type Server } from "./servers.ts";
import { CANNOT } from "#app/web/return-form.ts";
import { recordSql, replay, shape, type Recording } from "./sql.ts";
import { exportBenchmarks } from "./exports.ts";
import { goalsTable, markdownTable, pageOverSql, type Goal, type RunFigures } from "./report.ts";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    samples: { type: "string", default: "500" },
    seconds: { type: "string", default: "4" },
    /** A folder: every server runs under `node --cpu-prof` and leaves its profile there. */
    profile: { type: "string" },
    /** One scenario alone, printed per run, on databases of its own: `exports`, `views`, `embedded`, `form` or `deadline`. */
    only: { type: "string" },
  },
});
const profileAs = (name: string) => (args.profile ? { profile: { dir: args.profile, name } } : {});
const RUNS = Number(args.runs);
const SAMPLES = Number(args.samples);
/** Each run takes its share of the samples; every figure pools all the runs' samples. */
const SAMPLES_PER_RUN = Math.ceil(SAMPLES / RUNS);
/** Length of one slice of an interleaved load measurement. */
const SLICE_SECONDS = Number(args.seconds);
/** Unmeasured load before a load measurement: connections opened, the server's code compiled. */
const WARM_UP_SECONDS = 2;
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const COORDINATOR = "coordinator@adss-cymru.example";
/** Open rounds like the demo's, so that on deadline day every connection saves a return of its own. */
const DEADLINE_ROUNDS = 10;
const deadlineRound = (n: number) => `deadline-day-${String(n + 1).padStart(2, "0")}`;
/**
 * Deadline day's floor "at the same load": people opening the lightest signed-in page while the
 * officers' loops run, each again a second after its answer. They make 6 to 8% of the requests
 * at 200 connections, 11 to 13% at 50.
 */
const FLOOR_PROBES = 20;
const FLOOR_PROBE_PAUSE_MS = 1000;

function databaseUrl(name: string) {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(text: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function seed(db: Kysely<Database>, rounds: number) {
  await migrateToLatest(db);
  await seedReferenceData(db);
  await seedDemoData(db);
  await seedHistory(db, { rounds });
  await sql`
    insert into collection (code, title_en, title_cy, guidance_en, guidance_cy, reference_date, opens_on, due_on, status, rules, denominator_code)
    select 'deadline-day-' || lpad(n::text, 2, '0'), title_en || ' (' || n || ')', title_cy || ' (' || n || ')', guidance_en, guidance_cy,
           reference_date, opens_on, due_on, status, rules, denominator_code
    from collection, generate_series(1, ${DEADLINE_ROUNDS}) n where code = ${DECEMBER_2026}`.execute(db);
  await sql`
    insert into collection_item (collection_id, item_code, position, required)
    select c.id, ci.item_code, ci.position, ci.required
    from collection c, collection_item ci join collection o on o.id = ci.collection_id and o.code = ${DECEMBER_2026}
    where c.code like 'deadline-day-%'`.execute(db);
  await sql`analyze`.execute(db);
}

async function preparePostgres(name: string, rounds: number) {
  await admin(`drop database if exists ${name} with (force)`);
  await admin(`create database ${name}`);
  const db = createDatabase({ kind: "postgres", url: databaseUrl(name) });
  try {
    await seed(db, rounds);
  } finally {
    await db.destroy();
  }
}

async function preparePglite(dir: string) {
  const db = createDatabase({ kind: "pglite", dataDir: dir });
  try {
    await seed(db, 1);
  } finally {
    await db.destroy();
  }
}

/** The 22 authorities' codes and English names, in code order. */
async function authorities(url: string) {
  const db = createDatabase({ kind: "postgres", url });
  try {
    return await db.selectFrom("authority").select(["code", "name_en"]).orderBy("code").execute();
  } finally {
    await db.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Views: each page at one round and at ten years, and its SQL, interleaved sample by sample.

const ITEM = "care_leavers_21_25";
const FORM_AUTHORITY = "W06000015"; // Cardiff: not among the authorities the load benchmarks write to
const VIEWS = {
  board: (code: string) => `/collections/${code}/board`,
  gaps: (code: string) => `/collections/${code}/gaps`,
  totals: (code: string) => `/collections/${code}`,
  item: (code: string) => `/collections/${code}/items/${ITEM}`,
  trend: () => `/items/${ITEM}`,
  form: () => `/returns/${DECEMBER_2026}/${FORM_AUTHORITY}`,
} as const;
type View = keyof typeof VIEWS;
type Age = "oneRound" | "tenYears";

interface ViewSeries {
  view: View;
  age: Age;
  kind: "page" | "sql";
  run: () => Promise<void>;
  pid?: number;
  times: number[];
  cpu: number;
}

interface ViewTarget {
  server: Server;
  db: Kysely<Database>;
  url: string;
  collection: string;
  coordinator: string;
  officer: string;
  sql: Partial<Record<View, Recording>>;
}

async function viewTarget(server: Server, name: string, collection: string, officerEmail: string): Promise<ViewTarget> {
  const url = databaseUrl(name);
  const target: ViewTarget = {
    server,
    url,
    db: createDatabase({ kind: "postgres", url }),
    collection,
    coordinator: await signIn(server.client, COORDINATOR, DEMO_PASSWORD),
    officer: await signIn(server.client, officerEmail, DEMO_PASSWORD),
    sql: {},
  };
  for (const view of Object.keys(VIEWS) as View[]) {
    target.sql[view] = await recordSql(url, VIEWS[view](collection), view === "form" ? target.officer : target.coordinator);
  }
  return target;
}

function viewSeries(targets: Partial<Record<Age, ViewTarget>>, views = Object.keys(VIEWS) as View[]): ViewSeries[] {
  const series: ViewSeries[] = [];
  for (const view of views) {
    for (const [age, t] of Object.entries(targets) as [Age, ViewTarget][]) {
      const path = VIEWS[view](t.collection);
      const cookie = view === "form" ? t.officer : t.coordinator;
      series.push({
        view,
        age,
        kind: "page",
        pid: t.server.pids[0],
        times: [],
        cpu: 0,
        run: async () => {
          expect(await t.server.client.request(path, { cookie }), 200, path);
        },
      });
      series.push({ view, age, kind: "sql", times: [], cpu: 0, run: () => replay(t.db, t.sql[view]!) });
    }
  }
  return series;
}

/** `samples` of every series, taken in turn (a rotating order), so noise falls on all alike. */
async function interleave(series: ViewSeries[], samples: number) {
  for (const s of series) {
    s.times = [];
    s.cpu = 0;
  }
  for (let i = 0; i < samples; i++) {
    for (let j = 0; j < series.length; j++) {
      const s = series[(i + j) % series.length]!;
      const cpu0 = s.pid ? cpuMs(s.pid) : 0;
      const t0 = performance.now();
      await s.run();
      s.times.push(performance.now() - t0);
      if (s.pid) s.cpu += cpuMs(s.pid) - cpu0;
    }
  }
  const out: Record<string, LoadResult> = {};
  for (const s of series) {
    const seconds = s.times.reduce((sum, t) => sum + t, 0) / 1000;
    out[`${s.view}.${s.age}.${s.kind}`] = loadResult({ seconds, errors: 0, cpuMs: s.cpu, peakRssKb: 0, times: { [s.kind]: s.times } });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Load: officers' loops.

interface Officer {
  cookie: string;
  authority: string;
}

/** GET the form, save it (a full save with the form's own lock version), follow the redirect. */
function officerLoop(client: Client, officerOf: (connection: number) => Officer & { round: string }): Step {
  return async (connection, time) => {
    const { cookie, authority, round } = officerOf(connection);
    const path = `/returns/${round}/${authority}`;
    let t0 = performance.now();
    const form = expect(await client.request(path, { cookie }), 200, "form");
    time("form", t0);
    const body = saveBody(field(form.body, "csrf"), Number(field(form.body, "lockVersion")), connection);
    t0 = performance.now();
    const saved = expect(await client.request(path, { method: "POST", cookie, form: body }), 302, "save");
    time("save", t0);
    t0 = performance.now();
    expect(await client.request(saved.headers.location!, { cookie }), 200, "saved form");
    time("saved form", t0);
  };
}

function saveBody(csrf: string, lockVersion: number, n: number) {
  const body = new URLSearchParams({ csrf, lockVersion: String(lockVersion), intent: "save" });
  const set = (code: string, values: Record<string, string>) => {
    for (const [k, v] of Object.entries(values)) body.set(`${code}.${k}`, v);
  };
  set("care_leavers_21_25", { state: "reported", number: String(100 + (n % 50)) });
  set("care_experienced_parents", { state: "reported", number: "10" });
  set("care_experienced_mothers", { state: "reported", number: "7" });
  set("care_experienced_fathers", { state: "reported", number: "3" });
  set("care_experienced_parents_child_removed", { cannot: CANNOT, state: "not_collected", reason: "We do not record this." });
  return body;
}

const floorStep =
  (client: Client, cookieOf: (connection: number) => string): Step =>
  async (connection, time) => {
    const t0 = performance.now();
    expect(await client.request("/accessibility", { cookie: cookieOf(connection) }), 200, "floor");
    time("floor", t0);
  };

/**
 * Measures each scenario in slices taken in turn (A B C A B C…), and adds up each scenario's
 * slices, so that whatever else the machine does falls on all of them alike. Each scenario first
 * runs unmeasured for WARM_UP_SECONDS: its connections opened (see deadlineDay) and its server's
 * code compiled, so that a fresh server is not measured cold.
 */
async function interleavedLoad(
  scenarios: Record<string, { connections: number; pids: () => number[]; step: Step }>,
  { slices = 3, seconds = SLICE_SECONDS } = {},
) {
  for (const s of Object.values(scenarios)) {
    await load({ connections: s.connections, seconds: WARM_UP_SECONDS, pids: s.pids(), step: s.step });
  }
  const parts: Record<string, LoadResult[]> = {};
  for (let i = 0; i < slices; i++) {
    for (const [name, s] of Object.entries(scenarios)) {
      const result = await load({ connections: s.connections, seconds, maxSeconds: seconds, pids: s.pids(), step: s.step });
      parts[name] = [...(parts[name] ?? []), result];
    }
  }
  return Object.fromEntries(Object.entries(parts).map(([name, results]) => [name, combine(results)]));
}

// ---------------------------------------------------------------------------------------------

interface Sessions {
  coordinator: string;
  /** officers[authority index][n]: the n-th officer of each authority, signed in. */
  officers: string[][];
}

async function signInAll(
  client: Client,
  names: { code: string; name_en: string }[],
  perAuthority = OFFICERS_PER_AUTHORITY,
): Promise<Sessions> {
  const officers: string[][] = [];
  for (const a of names) {
    const row: string[] = [];
    for (let n = 1; n <= perAuthority; n++) row.push(await signIn(client, nthOfficerEmail(a.name_en, n), DEMO_PASSWORD));
    officers.push(row);
  }
  return { coordinator: await signIn(client, COORDINATOR, DEMO_PASSWORD), officers };
}

async function main() {
  if (!existsSync("build/index.js")) throw new Error("No production build: run `npm run build` first (npm run bench does).");
  const started = performance.now();
  const loadBefore = loadavg();
  console.log("Preparing the databases: one round of history, ten years, and one round on PGlite…");
  const pgliteDir = mkdtempSync(join(tmpdir(), "portal-bench-pglite-"));
  await Promise.all([
    preparePostgres("portal_bench_one", 1),
    preparePostgres("portal_bench_ten", 40),
    preparePglite(join(pgliteDir, "data")),
  ]);
  const oneUrl = databaseUrl("portal_bench_one");
  const tenUrl = databaseUrl("portal_bench_ten");
  const names = await authorities(tenUrl);
  const codes = names.map((a) => a.code);
  const cardiff = names.find((a) => a.code === FORM_AUTHORITY)!.name_en;

  const servers: Server[] = [];
  const start = async (...a: Parameters<typeof startServer>) => {
    const s = await startServer(...a);
    servers.push(s);
    return s;
  };
  try {
    const one = await start({ url: oneUrl }, profileAs("one-round"));
    const ten = await start({ url: tenUrl }, profileAs("ten-years"));
    console.log("Recording each view's SQL…");
    const targets = {
      oneRound: await viewTarget(one, "portal_bench_one", "history-2016-q1", nthOfficerEmail(cardiff, 1)),
      tenYears: await viewTarget(ten, "portal_bench_ten", "history-2025-q4", nthOfficerEmail(cardiff, 1)),
    };
    const sqlCounts = Object.fromEntries(
      (["oneRound", "tenYears"] as const).map((age) => [
        age,
        Object.fromEntries(Object.entries(targets[age].sql).map(([view, recording]) => [view, shape(recording)])),
      ]),
    );
    const series = viewSeries(targets);
    console.log("Warming both servers and both databases alike…");
    await interleave(series, 30);
    const sessions = await signInAll(ten.client, names);
    const tenOfficer = (c: number): Officer => ({ cookie: sessions.officers[c % 22]![0]!, authority: codes[c % 22]! });
    const deadlineOfficer = deadlineOfficers(sessions, codes);

    const runs: RunFigures[] = [];
    for (let run = 1; run <= RUNS; run++) {
      console.log(`\nRun ${run} of ${RUNS}`);
      // Fresh statistics for every run, as autovacuum keeps them in service (it is off on this
      // machine's PostgreSQL): the runs before added returns and values, and with last run's
      // statistics the planner misjudged a collection's returns threefold and read all of
      // return_version_value for the gaps and totals (40 ms a query where 8 ms will do).
      await Promise.all(Object.values(targets).map((t) => sql`analyze`.execute(t.db)));
      console.log(`  views: ${SAMPLES_PER_RUN} samples of each page and of its SQL, at one round and at ten years…`);
      const views = await interleave(series, SAMPLES_PER_RUN);

      console.log("  load at 10 connections: the signed-in floor, the form and a full save…");
      // Each connection saves its own authority's return of the open round, carrying its lock version forward.
      const lock = await Promise.all(
        Array.from({ length: 10 }, async (_, c) => {
          const o = tenOfficer(c);
          const html = (await ten.client.request(`/returns/${DECEMBER_2026}/${o.authority}`, { cookie: o.cookie })).body;
          return { csrf: field(html, "csrf"), version: Number(field(html, "lockVersion")), n: 0 };
        }),
      );
      const web = await interleavedLoad({
        floor: { connections: 10, pids: () => ten.pids, step: floorStep(ten.client, (c) => tenOfficer(c).cookie) },
        form: {
          connections: 10,
          pids: () => ten.pids,
          step: async (c, time) => {
            const o = tenOfficer(c);
            const t0 = performance.now();
            expect(await ten.client.request(`/returns/${DECEMBER_2026}/${o.authority}`, { cookie: o.cookie }), 200, "form");
            time("form", t0);
          },
        },
        save: {
          connections: 10,
          pids: () => ten.pids,
          step: async (c, time) => {
            const o = tenOfficer(c);
            const s = lock[c]!;
            const t0 = performance.now();
            const body = saveBody(s.csrf, s.version, ++s.n);
            const reply = await ten.client.request(`/returns/${DECEMBER_2026}/${o.authority}`, {
              method: "POST",
              cookie: o.cookie,
              form: body,
            });
            expect(reply, 302, "save");
            s.version += 1;
            time("save", t0);
          },
        },
      });

      console.log("  deadline day: 22 authorities x 3 officers and the coordinator's board, at 50 and 200 connections…");
      const deadline = await deadlineDay(tenUrl, sessions, deadlineOfficer);

      console.log("  scale-out: two instances against one, on one PostgreSQL…");
      const scaleOut = await scaleOutBenchmark(tenUrl, deadlineOfficer);

      console.log("  PGlite against PostgreSQL, 10 users…");
      const embedded = await embeddedBenchmark(oneUrl, join(pgliteDir, "data"), names);

      console.log("  exports, upload and import…");
      const exports = await exportBenchmarks({
        url: ten.url,
        coordinatorCookie: sessions.coordinator,
        databaseUrl: tenUrl,
        run,
        server: profileAs(`history-export-${run}`),
      });
      runs.push({ views, web, deadline, scaleOut, embedded, exports: exports.results });
    }

    const goals: Goal[] = goalsTable(runs);
    const results = {
      at: new Date().toISOString(),
      minutes: (performance.now() - started) / 60_000,
      machine: { loadAverageBefore: loadBefore, loadAverageAfter: loadavg() },
      options: { runs: RUNS, samples: SAMPLES, sliceSeconds: SLICE_SECONDS },
      sqlStatements: sqlCounts,
      goals,
      runs,
    };
    // Every latency is kept while the benchmark runs, for pooling; the file keeps their percentiles.
    writeFileSync("bench/results.json", `${JSON.stringify(results, (key, value) => (key === "times" ? undefined : value), 2)}\n`);
    console.log(`\n${markdownTable(goals, RUNS)}`);
    console.log(`\n${results.minutes.toFixed(1)} minutes. Written to bench/results.json`);
    for (const t of Object.values(targets)) await t.db.destroy();
  } finally {
    for (const s of servers) await s.stop();
    rmSync(pgliteDir, { recursive: true, force: true });
  }
}

/** The officers of the deadline-day rounds: connection c plays officer (c / 22) % 3 of authority c % 22 in round c / 22. */
function deadlineOfficers(sessions: Sessions, codes: string[]) {
  return (c: number) => ({
    cookie: sessions.officers[c % 22]![Math.floor(c / 22) % OFFICERS_PER_AUTHORITY]!,
    authority: codes[c % 22]!,
    round: deadlineRound(Math.floor(c / 22) % DEADLINE_ROUNDS),
  });
}

/**
 * Deadline day on a server of its own (so its memory is the scenario's), at 50 and at 200
 * connections in turn: the signed-in floor alone at that many connections, then the officers' loops
 * with the coordinator's board every 3 s and the floor's probes among them.
 */
async function deadlineDay(url: string, sessions: Sessions, officerOf: (c: number) => Officer & { round: string }) {
  const server = await startServer({ url }, profileAs(`deadline-day-${Date.now()}`));
  try {
    const out: Record<string, { floor: LoadResult; day: LoadResult; rssHighWaterKb: number }> = {};
    for (const connections of [50, 200]) {
      // Every connection opened, and the server warmed, before anything is measured: a slice that
      // opens 150 connections at once keeps the last of them waiting seconds for their first answer
      // while the open ones are served again and again, and the floor's p95 was 0.6 s in one run
      // and 4.4 s in another. Officers arrive over minutes, not in one millisecond.
      await load({
        connections: connections + 1,
        seconds: WARM_UP_SECONDS,
        pids: server.pids,
        step: floorStep(server.client, (c) => officerOf(c).cookie),
      });
      const floor = await load({
        connections,
        seconds: SLICE_SECONDS * 2,
        minSamples: { floor: SAMPLES_PER_RUN },
        pids: server.pids,
        step: floorStep(server.client, (c) => officerOf(c).cookie),
      });
      const officers = officerLoop(server.client, officerOf);
      const board = `/collections/${DECEMBER_2026}/board`;
      const probe = floorStep(server.client, (c) => officerOf(c - connections - 1).cookie);
      const day = await load({
        connections: connections + 1 + FLOOR_PROBES,
        seconds: SLICE_SECONDS * 3,
        minSamples: { form: SAMPLES_PER_RUN, save: SAMPLES_PER_RUN, floor: SAMPLES_PER_RUN },
        pids: server.pids,
        step: async (c, time) => {
          if (c < connections) return officers(c, time);
          if (c > connections) {
            await probe(c, time);
            return new Promise((r) => setTimeout(r, FLOOR_PROBE_PAUSE_MS));
          }
          const t0 = performance.now();
          expect(await server.client.request(board, { cookie: sessions.coordinator }), 200, "board");
          time("board", t0);
          await new Promise((r) => setTimeout(r, Math.max(0, 3000 - (performance.now() - t0))));
        },
      });
      out[String(connections)] = { floor, day, rssHighWaterKb: server.pids.reduce((kb, pid) => kb + rssKb(pid, "VmHWM"), 0) };
    }
    return out;
  } finally {
    await server.stop();
  }
}

/** The officers' loop at 50 connections on one instance and on two (Node's cluster), in turn. */
async function scaleOutBenchmark(url: string, officerOf: (c: number) => Officer & { round: string }) {
  const single = await startServer({ url }, { instances: 1 });
  const double = await startServer({ url }, { instances: 2 });
  try {
    return await interleavedLoad(
      {
        one: { connections: 50, pids: () => single.pids, step: officerLoop(single.client, officerOf) },
        two: { connections: 50, pids: () => double.pids, step: officerLoop(double.client, officerOf) },
      },
      { slices: 2 },
    );
  } finally {
    await Promise.all([single.stop(), double.stop()]);
  }
}

/** The same data (one round) on PGlite and on PostgreSQL, 10 officers' loops each, in turn. */
async function embeddedBenchmark(url: string, pgliteDir: string, names: { code: string; name_en: string }[]) {
  const postgres = await startServer({ url });
  const pglite = await startServer({ pgliteDir }, profileAs(`pglite-${Date.now()}`));
  try {
    const tenOf = async (server: Server) => {
      const cookies = await Promise.all(names.slice(0, 10).map((a) => signIn(server.client, nthOfficerEmail(a.name_en, 1), DEMO_PASSWORD)));
      return (c: number) => ({ cookie: cookies[c]!, authority: names[c]!.code, round: deadlineRound(0) });
    };
    return await interleavedLoad(
      {
        postgres: { connections: 10, pids: () => postgres.pids, step: officerLoop(postgres.client, await tenOf(postgres)) },
        pglite: { connections: 10, pids: () => pglite.pids, step: officerLoop(pglite.client, await tenOf(pglite)) },
      },
      { slices: 2 },
    );
  } finally {
    await Promise.all([postgres.stop(), pglite.stop()]);
  }
}

/** The exports alone, on a ten-year database of their own (so that another bench's databases are left alone). */
async function exportsOnly() {
  const name = "portal_bench_exports";
  console.log("Preparing a database of ten years…");
  await preparePostgres(name, 40);
  const url = databaseUrl(name);
  const server = await startServer({ url });
  try {
    const coordinatorCookie = await signIn(server.client, COORDINATOR, DEMO_PASSWORD);
    for (let run = 1; run <= RUNS; run++) {
      const { results: r } = await exportBenchmarks({
        url: server.url,
        coordinatorCookie,
        databaseUrl: url,
        run,
        server: profileAs(`history-export-${run}`),
      });
      console.log(
        `Run ${run}: history export ÷ exceljs alone ${(r.history.cellsPerSecond / r.limit.cellsPerSecond).toFixed(2)}` +
          ` (${r.history.seconds.toFixed(2)} s, ${r.limit.seconds.toFixed(2)} s, ${r.history.cells} cells);` +
          ` peak RSS server ${(r.history.peakRssKb / 1024).toFixed(0)} MB (idle ${(r.history.idleRssKb / 1024).toFixed(0)} MB),` +
          ` exceljs alone ${(r.limit.peakRssKb / 1024).toFixed(0)} MB`,
      );
    }
  } finally {
    await server.stop();
  }
}

/** The views whose page ÷ SQL goal `--only views` measures: every view but the form, whose redesign is measured apart. */
const PAGES_OVER_SQL: View[] = ["board", "gaps", "totals", "item", "trend"];

/** Each view at ten years and all its SQL, interleaved, on a ten-year database of their own; page ÷ SQL per run and pooled. */
async function viewsOnly() {
  const name = "portal_bench_views";
  console.log("Preparing a database of ten years…");
  await preparePostgres(name, 40);
  const url = databaseUrl(name);
  const cardiff = (await authorities(url)).find((a) => a.code === FORM_AUTHORITY)!.name_en;
  const server = await startServer({ url }, profileAs("views"));
  try {
    const target = await viewTarget(server, name, "history-2025-q4", nthOfficerEmail(cardiff, 1));
    const series = viewSeries({ tenYears: target }, PAGES_OVER_SQL);
    await interleave(series, 30);
    const runs: RunFigures["views"][] = [];
    for (let run = 1; run <= RUNS; run++) {
      await sql`analyze`.execute(target.db);
      runs.push(await interleave(series, SAMPLES_PER_RUN));
      for (const view of PAGES_OVER_SQL) {
        const { value, figures } = pageOverSql(runs.at(-1)!, view);
        console.log(`Run ${run}: ${view} page ÷ SQL ${value.toFixed(2)} (${figures})`);
      }
    }
    const pooled = Object.fromEntries(Object.keys(runs[0]!).map((key) => [key, combine(runs.map((r) => r[key]!))]));
    for (const view of PAGES_OVER_SQL) {
      const { value, figures } = pageOverSql(pooled, view);
      console.log(`All runs: ${view} page ÷ SQL ${value.toFixed(2)} (${figures})`);
    }
    await target.db.destroy();
  } finally {
    await server.stop();
  }
}

/** PGlite against PostgreSQL alone, one round on each (databases of their own). */
async function embeddedOnly() {
  const name = "portal_bench_embedded";
  const pgliteDir = mkdtempSync(join(tmpdir(), "portal-bench-pglite-"));
  try {
    console.log("Preparing one round on PostgreSQL and on PGlite…");
    await Promise.all([preparePostgres(name, 1), preparePglite(join(pgliteDir, "data"))]);
    const url = databaseUrl(name);
    const names = await authorities(url);
    for (let run = 1; run <= RUNS; run++) {
      const { pglite, postgres } = await embeddedBenchmark(url, join(pgliteDir, "data"), names);
      console.log(
        `Run ${run}: PGlite ÷ PostgreSQL ${(pglite!.rps / postgres!.rps).toFixed(2)};` +
          ` PGlite ${pglite!.rps.toFixed(0)} req/s, CPU ${pglite!.cpuMsPerRequest.toFixed(1)} ms/req;` +
          ` PostgreSQL ${postgres!.rps.toFixed(0)} req/s, CPU ${postgres!.cpuMsPerRequest.toFixed(1)} ms/req`,
      );
    }
  } finally {
    rmSync(pgliteDir, { recursive: true, force: true });
  }
}

/**
 * The form GET beside the signed-in floor (10 connections each, in turn), on a one-round database
 * of its own, and what the page weighs: each run's form ÷ floor and Node CPU per request. The form
 * is Cardiff's, with a draft saved first.
 */
async function formOnly() {
  const name = "portal_bench_form";
  console.log("Preparing a database of one round…");
  await preparePostgres(name, 1);
  const url = databaseUrl(name);
  const server = await startServer({ url }, profileAs("form"));
  try {
    const officer = nthOfficerEmail((await authorities(url)).find((a) => a.code === FORM_AUTHORITY)!.name_en, 1);
    const cookie = await signIn(server.client, officer, DEMO_PASSWORD);
    const form = VIEWS.form();
    // A draft, as the form is on deadline day: saved once as the load benchmarks save it.
    const blank = expect(await server.client.request(form, { cookie }), 200, "form").body;
    const draft = saveBody(field(blank, "csrf"), Number(field(blank, "lockVersion")), 0);
    expect(await server.client.request(form, { method: "POST", cookie, form: draft }), 302, "save");
    const html = expect(await server.client.request(form, { cookie }), 200, "form").body;
    // The loader data Remix writes into the page for hydration (its context and turbo-stream chunks).
    const inline = [...html.matchAll(/<script[^>]*>(window\.__remixContext[\s\S]*?)<\/script>/g)].reduce(
      (n, m) => n + Buffer.byteLength(m[1]!),
      0,
    );
    const count = (re: RegExp) => html.match(re)?.length ?? 0;
    console.log(
      `The form page: ${(Buffer.byteLength(html) / 1000).toFixed(1)} KB, ${count(/<[a-z][\w-]*[\s>]/g)} elements,` +
        ` ${count(/<textarea[\s>]/g)} textareas, ${(inline / 1000).toFixed(1)} KB of inline data`,
    );
    const scenarios = {
      floor: { connections: 10, pids: () => server.pids, step: floorStep(server.client, () => cookie) },
      form: {
        connections: 10,
        pids: () => server.pids,
        step: async (_: number, time: (route: string, started: number) => void) => {
          const t0 = performance.now();
          expect(await server.client.request(form, { cookie }), 200, "form");
          time("form", t0);
        },
      },
    };
    for (let run = 1; run <= RUNS; run++) {
      const r = await interleavedLoad(scenarios);
      console.log(
        `Run ${run}: form ÷ floor ${(r.form!.rps / r.floor!.rps).toFixed(2)}` +
          ` (${r.form!.rps.toFixed(0)} and ${r.floor!.rps.toFixed(0)} requests/s);` +
          ` Node CPU per request: form ${r.form!.cpuMsPerRequest.toFixed(1)} ms, floor ${r.floor!.cpuMsPerRequest.toFixed(1)} ms;` +
          ` load average ${loadavg()[0]!.toFixed(2)}`,
      );
    }
  } finally {
    await server.stop();
  }
}

/** Deadline day alone, on a ten-year database of its own: each run's form and save p95 ÷ the floor's, at 50 and 200 connections. */
async function deadlineOnly() {
  const name = "portal_bench_deadline";
  console.log("Preparing a database of ten years…");
  await preparePostgres(name, 40);
  const url = databaseUrl(name);
  const names = await authorities(url);
  const server = await startServer({ url });
  let sessions: Sessions;
  try {
    sessions = await signInAll(server.client, names);
  } finally {
    await server.stop();
  }
  const officerOf = deadlineOfficers(
    sessions,
    names.map((a) => a.code),
  );
  for (let run = 1; run <= RUNS; run++) {
    const deadline = await deadlineDay(url, sessions, officerOf);
    for (const [connections, { floor, day, rssHighWaterKb }] of Object.entries(deadline)) {
      const p95 = (result: LoadResult, route: string) => result.routes[route]!.p95;
      console.log(
        `Run ${run}, ${connections} connections: form ÷ floor ${(p95(day, "form") / p95(day, "floor")).toFixed(2)},` +
          ` save ÷ floor ${(p95(day, "save") / p95(day, "floor")).toFixed(2)}` +
          ` (p95 form ${p95(day, "form").toFixed(0)} ms, save ${p95(day, "save").toFixed(0)} ms, floor ${p95(day, "floor").toFixed(0)} ms);` +
          ` beside the floor alone ${(p95(day, "form") / p95(floor, "floor")).toFixed(2)} and ${(p95(day, "save") / p95(floor, "floor")).toFixed(2)}` +
          ` (its p95 ${p95(floor, "floor").toFixed(0)} ms);` +
          ` ${day.rps.toFixed(0)} req/s, CPU ${day.cpuMsPerRequest.toFixed(1)} ms/req (floor ${floor.cpuMsPerRequest.toFixed(1)});` +
          ` errors ${day.errors + floor.errors}; RSS peak ${(rssHighWaterKb / 1024).toFixed(0)} MB`,
      );
    }
  }
}

const ALONE: Record<string, () => Promise<void>> = {
  exports: exportsOnly,
  views: viewsOnly,
  embedded: embeddedOnly,
  form: formOnly,
  deadline: deadlineOnly,
};
if (args.only) {
  const scenario = ALONE[args.only];
  if (!scenario) throw new Error(`--only: the scenarios that can run alone are ${Object.keys(ALONE).join(", ")}, not "${args.only}"`);
  await scenario();
} else await main();
