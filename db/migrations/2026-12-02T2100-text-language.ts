import { sql, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

const LANGUAGE = sql`in ('en', 'cy')`;

export async function up(db: Kysely<any>): Promise<void> {
  // The language the words people typed are in (their interface language when they wrote them, or
  // as the seeds give it), so a page in the other language marks them with `lang` (WCAG 3.1.2).
  // Null: not known (an import's words, whatever the sheet held). A value's reason, counting note,
  // caveat and explanation are written together, on one form, by one person.
  for (const table of ["value", "return_version_value"]) {
    await db.schema
      .alterTable(table)
      .addColumn("text_lang", "text", (c) => c.check(sql`text_lang ${LANGUAGE}`))
      .execute();
  }
  await db.schema
    .alterTable("return_version")
    .addColumn("signed_off_lang", "text", (c) => c.check(sql`signed_off_lang ${LANGUAGE}`))
    .addColumn("amendment_reason_lang", "text", (c) => c.check(sql`amendment_reason_lang ${LANGUAGE}`))
    .execute();
  await db.schema
    .alterTable("return")
    .addColumn("amendment_reason_lang", "text", (c) => c.check(sql`amendment_reason_lang ${LANGUAGE}`))
    .execute();
  await db.schema
    .alterTable("value_query_message")
    .addColumn("lang", "text", (c) => c.check(sql`lang ${LANGUAGE}`))
    .execute();

  // What was written before: in its author's language as the account has it now, the best there
  // is; the portal's own loads (no author) were in English.
  await sql`update value set text_lang = coalesce((select language from app_user where id = value.updated_by), 'en')`.execute(db);
  await sql`
    update return_version_value v set text_lang = coalesce(
      (select u.language from return_version rv join app_user u on u.id = rv.submitted_by
        where rv.return_id = v.return_id and rv.version = v.version), 'en')`.execute(db);
  await sql`
    update return_version rv set
      signed_off_lang = coalesce((select language from app_user where id = rv.submitted_by), 'en'),
      amendment_reason_lang = case when rv.amendment_reason is null then null
        else coalesce((select language from app_user where id = rv.submitted_by), 'en') end`.execute(db);
  await sql`
    update value_query_message m set lang = (select language from app_user where id = m.author_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("value_query_message").dropColumn("lang").execute();
  await db.schema.alterTable("return").dropColumn("amendment_reason_lang").execute();
  await db.schema.alterTable("return_version").dropColumn("amendment_reason_lang").dropColumn("signed_off_lang").execute();
  for (const table of ["return_version_value", "value"]) {
    await db.schema.alterTable(table).dropColumn("text_lang").execute();
  }
}
