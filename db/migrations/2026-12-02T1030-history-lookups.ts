import type { Kysely } from "kysely";

/** The rounds that asked for an item, found by the item: the last-round hints read one round, not every year's. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("collection_item_item").on("collection_item").columns(["item_code", "collection_id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("collection_item_item").execute();
}
