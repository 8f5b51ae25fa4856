import { sql, type Kysely } from "kysely";

// Frozen in time: never edit a migration that has shipped; add a new one.

const kinds = (list: string[]) => sql.raw(list.map((kind) => `'${kind}'`).join(", "));
const BEFORE = [
  "query_raised",
  "query_reply",
  "return_accepted",
  "round_opened",
  "return_submitted",
  "amendment_submitted",
  "changed_after_acceptance",
];
const REMINDERS = ["reminder_due", "reminder_overdue"];

export async function up(db: Kysely<any>): Promise<void> {
  // Reminders (due soon, overdue) become notifications, listed on the officer's home page. They
  // are always emailed: a reminder row is never digested, and notification_preference keeps its
  // check without them, so no choice about a reminder can be stored, whatever is posted.
  await sql`alter table notification drop constraint notification_kind_check`.execute(db);
  await sql`alter table notification add constraint notification_kind_check check (kind in (${kinds([...BEFORE, ...REMINDERS])}))`.execute(
    db,
  );
  await sql`alter table notification add constraint notification_reminder_emailed
    check (kind not in (${kinds(REMINDERS)}) or delivery = 'email')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from notification where kind in (${kinds(REMINDERS)})`.execute(db);
  await sql`alter table notification drop constraint notification_reminder_emailed`.execute(db);
  await sql`alter table notification drop constraint notification_kind_check`.execute(db);
  await sql`alter table notification add constraint notification_kind_check check (kind in (${kinds(BEFORE)}))`.execute(db);
}
