/**
 * npm run bench: measures the portal against its own limits, on the machine's PostgreSQL, with a
 * production build. Every figure is measured in this run beside the limit it is compared with, as
 * a ratio; nothing here asserts a time. Writes bench/results.json and prints a table.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import pg from "pg";
import { createDatabase } from "#db/connect.ts";
import { migrateToLatest } from "#db/migrator.ts";
import { seedReferenceData } from "#seeds/reference.ts";
import { seedDemoData, DEMO_PASSWORD, officerEmail } from "#seeds/demo.ts";
import { seedHistory } from "#seeds/history.ts";
import { authorityCells, coverageTotals, reasonGroups } from "#app/models/aggregation.server.ts";
import { listAuthorities } from "#app/models/authority.server.ts";
import { completenessBoard } from "#app/models/board.server.ts";
import { getCollection } from "#app/models/collection.server.ts";
import { readerFor } from "#app/auth/policy.server.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { load, timeSequential, type LoadResult } from "./load.ts";
import { exportBenchmarks } from "./exports.ts";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;
const OPEN_ROUND = "2026-12-care-experienced-parents";

function databaseUrl(name: string) {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function prepareDatabase(name: string, rounds: number) {
  await admin(`drop database if exists ${name} with (force)`);
  await admin(`create database ${name}`);
  const db = createDatabase({ kind: "postgres", url: databaseUrl(name) });
  await migrateToLatest(db);
  await seedReferenceData(db);
  await seedDemoData(db);
  await seedHistory(db, { rounds });
  return db;
}

async function freePort() {
  return new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startServer(database: string) {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl(database), PORT: String(port), NODE_ENV: "production", SESSION_SECRET: "bench" },
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("The server did not start");
}

const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? "";
const cookiesOf = (response: Response) => response.headers.getSetCookie().map((c) => c.split(";")[0]!);

async function signIn(url: string, email: string) {
  const page = await fetch(`${url}/login`);
  const csrfCookie = cookiesOf(page);
  const body = new URLSearchParams({ csrf: field(await page.text(), "csrf"), email, password: DEMO_PASSWORD, returnTo: "/" });
  const response = await fetch(`${url}/login`, {
    method: "POST",
    body,
    redirect: "manual",
    headers: { Cookie: csrfCookie.join("; "), "Content-Type": "application/x-www-form-urlencoded" },
  });
  const session = cookiesOf(response).find((c) => c.startsWith("__session="));
  if (!session) throw new Error(`Could not sign in ${email}`);
  return session;
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
  set("care_experienced_parents_child_removed", { state: "not_collected", "reason-not_collected": "We do not record this." });
  return body;
}

async function webBenchmarks(url: string, officerCookies: string[]) {
  const floor = await load(
    { connections: CONNECTIONS, seconds: SECONDS },
    async () => (await fetch(`${url}/accessibility`).then((r) => r.text().then(() => r.status))) === 200,
  );
  const formUrl = (i: number) => `${url}/returns/${OPEN_ROUND}/${AUTHORITIES[i]}`;
  const formGet = await load({ connections: CONNECTIONS, seconds: SECONDS }, async (i) => {
    const response = await fetch(formUrl(i), { headers: { Cookie: officerCookies[i]! } });
    await response.text();
    return response.status === 200;
  });
  // Each connection saves its own authority's return, carrying the lock version forward: every POST is a full save.
  const state = await Promise.all(
    officerCookies.map(async (cookie, i) => {
      const html = await (await fetch(formUrl(i), { headers: { Cookie: cookie } })).text();
      return { csrf: field(html, "csrf"), lockVersion: Number(field(html, "lockVersion")), n: 0 };
    }),
  );
  const save = await load({ connections: CONNECTIONS, seconds: SECONDS }, async (i) => {
    const s = state[i]!;
    const response = await fetch(formUrl(i), {
      method: "POST",
      body: saveBody(s.csrf, s.lockVersion, ++s.n),
      redirect: "manual",
      headers: { Cookie: officerCookies[i]!, "Content-Type": "application/x-www-form-urlencoded" },
    });
    await response.text();
    if (response.status !== 302) return false;
    s.lockVersion += 1;
    return true;
  });
  return { floor, formGet, save };
}

const AUTHORITIES = [
  "W06000001",
  "W06000002",
  "W06000003",
  "W06000004",
  "W06000005",
  "W06000006",
  "W06000008",
  "W06000009",
  "W06000010",
  "W06000011",
];

async function viewBenchmarks(url: string, coordinatorCookie: string, databaseName: string, collectionCode: string) {
  const db = createDatabase({ kind: "postgres", url: databaseUrl(databaseName) });
  try {
    const collection = (await getCollection(db, collectionCode))!;
    const reader = readerFor({ role: "coordinator", authorityCode: null });
    const page = (path: string) => () => fetch(`${url}${path}`, { headers: { Cookie: coordinatorCookie } }).then((r) => r.text());
    // "Its own SQL": every query the page's loader runs for the view, the collection's included.
    const runs = 100;
    const views = {
      board: {
        page: await timeSequential(runs, page(`/collections/${collectionCode}/board`)),
        sql: await timeSequential(runs, async () => {
          await getCollection(db, collectionCode);
          await completenessBoard(db, { collectionId: collection.id, today: todayInWales() });
        }),
      },
      gaps: {
        page: await timeSequential(runs, page(`/collections/${collectionCode}/gaps`)),
        sql: await timeSequential(runs, async () => {
          await getCollection(db, collectionCode);
          await Promise.all([
            coverageTotals(db, reader, collection.id),
            authorityCells(db, reader, collection.id),
            reasonGroups(db, reader, collection.id),
            listAuthorities(db),
          ]);
        }),
      },
      totals: {
        page: await timeSequential(runs, page(`/collections/${collectionCode}`)),
        sql: await timeSequential(runs, async () => {
          await getCollection(db, collectionCode);
          await Promise.all([coverageTotals(db, reader, collection.id), authorityCells(db, reader, collection.id), listAuthorities(db)]);
        }),
      },
    };
    return views;
  } finally {
    await db.destroy();
  }
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const ratio = (n: number) => n.toFixed(2);

async function main() {
  if (!existsSync("build/index.js")) throw new Error("No production build: run `npm run build` first (npm run bench does).");
  console.log("Preparing two databases: one round of history, and ten years…");
  const [one, ten] = await Promise.all([prepareDatabase("portal_bench_one", 1), prepareDatabase("portal_bench_ten", 40)]);
  await Promise.all([one.destroy(), ten.destroy()]);
  const servers = await Promise.all([startServer("portal_bench_one"), startServer("portal_bench_ten")]);
  try {
    const [oneServer, tenServer] = servers as [{ url: string }, { url: string }];
    const officerCookies = await Promise.all(
      AUTHORITIES.map(async (code) => {
        const name = (await listAuthoritiesByCode())[code]!;
        return signIn(tenServer.url, officerEmail(name));
      }),
    );
    console.log("Load: the floor, the return form and a full save, 10 connections…");
    const web = await webBenchmarks(tenServer.url, officerCookies);
    console.log("Views at one round and at ten years…");
    const views1 = await viewBenchmarks(
      oneServer.url,
      await signIn(oneServer.url, "coordinator@adss-cymru.example"),
      "portal_bench_one",
      "history-2016-q1",
    );
    const views10 = await viewBenchmarks(
      tenServer.url,
      await signIn(tenServer.url, "coordinator@adss-cymru.example"),
      "portal_bench_ten",
      "history-2025-q4",
    );
    console.log("Exports, upload and import…");
    const exports = await exportBenchmarks({
      url: tenServer.url,
      coordinatorCookie: await signIn(tenServer.url, "coordinator@adss-cymru.example"),
      databaseUrl: databaseUrl("portal_bench_ten"),
    });

    const rows: [string, string, string, string, string][] = [];
    const loadRow = (name: string, r: LoadResult, goal: number) => {
      const share = r.rps / web.floor.rps;
      rows.push([
        name,
        `${r.rps.toFixed(0)} req/s, p50 ${ms(r.p50)}, p95 ${ms(r.p95)}${r.errors ? `, ${r.errors} errors` : ""}`,
        `floor ${web.floor.rps.toFixed(0)} req/s`,
        ratio(share),
        share >= goal ? `met (>= ${goal})` : `MISSED (>= ${goal})`,
      ]);
    };
    loadRow("Return form page (GET)", web.formGet, 0.5);
    loadRow("Full save (POST)", web.save, 0.25);
    for (const view of ["board", "gaps", "totals"] as const) {
      const growth = views10[view].page.p95 / views1[view].page.p95;
      rows.push([
        `${view}: 10 years / 1 round (p95)`,
        `${ms(views10[view].page.p95)} / ${ms(views1[view].page.p95)}`,
        "1 round",
        ratio(growth),
        growth <= 1.5 ? "met (<= 1.5)" : "MISSED (<= 1.5)",
      ]);
      const overSql = views10[view].page.p95 / views10[view].sql.p95;
      rows.push([
        `${view}: page / its SQL (p95, 10 years)`,
        `${ms(views10[view].page.p95)} / ${ms(views10[view].sql.p95)}`,
        "its own SQL",
        ratio(overSql),
        overSql <= 3 ? "met (<= 3)" : "MISSED (<= 3)",
      ]);
    }
    rows.push(...exports.rows);
    const results = {
      at: new Date().toISOString(),
      seconds: SECONDS,
      connections: CONNECTIONS,
      web,
      views: { oneRound: views1, tenYears: views10 },
      exports: exports.results,
      table: rows,
    };
    writeFileSync("bench/results.json", `${JSON.stringify(results, null, 2)}\n`);
    const widths = [0, 1, 2, 3, 4].map((i) =>
      Math.max(...[["measure", "figure", "limit", "ratio", "goal"], ...rows].map((r) => r[i]!.length)),
    );
    const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
    console.log(line(["measure", "figure", "limit", "ratio", "goal"]));
    console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
    for (const r of rows) console.log(line(r));
    console.log("\nWritten to bench/results.json");
  } finally {
    for (const s of servers) s.child.kill("SIGTERM");
  }
}

let authorityNames: Record<string, string> | undefined;
async function listAuthoritiesByCode() {
  if (!authorityNames) {
    const db = createDatabase({ kind: "postgres", url: databaseUrl("portal_bench_ten") });
    authorityNames = Object.fromEntries(
      (await db.selectFrom("authority").select(["code", "name_en"]).execute()).map((a) => [a.code, a.name_en]),
    );
    await db.destroy();
  }
  return authorityNames;
}

await main();
