import { sql, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  // A token for the machine API (issue 18). Only its SHA-256 is kept: the token itself is shown
  // once, when it is made. It acts for its owner and never for more than the owner may do at the
  // time of each request (the owner's role, authority and active state are read afresh).
  // The throttle's window lives here, not in a process, so it holds across instances.
  await db.schema
    .createTable("api_token")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("owner_id", "integer", (c) => c.notNull().references("app_user.id"))
    .addColumn("created_by", "integer", (c) => c.notNull().references("app_user.id"))
    .addColumn("name", "text", (c) => c.notNull().check(sql`length(name) between 1 and 100`))
    .addColumn("scope", "text", (c) => c.notNull().check(sql`scope in ('returns:write', 'figures:read')`))
    .addColumn("authority_code", "text", (c) => c.references("authority.code"))
    .addColumn("token_hash", "text", (c) => c.notNull().unique().check(sql`token_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("revoked_at", "timestamptz")
    .addColumn("revoked_by", "integer", (c) => c.references("app_user.id"))
    .addColumn("last_used_at", "timestamptz")
    .addColumn("window_started_at", "timestamptz")
    .addColumn("window_requests", "integer", (c) => c.notNull().defaultTo(0))
    .addCheckConstraint("api_token_authority", sql`(scope = 'returns:write') = (authority_code is not null)`)
    .addCheckConstraint("api_token_expiry", sql`expires_at > created_at and expires_at <= created_at + interval '366 days'`)
    .addCheckConstraint("api_token_revoked", sql`(revoked_at is null) = (revoked_by is null)`)
    .execute();
  await db.schema.createIndex("api_token_owner").on("api_token").columns(["owner_id", "created_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("api_token").execute();
}
