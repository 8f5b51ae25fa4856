import { sql, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  // The language an admin's reason for deactivating or reactivating the account is in (their
  // interface language when they wrote it), so a page in the other language marks it with `lang`
  // (WCAG 3.1.2). Reasons given before it was kept: their author's language as the account has it now.
  await db.schema
    .alterTable("app_user")
    .addColumn("active_change_reason_lang", "text", (c) => c.check(sql`active_change_reason_lang in ('en', 'cy')`))
    .execute();
  await sql`
    update app_user u set active_change_reason_lang = (select language from app_user a where a.id = u.active_changed_by)
    where u.active_change_reason is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("app_user").dropColumn("active_change_reason_lang").execute();
}
