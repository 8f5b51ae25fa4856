import { sql, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  // A single-use link to set a password is an invitation or, for an account that has one, a
  // forgotten-password link: one table, one page, one set of password rules. A link is revoked when
  // a newer one of its account replaces it (an invitation sent again, a second reset asked for).
  await db.schema
    .alterTable("invitation")
    .addColumn("purpose", "text", (c) => c.notNull().defaultTo("invitation").check(sql`purpose in ('invitation', 'password_reset')`))
    .addColumn("revoked_at", "timestamptz")
    .execute();
  await db.schema.createIndex("invitation_user").on("invitation").columns(["user_id", "created_at"]).execute();

  // Forgotten-password requests, counted per email address typed (whether or not an account has
  // it) and per network address, like sign-in attempts.
  await db.schema
    .createTable("password_reset_request")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("address", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("password_reset_request_email").on("password_reset_request").columns(["email", "at"]).execute();
  await db.schema.createIndex("password_reset_request_address").on("password_reset_request").columns(["address", "at"]).execute();

  await sql`alter table outbox drop constraint outbox_kind_check`.execute(db);
  await sql`alter table outbox add constraint outbox_kind_check
    check (kind in ('reminder_due', 'reminder_overdue', 'chase', 'invitation', 'query', 'password_reset'))`.execute(db);

  // When the account last signed in, and the last change to whether it may (who, when, why), for
  // the accounts page; the audit log keeps every change.
  await db.schema
    .alterTable("app_user")
    .addColumn("last_signed_in_at", "timestamptz")
    .addColumn("active_changed_at", "timestamptz")
    .addColumn("active_changed_by", "integer", (c) => c.references("app_user.id"))
    .addColumn("active_change_reason", "text", (c) => c.check(sql`length(active_change_reason) <= 1000`))
    .execute();

  // What a person sees of their sessions: where and on what it began, and when it was last used.
  await db.schema
    .alterTable("session")
    .addColumn("address", "text")
    .addColumn("user_agent", "text", (c) => c.check(sql`length(user_agent) <= 512`))
    .addColumn("last_used_at", "timestamptz")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("session").dropColumn("address").dropColumn("user_agent").dropColumn("last_used_at").execute();
  await db.schema
    .alterTable("app_user")
    .dropColumn("last_signed_in_at")
    .dropColumn("active_changed_at")
    .dropColumn("active_changed_by")
    .dropColumn("active_change_reason")
    .execute();
  await sql`delete from outbox where kind = 'password_reset'`.execute(db);
  await sql`alter table outbox drop constraint outbox_kind_check`.execute(db);
  await sql`alter table outbox add constraint outbox_kind_check
    check (kind in ('reminder_due', 'reminder_overdue', 'chase', 'invitation', 'query'))`.execute(db);
  await db.schema.dropTable("password_reset_request").execute();
  await db.schema.dropIndex("invitation_user").execute();
  await sql`delete from invitation where purpose = 'password_reset'`.execute(db);
  await db.schema.alterTable("invitation").dropColumn("purpose").dropColumn("revoked_at").execute();
}
