import { sql, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  // The scheduled jobs, one row each: when it next runs, and the lease of the worker running it.
  // A worker claims a due row with FOR UPDATE SKIP LOCKED and a lease (locked_until); a worker
  // that dies mid-job leaves a lease that runs out, and another worker takes the job then.
  await db.schema
    .createTable("job")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("state", "text", (c) => c.notNull().defaultTo("waiting").check(sql`state in ('waiting', 'running', 'retrying')`))
    .addColumn("run_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("locked_by", "text")
    .addColumn("locked_until", "timestamptz")
    // Failures since the last success (the backoff's exponent), and in all.
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .addColumn("last_started_at", "timestamptz")
    .addColumn("last_succeeded_at", "timestamptz")
    .addCheckConstraint("job_lease", sql`(state = 'running') = (locked_until is not null and locked_by is not null)`)
    .execute();

  // Each worker's last sign of life, read by /readyz and the metrics.
  await db.schema
    .createTable("worker_heartbeat")
    .addColumn("worker_id", "text", (c) => c.primaryKey())
    .addColumn("started_at", "timestamptz", (c) => c.notNull())
    .addColumn("beat_at", "timestamptz", (c) => c.notNull())
    .execute();

  // Sending an email: a lease while one worker sends it, the next try after a failure (backoff),
  // and the dead letter after the last try, until a coordinator asks for it to be tried again.
  await db.schema
    .alterTable("outbox")
    .addColumn("next_attempt_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("locked_by", "text")
    .addColumn("locked_until", "timestamptz")
    .addColumn("dead_at", "timestamptz")
    .execute();
  await db.schema.createIndex("outbox_due").on("outbox").columns(["next_attempt_at", "id"]).where(sql<boolean>`sent_at is null`).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("outbox_due").execute();
  await db.schema
    .alterTable("outbox")
    .dropColumn("dead_at")
    .dropColumn("locked_until")
    .dropColumn("locked_by")
    .dropColumn("next_attempt_at")
    .execute();
  await db.schema.dropTable("worker_heartbeat").execute();
  await db.schema.dropTable("job").execute();
}
