import { sql, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  // Every release of a round's figures through the suppression plan: its published statistics and
  // each workbook for publication a coordinator or analyst takes away. A later release is planned
  // with all of them (decision 011), from the figures each was made from, kept here as they were.
  await db.schema
    .createTable("disclosure_release")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("collection_id", "integer", (c) => c.notNull().references("collection.id"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('statistics', 'workbook')`))
    .addColumn("released_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("released_by", "integer", (c) => c.references("app_user.id"))
    .addColumn("cells", "jsonb", (c) => c.notNull())
    .addColumn("hidden", "jsonb", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("disclosure_release_collection").on("disclosure_release").columns(["collection_id", "id"]).execute();
  // A release once made stays made: forgetting one would let a later plan give away what it hid.
  await sql`
    create function disclosure_release_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'disclosure_release is append-only: % is not allowed', tg_op;
    end $$`.execute(db);
  await sql`create trigger disclosure_release_no_update_or_delete before update or delete on disclosure_release
    for each row execute function disclosure_release_is_append_only()`.execute(db);
  await sql`create trigger disclosure_release_no_truncate before truncate on disclosure_release
    for each statement execute function disclosure_release_is_append_only()`.execute(db);

  // The statistics published so far, from the versions latest submitted when each was published.
  await sql`
    insert into disclosure_release (collection_id, kind, released_at, released_by, cells, hidden)
    select p.collection_id, 'statistics', p.published_at, p.published_by,
      coalesce((
        select jsonb_agg(jsonb_build_object(
          'authorityCode', r.authority_code, 'itemCode', v.item_code, 'state', v.state, 'number', v.number,
          'comparable', v.is_comparable) order by r.authority_code, v.item_code)
        from return r
        join return_version_value v on v.return_id = r.id
        where r.collection_id = p.collection_id
          and v.version = (select max(rv.version) from return_version rv where rv.return_id = r.id and rv.submitted_at <= p.published_at)
      ), '[]'::jsonb),
      (p.figures -> 'plan' -> 'cells') || (p.figures -> 'plan' -> 'totals')
    from statistics_publication p
    order by p.id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("disclosure_release").execute();
  await sql`drop function disclosure_release_is_append_only()`.execute(db);
}
