import type { Kysely } from "kysely";
import { createDatabase, targetFromEnv } from "#db/connect.ts";
import { migrateToLatest } from "#db/migrator.ts";
import type { Database } from "#db/types.ts";
import { seedReferenceData } from "#seeds/reference.ts";
import { seedDemoData } from "#seeds/demo.ts";

interface Portal {
  db: Kysely<Database>;
  ready: Promise<void>;
}

declare global {
  // One instance per process, kept across `remix dev` rebuilds of this module.
  var __portalDatabase: Portal | undefined;
}

/**
 * Migrates on start. The embedded database fills itself with the demo data the first time, so a
 * newcomer's `npm start` shows something true; a PostgreSQL deployment gets demo data only when
 * asked (SEED_DEMO_DATA=true or `npm run db:seed -- --demo`).
 */
async function prepare(db: Kysely<Database>, embedded: boolean) {
  await migrateToLatest(db);
  const hasAuthorities = await db.selectFrom("authority").select("code").limit(1).executeTakeFirst();
  if (hasAuthorities) return;
  await seedReferenceData(db);
  if (embedded || process.env.SEED_DEMO_DATA === "true") await seedDemoData(db);
}

function open(): Portal {
  const target = targetFromEnv();
  const db = createDatabase(target);
  const ready = prepare(db, target.kind === "pglite");
  // Keep an unhandled failure from crashing the process before a request can report it.
  ready.catch(() => {});
  return { db, ready };
}

function portal() {
  globalThis.__portalDatabase ??= open();
  return globalThis.__portalDatabase;
}

/** The process's database, migrated and ready. */
export async function getDb(): Promise<Kysely<Database>> {
  const { db, ready } = portal();
  await ready;
  return db;
}

/**
 * Closes the process's database: the pool, or the embedded database, which must be closed cleanly
 * or the next start finds an unclean data folder. The server calls it last when it shuts down.
 */
export async function closeDb() {
  const current = globalThis.__portalDatabase;
  globalThis.__portalDatabase = undefined;
  await current?.db.destroy();
}
