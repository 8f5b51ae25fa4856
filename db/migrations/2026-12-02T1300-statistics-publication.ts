import { sql, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  // Publishing a closed round's statistics (decision record 011): its own state, apart from the
  // round's lifecycle (draft -> open -> closed). A row is one publication: the figures as
  // published, already passed through the suppression plan (a [c] is stored as no number), so
  // the public pages and files can only ever show what was published. Unpublishing keeps the row,
  // with who, when and why; publishing again adds a new row.
  await db.schema
    .createTable("statistics_publication")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("collection_id", "integer", (c) => c.notNull().references("collection.id"))
    .addColumn("published_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("published_by", "integer", (c) => c.references("app_user.id"))
    .addColumn("figures", "jsonb", (c) => c.notNull())
    .addColumn("withdrawn_at", "timestamptz")
    .addColumn("withdrawn_by", "integer", (c) => c.references("app_user.id"))
    .addColumn("withdrawn_reason", "text", (c) => c.check(sql`length(withdrawn_reason) between 1 and 2000`))
    .addCheckConstraint("statistics_publication_withdrawn", sql`(withdrawn_at is null) = (withdrawn_reason is null)`)
    .execute();
  // At most one live publication of a round.
  await sql`create unique index statistics_publication_live on statistics_publication (collection_id) where withdrawn_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("statistics_publication").execute();
}
