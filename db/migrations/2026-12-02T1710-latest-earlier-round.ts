import type { Kysely } from "kysely";

/**
 * Rounds by reference date, newest first: the last-round hints walk back from the round before
 * this one and stop at the first round with a figure, instead of reading every earlier year.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("collection_reference_date").on("collection").columns(["reference_date", "id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("collection_reference_date").execute();
}
