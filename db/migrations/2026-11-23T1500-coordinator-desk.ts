import { sql, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("return")
    .addColumn("accepted_version", "integer")
    .addColumn("accepted_at", "timestamptz")
    .addColumn("accepted_by", "integer", (c) => c.references("app_user.id"))
    .execute();
  await sql`alter table return add constraint return_accepted_is_submitted
    check (status <> 'accepted' or accepted_version = submitted_version)`.execute(db);

  await db.schema
    .alterTable("collection")
    .addColumn("officers_may_compare", "boolean", (c) => c.notNull().defaultTo(false))
    .execute();

  // A coordinator's question about one value of a submitted return, and the thread that follows.
  await db.schema
    .createTable("value_query")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("return_id", "integer", (c) => c.notNull().references("return.id"))
    .addColumn("item_code", "text", (c) => c.notNull().references("data_item.code"))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("open").check(sql`status in ('open', 'resolved')`))
    .addColumn("raised_by", "integer", (c) => c.notNull().references("app_user.id"))
    .addColumn("raised_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("resolved_by", "integer", (c) => c.references("app_user.id"))
    .addColumn("resolved_at", "timestamptz")
    .addCheckConstraint("value_query_resolved", sql`(status = 'resolved') = (resolved_at is not null)`)
    .execute();
  await db.schema.createIndex("value_query_return").on("value_query").columns(["return_id", "status"]).execute();

  await db.schema
    .createTable("value_query_message")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("query_id", "integer", (c) => c.notNull().references("value_query.id"))
    .addColumn("author_id", "integer", (c) => c.notNull().references("app_user.id"))
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("body", "text", (c) => c.notNull().check(sql`btrim(body) <> '' and length(body) <= 2000`))
    .execute();
  await db.schema.createIndex("value_query_message_query").on("value_query_message").columns(["query_id"]).execute();

  // Emails waiting to be sent (or shown on the outbox page when no SMTP server is configured).
  await db.schema
    .createTable("outbox")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('reminder_due', 'reminder_overdue', 'chase', 'invitation', 'query')`))
    .addColumn("to_email", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("collection_id", "integer", (c) => c.references("collection.id"))
    .addColumn("authority_code", "text", (c) => c.references("authority.code"))
    // One reminder of a kind per recipient per collection per day, however many instances compose them.
    .addColumn("dedupe_key", "text", (c) => c.unique())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("sent_at", "timestamptz")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .execute();
  await db.schema.createIndex("outbox_unsent").on("outbox").columns(["sent_at", "id"]).execute();

  // A single-use, expiring link with which an invited person sets their password.
  await db.schema
    .createTable("invitation")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("app_user.id"))
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_by", "integer", (c) => c.references("app_user.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("used_at", "timestamptz")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("invitation").execute();
  await db.schema.dropTable("outbox").execute();
  await db.schema.dropTable("value_query_message").execute();
  await db.schema.dropTable("value_query").execute();
  await db.schema.alterTable("collection").dropColumn("officers_may_compare").execute();
  await sql`alter table return drop constraint return_accepted_is_submitted`.execute(db);
  await db.schema.alterTable("return").dropColumn("accepted_version").dropColumn("accepted_at").dropColumn("accepted_by").execute();
}
