/**
 * Backup and restore, as the README describes them. PostgreSQL: pg_dump of a database in use,
 * restored into a new database (the custom format with pg_restore, and plain SQL with psql),
 * compared table by table, row by row, with the audit log still append-only. PGlite: the data
 * folder copied while the database is closed, the copy opened and compared.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "#db/connect.ts";
import type { Database } from "#db/types.ts";
import { adminQuery, createTestDatabase, type TestDatabase } from "../support/database.ts";
import { databaseUrl, postgresFor } from "../support/engine.ts";
import { expectEveryValueAudited, pgliteDemoFolder, tableContents } from "../support/hardening.ts";
import { CLOSED_ROUND, marker, NEWPORT, OPEN_ROUND, saveAndSubmit, reopen, CARDIFF } from "./fixtures.ts";

const exec = promisify(execFile);
const postgres = postgresFor("the backup tests with pg_dump and pg_restore (PGlite's backup is tested)");

/** Some life in the database beyond the demo data: returns saved, submitted and amended, with their audit rows. */
async function changeThings(db: Kysely<Database>) {
  await saveAndSubmit(db, OPEN_ROUND, NEWPORT, 271, marker(NEWPORT));
  await saveAndSubmit(db, OPEN_ROUND, CARDIFF, 120, marker(CARDIFF));
  await reopen(db, OPEN_ROUND, CARDIFF);
}

async function sequences(db: Kysely<Database>) {
  const names = (
    await sql<{
      name: string;
    }>`select sequence_name as name from information_schema.sequences where sequence_schema = 'public' order by 1`.execute(db)
  ).rows;
  const values: Record<string, number> = {};
  for (const { name } of names) {
    values[name] = Number((await sql<{ v: string }>`select last_value as v from ${sql.table(name)}`.execute(db)).rows[0]!.v);
  }
  return values;
}

describe.skipIf(!postgres)("PostgreSQL: pg_dump, then pg_restore (or psql) into a new database", () => {
  let source: TestDatabase;
  const restored: string[] = [];
  const folder = mkdtempSync(join(tmpdir(), "portal-backup-"));
  const admin = (text: string) => adminQuery(postgres!, text);

  beforeAll(async () => {
    source = await createTestDatabase();
    await changeThings(source.db);
  });
  afterAll(async () => {
    await source?.destroy();
    for (const name of restored) await admin(`drop database if exists ${name} with (force)`);
    rmSync(folder, { recursive: true, force: true });
  });

  for (const format of ["custom", "plain"] as const) {
    it(`restores a ${format}-format dump to the same rows in every table, sequences and the append-only audit log included`, async () => {
      const from = source.env.DATABASE_URL!;
      const file = join(folder, `portal.${format === "custom" ? "dump" : "sql"}`);
      // As the README says: the dump of a database in use is consistent (one snapshot).
      await exec("pg_dump", ["--format", format, "--no-owner", "--file", file, from]);
      const name = `portal_restore_${process.pid}_${format}`;
      restored.push(name);
      await admin(`drop database if exists ${name}`);
      await admin(`create database ${name}`);
      const to = databaseUrl(postgres!, name);
      if (format === "custom") await exec("pg_restore", ["--no-owner", "--exit-on-error", "--dbname", to, file]);
      else await exec("psql", ["-v", "ON_ERROR_STOP=1", "-q", "--dbname", to, "--file", file]);
      const copy = createDatabase({ kind: "postgres", url: to });
      try {
        const [original, restoredRows] = [await tableContents(source.db), await tableContents(copy)];
        expect(Object.keys(restoredRows)).toEqual(Object.keys(original));
        for (const table of Object.keys(original)) expect(restoredRows[table], table).toEqual(original[table]);
        expect(original.audit_log!.length).toBeGreaterThan(100);
        expect(original.value!.some((row) => row.includes(marker(CARDIFF)))).toBe(true);
        expect(await sequences(copy)).toEqual(await sequences(source.db));
        // The restored database still refuses to rewrite its history, and goes on working.
        await expect(copy.updateTable("audit_log").set({ reason: "tampered" }).execute()).rejects.toThrow(/append-only/);
        await expect(copy.deleteFrom("audit_log").execute()).rejects.toThrow(/append-only/);
        await expectEveryValueAudited(copy);
        await copy.insertInto("audit_log").values({ action: "test.after_restore", entity: "test", entity_key: "1" }).execute();
      } finally {
        await copy.destroy();
      }
    });
  }
});

describe("PGlite: the data folder copied with the database closed", () => {
  let folder: string;
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "portal-pglite-backup-"));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("opens the copy, with the same rows in every table, and both go on independently", async () => {
    const dataDir = await pgliteDemoFolder(folder);
    const original = createDatabase({ kind: "pglite", dataDir });
    await changeThings(original);
    const before = await tableContents(original);
    // The server stopped (the database closed), as the README says, then the folder copied.
    await original.destroy();
    const copyDir = join(folder, "copy");
    cpSync(dataDir, copyDir, { recursive: true });
    const copy = createDatabase({ kind: "pglite", dataDir: copyDir });
    try {
      const after = await tableContents(copy);
      expect(Object.keys(after)).toEqual(Object.keys(before));
      for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
      expect(before.return!.length).toBeGreaterThan(15);
      await expectEveryValueAudited(copy);
      await expect(copy.deleteFrom("audit_log").execute()).rejects.toThrow(/append-only/);
      // The copy is a database of its own: a change to it leaves the original as it was.
      await copy.insertInto("audit_log").values({ action: "test.in_copy", entity: "test", entity_key: "1" }).execute();
    } finally {
      await copy.destroy();
    }
    const reopened = createDatabase({ kind: "pglite", dataDir });
    try {
      expect(await tableContents(reopened)).toEqual(before);
    } finally {
      await reopened.destroy();
    }
  }, 120_000);

  it("keeps the closed round it copied: a later change in the original is not in the backup", async () => {
    const dataDir = join(folder, "data");
    const copyDir = join(folder, "copy");
    const original = createDatabase({ kind: "pglite", dataDir });
    await original.updateTable("collection").set({ title_en: "Renamed after the backup" }).where("code", "=", CLOSED_ROUND).execute();
    await original.destroy();
    const copy = createDatabase({ kind: "pglite", dataDir: copyDir });
    try {
      const row = await copy.selectFrom("collection").select("title_en").where("code", "=", CLOSED_ROUND).executeTakeFirstOrThrow();
      expect(row.title_en).not.toBe("Renamed after the backup");
    } finally {
      await copy.destroy();
    }
  });
});
