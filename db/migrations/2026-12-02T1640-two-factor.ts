import { sql, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  // A person's authenticator-app secret (TOTP, RFC 6238). Unconfirmed until they type a code it
  // makes; only a confirmed one is asked for at sign-in. The secret must be readable to check a
  // code, so it is kept as it is (base32); the step of the last code accepted stops a code being
  // used twice within its window.
  await db.schema
    .createTable("two_factor")
    .addColumn("user_id", "integer", (c) => c.primaryKey().references("app_user.id"))
    .addColumn("secret", "text", (c) => c.notNull().check(sql`secret ~ '^[A-Z2-7]{16,128}$'`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("confirmed_at", "timestamptz")
    .addColumn("last_used_step", "bigint")
    .execute();

  // Recovery codes, shown once when the second factor is set up; only their SHA-256 is kept.
  await db.schema
    .createTable("recovery_code")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("app_user.id"))
    .addColumn("code_hash", "text", (c) => c.notNull().unique().check(sql`code_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("used_at", "timestamptz")
    .execute();
  await db.schema.createIndex("recovery_code_user").on("recovery_code").columns(["user_id"]).execute();

  // The step between a right password and a session, for a person with a second factor: bound to
  // the browser by a cookie holding the token (only its SHA-256 is kept), short-lived, used once,
  // and its wrong codes counted.
  await db.schema
    .createTable("sign_in_challenge")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("token_hash", "text", (c) => c.notNull().unique().check(sql`token_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn("user_id", "integer", (c) => c.notNull().references("app_user.id"))
    .addColumn("address", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("used_at", "timestamptz")
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0).check(sql`failures >= 0`))
    .addCheckConstraint("sign_in_challenge_expiry", sql`expires_at > created_at and expires_at <= created_at + interval '1 hour'`)
    .execute();
  await db.schema.createIndex("sign_in_challenge_user").on("sign_in_challenge").columns(["user_id", "created_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("sign_in_challenge").execute();
  await db.schema.dropTable("recovery_code").execute();
  await db.schema.dropTable("two_factor").execute();
}
