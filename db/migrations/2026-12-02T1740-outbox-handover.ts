import type { Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  // When a worker handed an email to the email server (committed before the server could accept
  // it), and when a worker found such a handover unanswered: sent or not, nobody can tell, so it
  // waits for a coordinator's decision instead of being sent again (decision 009).
  await db.schema.alterTable("outbox").addColumn("handed_over_at", "timestamptz").addColumn("uncertain_at", "timestamptz").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("outbox").dropColumn("uncertain_at").dropColumn("handed_over_at").execute();
}
