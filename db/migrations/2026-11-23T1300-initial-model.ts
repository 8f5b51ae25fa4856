import { sql, type CreateTableBuilder, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("region")
    .addColumn("code", "text", (c) => c.primaryKey().check(sql`code ~ '^[a-z]+(-[a-z]+)*$'`))
    .addColumn("name_en", "text", (c) => c.notNull())
    .addColumn("name_cy", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("authority")
    .addColumn("code", "text", (c) => c.primaryKey().check(sql`code ~ '^W06[0-9]{6}$'`))
    .addColumn("name_en", "text", (c) => c.notNull())
    .addColumn("name_cy", "text", (c) => c.notNull())
    .addColumn("region_code", "text", (c) => c.notNull().references("region.code"))
    .addColumn("aliases", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .execute();

  await db.schema
    .createTable("denominator")
    .addColumn("code", "text", (c) => c.primaryKey())
    .addColumn("label_en", "text", (c) => c.notNull())
    .addColumn("label_cy", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("year", "integer", (c) => c.notNull().check(sql`year between 1900 and 2200`))
    .execute();

  await db.schema
    .createTable("denominator_value")
    .addColumn("denominator_code", "text", (c) => c.notNull().references("denominator.code"))
    .addColumn("authority_code", "text", (c) => c.notNull().references("authority.code"))
    .addColumn("value", "integer", (c) => c.notNull().check(sql`value > 0`))
    .addPrimaryKeyConstraint("denominator_value_pk", ["denominator_code", "authority_code"])
    .execute();

  await db.schema
    .createTable("data_item")
    .addColumn("code", "text", (c) => c.primaryKey().check(sql`code ~ '^[a-z0-9]+(_[a-z0-9]+)*$'`))
    .addColumn("label_en", "text", (c) => c.notNull())
    .addColumn("label_cy", "text", (c) => c.notNull())
    .addColumn("definition_en", "text", (c) => c.notNull())
    .addColumn("definition_cy", "text", (c) => c.notNull())
    .addColumn("unit", "text", (c) => c.notNull().defaultTo("count").check(sql`unit in ('count')`))
    .addColumn("min_value", "integer", (c) => c.notNull().defaultTo(0).check(sql`min_value >= 0`))
    .addColumn("max_value", "integer")
    .addColumn("age_from", "integer", (c) => c.check(sql`age_from between 0 and 120`))
    .addColumn("age_to", "integer", (c) => c.check(sql`age_to between 0 and 120`))
    .addColumn("parent_code", "text", (c) => c.references("data_item.code"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("data_item_bounds", sql`max_value is null or max_value >= min_value`)
    .addCheckConstraint("data_item_age_band", sql`age_from is null or age_to is null or age_from <= age_to`)
    .addCheckConstraint("data_item_not_own_parent", sql`parent_code is distinct from code`)
    .execute();

  await db.schema
    .createTable("collection")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("code", "text", (c) => c.notNull().unique().check(sql`code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`))
    .addColumn("title_en", "text", (c) => c.notNull())
    .addColumn("title_cy", "text", (c) => c.notNull())
    .addColumn("guidance_en", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("guidance_cy", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("reference_date", "date", (c) => c.notNull())
    .addColumn("opens_on", "date", (c) => c.notNull())
    .addColumn("due_on", "date", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("draft").check(sql`status in ('draft', 'open', 'closed')`))
    .addColumn("rules", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("denominator_code", "text", (c) => c.references("denominator.code"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("collection_dates", sql`opens_on <= due_on`)
    .execute();

  await db.schema
    .createTable("collection_item")
    .addColumn("collection_id", "integer", (c) => c.notNull().references("collection.id").onDelete("cascade"))
    .addColumn("item_code", "text", (c) => c.notNull().references("data_item.code"))
    .addColumn("position", "integer", (c) => c.notNull().check(sql`position >= 1`))
    .addColumn("required", "boolean", (c) => c.notNull().defaultTo(true))
    .addPrimaryKeyConstraint("collection_item_pk", ["collection_id", "item_code"])
    .addUniqueConstraint("collection_item_position", ["collection_id", "position"])
    .execute();

  await db.schema
    .createTable("app_user")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("email", "text", (c) => c.notNull().check(sql`email = lower(email) and email like '%_@_%'`))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('officer', 'coordinator', 'analyst')`))
    .addColumn("is_admin", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("authority_code", "text", (c) => c.references("authority.code"))
    .addColumn("password_hash", "text")
    .addColumn("language", "text", (c) => c.notNull().defaultTo("en").check(sql`language in ('en', 'cy')`))
    .addColumn("active", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("app_user_email", ["email"])
    // An officer belongs to exactly one authority; nobody else belongs to one.
    .addCheckConstraint("app_user_officer_authority", sql`(role = 'officer') = (authority_code is not null)`)
    .execute();

  await db.schema
    .createTable("return")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("collection_id", "integer", (c) => c.notNull().references("collection.id"))
    .addColumn("authority_code", "text", (c) => c.notNull().references("authority.code"))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("draft").check(sql`status in ('draft', 'submitted', 'queried', 'accepted')`))
    .addColumn("lock_version", "integer", (c) => c.notNull().defaultTo(1).check(sql`lock_version >= 1`))
    .addColumn("submitted_version", "integer", (c) => c.check(sql`submitted_version >= 1`))
    .addColumn("amendment_reason", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("return_collection_authority", ["collection_id", "authority_code"])
    .addUniqueConstraint("return_id_collection", ["id", "collection_id"])
    .addCheckConstraint("return_submitted_has_version", sql`status = 'draft' or submitted_version is not null`)
    .execute();

  const valueColumns = (table: CreateTableBuilder<string, any>): CreateTableBuilder<string, any> =>
    table
      .addColumn("item_code", "text", (c) => c.notNull().references("data_item.code"))
      .addColumn("state", "text", (c) => c.check(sql`state in ('reported', 'not_collected', 'unknown', 'not_applicable')`))
      .addColumn("number", "integer", (c) => c.check(sql`number >= 0`))
      .addColumn("reason", "text")
      .addColumn("age_from", "integer", (c) => c.check(sql`age_from between 0 and 120`))
      .addColumn("age_to", "integer", (c) => c.check(sql`age_to between 0 and 120`))
      .addColumn("reference_date_used", "date")
      .addColumn("counting_note", "text")
      .addColumn("caveat", "text")
      .addColumn("query_explanation", "text")
      .addColumn("deviates", "boolean", (c) =>
        c
          .generatedAlwaysAs(
            sql`age_from is not null or age_to is not null or reference_date_used is not null or counting_note is not null`,
          )
          .stored(),
      )
      .addColumn("is_comparable", "boolean", (c) =>
        c
          .generatedAlwaysAs(
            sql`state is not distinct from 'reported' and age_from is null and age_to is null and reference_date_used is null and counting_note is null`,
          )
          .stored(),
      );

  await valueColumns(
    db.schema
      .createTable("value")
      .addColumn("return_id", "integer", (c) => c.notNull())
      .addColumn("collection_id", "integer", (c) => c.notNull()),
  )
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_by", "integer", (c) => c.references("app_user.id"))
    .addPrimaryKeyConstraint("value_pk", ["return_id", "item_code"])
    .addForeignKeyConstraint("value_return", ["return_id", "collection_id"], "return", ["id", "collection_id"], (c) =>
      c.onDelete("cascade"),
    )
    .addForeignKeyConstraint("value_item_in_collection", ["collection_id", "item_code"], "collection_item", ["collection_id", "item_code"])
    .execute();

  await db.schema
    .createTable("return_version")
    .addColumn("return_id", "integer", (c) => c.notNull().references("return.id"))
    .addColumn("version", "integer", (c) => c.notNull().check(sql`version >= 1`))
    .addColumn("submitted_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("submitted_by", "integer", (c) => c.references("app_user.id"))
    .addColumn("signed_off_name", "text", (c) => c.notNull().check(sql`btrim(signed_off_name) <> ''`))
    .addColumn("signed_off_role", "text", (c) => c.notNull().check(sql`btrim(signed_off_role) <> ''`))
    .addColumn("amendment_reason", "text")
    .addPrimaryKeyConstraint("return_version_pk", ["return_id", "version"])
    .addCheckConstraint("return_version_amendment_has_reason", sql`version = 1 or btrim(coalesce(amendment_reason, '')) <> ''`)
    .execute();

  await valueColumns(
    db.schema
      .createTable("return_version_value")
      .addColumn("return_id", "integer", (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull()),
  )
    .addPrimaryKeyConstraint("return_version_value_pk", ["return_id", "version", "item_code"])
    .addForeignKeyConstraint("return_version_value_version", ["return_id", "version"], "return_version", ["return_id", "version"])
    .execute();

  // The product's rules on a value's state, enforced where no code path can skip them.
  for (const table of ["value", "return_version_value"]) {
    await sql`alter table ${sql.table(table)}
      add constraint ${sql.ref(`${table}_reported_has_number`)}
        check ((state = 'reported') = (number is not null)),
      add constraint ${sql.ref(`${table}_reason_when_not_reported`)}
        check (state is null or state = 'reported' or btrim(coalesce(reason, '')) <> ''),
      add constraint ${sql.ref(`${table}_deviation_only_when_reported`)}
        check (not deviates or state = 'reported'),
      add constraint ${sql.ref(`${table}_age_band`)}
        check (age_from is null or age_to is null or age_from <= age_to)`.execute(db);
  }

  await db.schema
    .createTable("audit_log")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("actor_user_id", "integer", (c) => c.references("app_user.id"))
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("entity", "text", (c) => c.notNull())
    .addColumn("entity_key", "text", (c) => c.notNull())
    .addColumn("authority_code", "text", (c) => c.references("authority.code"))
    .addColumn("before", "jsonb")
    .addColumn("after", "jsonb")
    .addColumn("reason", "text")
    .execute();

  // Append-only, enforced by the database for every role, including the table's owner.
  await sql`
    create function audit_log_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`create trigger audit_log_no_update_or_delete before update or delete on audit_log
    for each row execute function audit_log_is_append_only()`.execute(db);
  await sql`create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_is_append_only()`.execute(db);

  await db.schema.createIndex("value_collection_item").on("value").columns(["collection_id", "item_code"]).execute();
  await db.schema.createIndex("return_authority").on("return").columns(["authority_code"]).execute();
  await db.schema.createIndex("audit_log_entity").on("audit_log").columns(["entity", "entity_key"]).execute();
  await db.schema.createIndex("app_user_authority").on("app_user").columns(["authority_code"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("audit_log").execute();
  await sql`drop function audit_log_is_append_only()`.execute(db);
  for (const table of [
    "return_version_value",
    "return_version",
    "value",
    "return",
    "app_user",
    "collection_item",
    "collection",
    "data_item",
    "denominator_value",
    "denominator",
    "authority",
    "region",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
