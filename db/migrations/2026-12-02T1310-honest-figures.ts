import { sql, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  // A denominator's source is shown beside every rate, in the reader's language.
  await db.schema
    .alterTable("denominator")
    .addColumn("source_cy", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await sql`update denominator set source_cy = source where source_cy = ''`.execute(db);

  // Each item names the population its rates are per 10,000 of; none means the collection's.
  await db.schema
    .alterTable("data_item")
    .addColumn("denominator_code", "text", (c) => c.references("denominator.code"))
    .execute();

  // The words an authority actually replied with, for a value that came in as free text (a letter,
  // an email, a legacy spreadsheet), kept beside the structured value it was read as. One per
  // return and item; the language it was written in, so pages can mark it for screen readers.
  await db.schema
    .createTable("reply_text")
    .addColumn("return_id", "integer", (c) => c.notNull().references("return.id").onDelete("cascade"))
    .addColumn("item_code", "text", (c) => c.notNull().references("data_item.code"))
    .addColumn("text", "text", (c) => c.notNull().check(sql`length(btrim(text)) between 1 and 4000`))
    .addColumn("lang", "text", (c) => c.notNull().check(sql`lang in ('en', 'cy')`))
    .addColumn("received_on", "date", (c) => c.notNull())
    .addColumn("recorded_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("recorded_by", "integer", (c) => c.references("app_user.id"))
    .addPrimaryKeyConstraint("reply_text_pk", ["return_id", "item_code"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("reply_text").execute();
  await db.schema.alterTable("data_item").dropColumn("denominator_code").execute();
  await db.schema.alterTable("denominator").dropColumn("source_cy").execute();
}
