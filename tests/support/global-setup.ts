import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { createDatabase } from "#db/connect.ts";
import { migrateToLatest } from "#db/migrator.ts";
import { seedReferenceData } from "#seeds/reference.ts";
import { seedDemoData } from "#seeds/demo.ts";
import { databaseUrl, testEngine } from "./engine.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** A PGlite data folder dump with the demo data, when the suite runs on PGlite. */
    pgliteDump: string | null;
    /** The PostgreSQL database every test file copies, named for this run so that runs side by side do not collide. */
    templateDatabase: string | null;
  }
}

/** Builds the demo database once; every test file then starts from a copy of it. */
export default async function setup(project: TestProject) {
  const engine = testEngine();
  if (engine.kind === "postgres") {
    const template = `portal_test_template_${process.pid}`;
    const admin = async (text: string) => {
      const client = new pg.Client({ connectionString: engine.adminUrl });
      await client.connect();
      await client.query(text).finally(() => client.end());
    };
    await admin(`drop database if exists ${template}`);
    await admin(`create database ${template}`);
    const db = createDatabase({ kind: "postgres", url: databaseUrl(engine.adminUrl, template) });
    await migrateToLatest(db);
    await seedReferenceData(db);
    await seedDemoData(db);
    await db.destroy();
    project.provide("pgliteDump", null);
    project.provide("templateDatabase", template);
    return () => admin(`drop database if exists ${template} with (force)`);
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
  project.provide("templateDatabase", null);
  return () => rmSync(folder, { recursive: true, force: true });
}
