import { sql, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  // A workbook a coordinator uploaded for a bulk import, kept as uploaded: the preview and the
  // apply step both read these bytes, never anything the browser sends back. Kept after it is
  // applied, as the record of where the figures came from.
  await db.schema
    .createTable("import_upload")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("collection_id", "integer", (c) => c.notNull().references("collection.id"))
    .addColumn("uploaded_by", "integer", (c) => c.notNull().references("app_user.id"))
    .addColumn("uploaded_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("file_name", "text", (c) => c.notNull().check(sql`length(file_name) between 1 and 255`))
    .addColumn("bytes", "bytea", (c) => c.notNull().check(sql`octet_length(bytes) <= 2097152`))
    .addColumn("sha256", "text", (c) => c.notNull().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn("applied_at", "timestamptz")
    .addColumn("applied_by", "integer", (c) => c.references("app_user.id"))
    .addCheckConstraint("import_upload_applied", sql`(applied_at is null) = (applied_by is null)`)
    .execute();
  await db.schema.createIndex("import_upload_collection").on("import_upload").columns(["collection_id", "uploaded_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("import_upload").execute();
}
