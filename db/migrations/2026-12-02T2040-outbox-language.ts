import { sql, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  // The one language an email is written in, when the recipient chose one; null for an email in
  // Welsh and English. The outbox page marks each email's words with it, so a screen reader reads
  // an English email in English on a Welsh page.
  await db.schema
    .alterTable("outbox")
    .addColumn("language", "text", (col) => col.check(sql`language in ('cy', 'en')`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("outbox").dropColumn("language").execute();
}
