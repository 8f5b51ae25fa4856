import { sql, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

const KINDS = sql.raw(
  ["query_raised", "query_reply", "return_accepted", "round_opened", "return_submitted", "amendment_submitted", "changed_after_acceptance"]
    .map((kind) => `'${kind}'`)
    .join(", "),
);

export async function up(db: Kysely<any>): Promise<void> {
  // What happened that a person should hear about: one row per person and event (the event key
  // makes writing it twice a no-op), written in the event's transaction. The words it names
  // (round, authority, item) are kept in both languages, so that the home page and the digest say
  // it in whichever language the person reads at the time.
  await db.schema
    .createTable("notification")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("app_user.id"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in (${KINDS})`))
    .addColumn("event_key", "text", (c) => c.notNull())
    .addColumn("link", "text", (c) => c.notNull().check(sql`link like '/%'`))
    .addColumn("words", "jsonb", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    // 'email': emailed at once; 'digest': waits for the person's daily digest, then digested_at is set.
    .addColumn("delivery", "text", (c) => c.notNull().check(sql`delivery in ('email', 'digest')`))
    .addColumn("digested_at", "timestamptz")
    .addUniqueConstraint("notification_event", ["user_id", "event_key"])
    .execute();
  await db.schema.createIndex("notification_user").on("notification").columns(["user_id", "created_at"]).execute();
  await sql`create index notification_digest_due on notification (user_id) where delivery = 'digest' and digested_at is null`.execute(db);

  // Each person's choice per kind; no row is "every email".
  await db.schema
    .createTable("notification_preference")
    .addColumn("user_id", "integer", (c) => c.notNull().references("app_user.id"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in (${KINDS})`))
    .addColumn("delivery", "text", (c) => c.notNull().check(sql`delivery in ('email', 'digest')`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("notification_preference_pkey", ["user_id", "kind"])
    .execute();

  await sql`alter table outbox drop constraint outbox_kind_check`.execute(db);
  await sql`alter table outbox add constraint outbox_kind_check
    check (kind in ('reminder_due', 'reminder_overdue', 'chase', 'invitation', 'query', 'password_reset', 'notification', 'digest'))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from outbox where kind in ('notification', 'digest')`.execute(db);
  await sql`alter table outbox drop constraint outbox_kind_check`.execute(db);
  await sql`alter table outbox add constraint outbox_kind_check
    check (kind in ('reminder_due', 'reminder_overdue', 'chase', 'invitation', 'query', 'password_reset'))`.execute(db);
  await db.schema.dropTable("notification_preference").execute();
  await db.schema.dropTable("notification").execute();
}
