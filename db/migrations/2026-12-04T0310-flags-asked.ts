import type { Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  // The automatic flags the officer's checks raised when they submitted, each of which they had to
  // explain: [{ itemCode, kind }]. The coordinator's review reads them, since the checks' basis
  // moves on after (decision 019). Null: submitted before it was kept.
  await db.schema.alterTable("return_version").addColumn("flags_asked", "jsonb").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("return_version").dropColumn("flags_asked").execute();
}
