import type { Kysely } from "kysely";
import { createDatabase, targetFromEnv } from "#db/connect.ts";
import { migrateToLatest } from "#db/migrator.ts";
import type { Database } from "#db/types.ts";

interface Portal {
  db: Kysely<Database>;
  ready: Promise<void>;
}

declare global {
  // One instance per process, kept across `remix dev` rebuilds of this module.
  var __portalDatabase: Portal | undefined;
}

/**
 * Migrates on start. Loading the reference and demo data into an empty database is the entry's
 * work (server.ts, with seeds/first-start.ts): the app does not depend on seeds.
 */
function open(): Portal {
  const db = createDatabase(targetFromEnv());
  const ready = migrateToLatest(db).then(() => {});
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
