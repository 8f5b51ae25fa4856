import { sql, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  // When and who, set by the database (issue 12, item 7): `at` is the moment the row is written,
  // whatever the insert says, and the actor is the one the transaction declared in the setting
  // portal.actor_user_id (set by recordAudit); an insert that names another actor is refused.
  await sql`
    create function audit_log_stamp() returns trigger language plpgsql as $$
    declare
      declared integer := nullif(current_setting('portal.actor_user_id', true), '')::integer;
    begin
      if new.actor_user_id is not null and new.actor_user_id is distinct from declared then
        raise exception 'audit_log: the actor % is not the one this transaction declared (%)', new.actor_user_id, coalesce(declared::text, 'none')
          using errcode = 'insufficient_privilege';
      end if;
      new.actor_user_id := declared;
      new.at := clock_timestamp();
      return new;
    end
    $$`.execute(db);
  await sql`create trigger audit_log_stamp before insert on audit_log for each row execute function audit_log_stamp()`.execute(db);

  // The chain: each row's seal holds the SHA-256 of the row's content and of the seal before it.
  // Rows are sealed at commit, one transaction at a time (an advisory lock held for the commit
  // only), so the chain is linear in commit order and no transaction holds a global lock while it
  // works (which could deadlock with the row locks of another). Seals are append-only like the log,
  // and written only by the sealing function (the application role may read them).
  await db.schema
    .createTable("audit_seal")
    .addColumn("seq", "bigserial", (c) => c.primaryKey())
    .addColumn("audit_id", "bigint", (c) => c.notNull().unique())
    .addColumn("prev_hash", "text")
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();
  await sql`create trigger audit_seal_no_update_or_delete before update or delete on audit_seal
    for each row execute function audit_log_is_append_only()`.execute(db);
  await sql`create trigger audit_seal_no_truncate before truncate on audit_seal
    for each statement execute function audit_log_is_append_only()`.execute(db);

  // The content hashed: every column, in a fixed order, as JSON (null and "" differ), the time in UTC.
  await sql`
    create function audit_log_hash(prev_hash text, a audit_log) returns text language sql stable as $$
      select encode(sha256(convert_to(jsonb_build_array(
        prev_hash, a.id, to_char(a.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), a.actor_user_id, a.action,
        a.entity, a.entity_key, a.authority_code, a.before, a.after, a.reason)::text, 'UTF8')), 'hex')
    $$`.execute(db);
  await sql`
    create function audit_log_seal() returns trigger language plpgsql security definer set search_path = public, pg_temp as $$
    declare
      prev text;
    begin
      perform pg_advisory_xact_lock(41714);
      select hash into prev from audit_seal order by seq desc limit 1;
      insert into audit_seal (audit_id, prev_hash, hash) values (new.id, prev, audit_log_hash(prev, new));
      return null;
    end
    $$`.execute(db);
  await sql`revoke all on function audit_log_seal() from public`.execute(db);

  // The rows already written are sealed now, in the order they were written.
  await sql`
    do $$
    declare
      r audit_log;
      prev text;
      next text;
    begin
      for r in select * from audit_log order by id loop
        next := audit_log_hash(prev, r);
        insert into audit_seal (audit_id, prev_hash, hash) values (r.id, prev, next);
        prev := next;
      end loop;
    end
    $$`.execute(db);
  await sql`create constraint trigger audit_log_seal after insert on audit_log deferrable initially deferred
    for each row execute function audit_log_seal()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger audit_log_seal on audit_log`.execute(db);
  await sql`drop function audit_log_seal()`.execute(db);
  await sql`drop function audit_log_hash(text, audit_log)`.execute(db);
  await db.schema.dropTable("audit_seal").execute();
  await sql`drop trigger audit_log_stamp on audit_log`.execute(db);
  await sql`drop function audit_log_stamp()`.execute(db);
}
