import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { createDatabase } from "#db/connect.ts";
import { migrateToLatest } from "#db/migrator.ts";
import { seedReferenceData } from "#seeds/reference.ts";
import { seedDemoData } from "#seeds/demo.ts";
import { TEMPLATE_DATABASE, databaseUrl, testEngine } from "./engine.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** A PGlite data folder dump with the demo data, when the suite runs on PGlite. */
    pgliteDump: string | null;
  }
}

/** Builds the demo database once; every test file then starts from a copy of it. */
export default async function setup(project: TestProject) {
  const engine = testEngine();
  if (engine.kind === "postgres") {
    const admin = new pg.Client({ connectionString: engine.adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${TEMPLATE_DATABASE}`);
    await admin.query(`create database ${TEMPLATE_DATABASE}`);
    await admin.end();
    const db = createDatabase({ kind: "postgres", url: databaseUrl(engine.adminUrl, TEMPLATE_DATABASE) });
    await migrateToLatest(db);
    await seedReferenceData(db);
    await seedDemoData(db);
    await db.destroy();
    project.provide("pgliteDump", null);
    return;
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const folder = mkdtempSync(join(tmpdir(), "portal-test-"));
  const db = createDatabase({ kind: "pglite", dataDir: join(folder, "template") });
  await migrateToLatest(db);
  await seedReferenceData(db);
  await seedDemoData(db);
  await db.destroy();
  const pglite = await PGlite.create(join(folder, "template"));
  const dump = join(folder, "template.tar.gz");
  writeFileSync(dump, Buffer.from(await (await pglite.dumpDataDir("gzip")).arrayBuffer()));
  await pglite.close();
  project.provide("pgliteDump", dump);
  return () => rmSync(folder, { recursive: true, force: true });
}
