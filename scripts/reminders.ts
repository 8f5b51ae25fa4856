/**
 * Composes today's reminders and sends what waits in the outbox. For a daily scheduled job (cron,
 * or the platform's scheduler): safe to run on several instances at once, since reminders are
 * deduplicated by the database and sending claims rows with FOR UPDATE SKIP LOCKED.
 */
import { createDatabase, targetFromEnv } from "#db/connect.ts";
import { migrateToLatest } from "#db/migrator.ts";
import { composeReminders, sendPending } from "#app/models/outbox.server.ts";
import { mailTransport } from "#app/email/mailer.server.ts";

const baseUrl = process.env.PUBLIC_URL;
if (!baseUrl) {
  console.error("PUBLIC_URL must be set: reminders link to the portal.");
  process.exit(1);
}
const db = createDatabase(targetFromEnv());
try {
  await migrateToLatest(db);
  const queued = await composeReminders(db, { baseUrl });
  console.log(`Reminders queued: ${JSON.stringify(queued)}`);
  const transport = mailTransport();
  if (transport) console.log(`Sent: ${JSON.stringify(await sendPending(db, transport))}`);
  else console.log("No SMTP_URL: the emails wait on the outbox page.");
} finally {
  await db.destroy();
}
