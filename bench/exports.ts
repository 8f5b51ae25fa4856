/**
 * Exports, upload and import for npm run bench: wall time, peak memory and cells per second, each
 * beside its limit measured in the same run (exceljs's own streaming writer with no database).
 */
import { spawn } from "node:child_process";
import ExcelJS from "exceljs";
import { sql } from "kysely";
import { createDatabase } from "#db/connect.ts";
import { TIDY_COLUMNS } from "#app/spreadsheets/tidy-table.ts";
import { DEMO_PASSWORD } from "#seeds/demo.ts";
import { Client, field, rssKb, signIn } from "./load.ts";
import { startServer } from "./servers.ts";

/** The limit: exceljs's streaming writer writing `cells` plain cells, in a process of its own. */
function plainCells(rows: number, columns: number) {
  return new Promise<{ seconds: number; peakKb: number }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/plain-cells.ts", String(rows), String(columns)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out) as { seconds: number; peakKb: number }) : reject(new Error(`plain-cells exited ${code}`)),
    );
  });
}

async function timedDownload(url: string, cookie: string) {
  const t0 = performance.now();
  const response = await fetch(url, { headers: { Cookie: cookie } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
  return { seconds: (performance.now() - t0) / 1000, bytes };
}

export async function exportBenchmarks({
  url,
  coordinatorCookie,
  databaseUrl,
  run,
  server: serverOptions = {},
}: {
  url: string;
  coordinatorCookie: string;
  databaseUrl: string;
  /** Which run of the benchmark: each run imports into a collection of its own. */
  run: number;
  server?: Parameters<typeof startServer>[1];
}) {
  const db = createDatabase({ kind: "postgres", url: databaseUrl });
  try {
    // The Welsh Government workbook for one collection.
    const one = await timedDownload(`${url}/collections/history-2025-q4/export.xlsx`, coordinatorCookie);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(one.bytes.buffer as ExcelJS.Buffer);
    let workbookCells = 0;
    workbook.eachSheet((sheet) => sheet.eachRow((row) => (workbookCells += row.cellCount)));

    // The whole history, streamed, from a server started for it alone so its peak memory is the export's.
    const rowsRow = await sql<{ rows: number }>`
      select count(*)::int as rows from collection c join collection_item ci on ci.collection_id = c.id cross join authority a
      where c.status <> 'draft'`.execute(db);
    const tidyRows = rowsRow.rows[0]!.rows;
    const cells = (tidyRows + 1) * TIDY_COLUMNS.length;
    const server = await startServer({ url: databaseUrl }, serverOptions);
    const baselineKb = rssKb(server.pids[0]!, "VmHWM");
    const all = await timedDownload(`${server.url}/exports/all-collections.xlsx`, coordinatorCookie);
    const exportPeakKb = rssKb(server.pids[0]!, "VmHWM");
    await server.stop();
    const limit = await plainCells(tidyRows + 1, TIDY_COLUMNS.length);
    const exportRate = cells / all.seconds;
    const limitRate = cells / limit.seconds;

    // A full return uploaded as a template, and a bulk import of 22 authorities.
    const upload = await uploadBenchmark(url, databaseUrl, run);

    return {
      results: {
        workbook: { seconds: one.seconds, cells: workbookCells },
        history: { seconds: all.seconds, cells, cellsPerSecond: exportRate, peakRssKb: exportPeakKb, idleRssKb: baselineKb },
        limit: { seconds: limit.seconds, cellsPerSecond: limitRate, peakRssKb: limit.peakKb },
        upload,
      },
    };
  } finally {
    await db.destroy();
  }
}

async function uploadBenchmark(url: string, databaseUrl: string, run: number) {
  const client = new Client(url);
  const importCode = `bench-import-${run}`;
  const round = "2026-12-care-experienced-parents";
  // Neath Port Talbot: not among the authorities the save benchmark writes to.
  const officer = await signIn(client, "officer.neath-port-talbot@authorities.example", DEMO_PASSWORD);
  const templateResponse = await fetch(`${url}/returns/${round}/W06000012/template.xlsx`, { headers: { Cookie: officer } });
  const template = new ExcelJS.Workbook();
  await template.xlsx.load((await templateResponse.arrayBuffer()) as ExcelJS.Buffer);
  const sheet = template.worksheets.find((s) => s.name === "Return")!;
  sheet.eachRow((row, n) => {
    if (n > 1 && typeof row.getCell(1).value === "string" && String(row.getCell(1).value).includes("_")) {
      row.getCell(4).value = "A number";
      row.getCell(5).value = 0;
    }
  });
  const bytes = new Uint8Array(await template.xlsx.writeBuffer());
  const formHtml = await (await fetch(`${url}/returns/${round}/W06000012`, { headers: { Cookie: officer } })).text();
  const body = new FormData();
  body.set("csrf", field(formHtml, "csrf"));
  body.set("workbook", new Blob([bytes]), "return.xlsx");
  const t0 = performance.now();
  const uploaded = await fetch(`${url}/returns/${round}/W06000012/upload`, {
    method: "POST",
    body,
    redirect: "manual",
    headers: { Cookie: officer },
  });
  const uploadMs = performance.now() - t0;
  if (uploaded.status !== 302) throw new Error(`The upload was refused: ${uploaded.status}`);

  // The coordinator loads every authority's figures into a new open collection from one workbook.
  const db = createDatabase({ kind: "postgres", url: databaseUrl });
  const coordinator = await signIn(client, "coordinator@adss-cymru.example", DEMO_PASSWORD);
  try {
    const { id } = await db
      .insertInto("collection")
      .values({
        code: importCode,
        title_en: "Bench import",
        title_cy: "Mewnforio meincnod",
        guidance_en: "",
        guidance_cy: "",
        reference_date: "2026-03-31",
        opens_on: "2026-04-01",
        due_on: "2026-04-30",
        status: "open",
        rules: "{}",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("collection_item")
      .values([
        { collection_id: id, item_code: "care_leavers_21_25", position: 1, required: true },
        { collection_id: id, item_code: "care_experienced_parents", position: 2, required: true },
      ])
      .execute();
    const authorities = await db.selectFrom("authority").select("code").execute();
    const book = new ExcelJS.Workbook();
    const data = book.addWorksheet("Import");
    data.addRow([
      "authority",
      "item code",
      "state",
      "number",
      "reason",
      "age from",
      "age to",
      "reference date used",
      "other difference",
      "caveat",
    ]);
    for (const a of authorities) {
      data.addRow([a.code, "care_leavers_21_25", "reported", 100]);
      data.addRow([a.code, "care_experienced_parents", "not collected", null, "We do not record this."]);
    }
    const importBody = new FormData();
    const importPage = await (await fetch(`${url}/collections/${importCode}/import`, { headers: { Cookie: coordinator } })).text();
    importBody.set("csrf", field(importPage, "csrf"));
    importBody.set("workbook", new Blob([new Uint8Array(await book.xlsx.writeBuffer())]), "import.xlsx");
    const t1 = performance.now();
    const stored = await fetch(`${url}/collections/${importCode}/import`, {
      method: "POST",
      body: importBody,
      redirect: "manual",
      headers: { Cookie: coordinator },
    });
    const preview = stored.headers.get("Location");
    if (!preview) throw new Error(`The import upload was refused: ${stored.status}`);
    const previewHtml = await (await fetch(`${url}${preview}`, { headers: { Cookie: coordinator } })).text();
    const applied = await fetch(`${url}${preview}`, {
      method: "POST",
      body: new URLSearchParams({ csrf: field(previewHtml, "csrf") }),
      redirect: "manual",
      headers: { Cookie: coordinator, "Content-Type": "application/x-www-form-urlencoded" },
    });
    const importMs = performance.now() - t1;
    if (applied.status !== 302) throw new Error(`The import was refused: ${applied.status}`);
    const submitted = await db
      .selectFrom("return")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("collection_id", "=", id)
      .where("submitted_version", "is not", null)
      .executeTakeFirstOrThrow();
    if (Number(submitted.n) !== 22) throw new Error(`The import submitted ${submitted.n} returns, not 22`);
    return { uploadMs, importMs };
  } finally {
    client.close();
    await db.destroy();
  }
}
