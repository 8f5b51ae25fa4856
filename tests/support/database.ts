import { readFileSync } from "node:fs";
import { sql, type Kysely } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { createDatabase } from "#db/connect.ts";
import type { Database } from "#db/types.ts";
import { databaseUrl, testEngine } from "./engine.ts";

let counter = 0;

export interface TestDatabase {
  db: Kysely<Database>;
  /** How a separate process (the server under test) reaches this database. */
  env: Record<string, string>;
  destroy(): Promise<void>;
}

/** Runs one statement as the PostgreSQL administrator (creating, dropping, closing databases). */
export async function adminQuery(adminUrl: string, text: string) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

/**
 * pg's pool resolves end() before its clients have finished disconnecting. Dropping the database
 * "with (force)" at that moment terminates them, and each reports the termination as an unhandled
 * error (57P01): so wait, briefly, until they have gone.
 */
async function waitForDisconnect(adminUrl: string, name: string) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const { rows } = await admin.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where datname = $1", [name]);
      if (rows[0]!.n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await admin.end();
  }
}

/**
 * A new database holding the demo data (the 22 authorities, the catalogue, the February 2023 round,
 * the open December 2026 round and the demo accounts), or an empty one with `empty: true`.
 * `dataDir` puts a PGlite database on disk, for a server process to open.
 */
export async function createTestDatabase({ empty = false, dataDir }: { empty?: boolean; dataDir?: string } = {}): Promise<TestDatabase> {
  const engine = testEngine();
  if (engine.kind === "postgres") {
    const name = `portal_test_${process.pid}_${++counter}`;
    await adminQuery(engine.adminUrl, `drop database if exists ${name}`);
    await adminQuery(engine.adminUrl, empty ? `create database ${name}` : `create database ${name} template ${inject("templateDatabase")}`);
    const url = databaseUrl(engine.adminUrl, name);
    const db = createDatabase({ kind: "postgres", url });
    return {
      db,
      env: { DATABASE_URL: url },
      async destroy() {
        await db.destroy();
        await waitForDisconnect(engine.adminUrl, name);
        await adminQuery(engine.adminUrl, `drop database if exists ${name} with (force)`);
      },
    };
  }
  const dump = inject("pgliteDump");
  const loadDataDir = empty || !dump ? undefined : new Blob([readFileSync(dump)]);
  const db = createDatabase({ kind: "pglite", dataDir: dataDir ?? "memory://", loadDataDir });
  if (dataDir) {
    // Written to disk and closed: the server under test opens it.
    await sql`select 1`.execute(db);
    await db.destroy();
  }
  return {
    db,
    env: dataDir ? { PGLITE_DATA_DIR: dataDir } : {},
    async destroy() {
      await db.destroy();
    },
  };
}

/**
 * For route tests: a fresh demo database for this test file, installed as the process's database,
 * so loaders and actions run against it exactly as they do in the portal.
 */
export function useDemoDatabase() {
  let test: TestDatabase | undefined;
  beforeAll(async () => {
    test = await createTestDatabase();
    globalThis.__portalDatabase = { db: test.db, ready: Promise.resolve() };
  });
  afterAll(async () => {
    globalThis.__portalDatabase = undefined;
    await test?.destroy();
  });
  return () => {
    if (!test) throw new Error("The test database is created in beforeAll");
    return test.db;
  };
}
