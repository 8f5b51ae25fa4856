/**
 * npm run worker: the scheduled work (app/worker/worker.server.ts) as its own process, for
 * PostgreSQL; start as many as wanted. On the embedded database the portal runs it itself
 * (`npm start`): a second process must never open the same data folder. SIGTERM or SIGINT lets
 * the job in hand finish, closes the database and exits 0.
 */
import { readConfigOrExit } from "#app/config.server.ts";
import { closeDb, getDb } from "#app/db.server.ts";
import { mailTransport, publicBaseUrl } from "#app/email/mailer.server.ts";
import { logger } from "#app/log.server.ts";
import { startWorker } from "#app/worker/worker.server.ts";

const config = readConfigOrExit();
if (config.embedded) {
  console.error(
    "The worker runs as its own process on PostgreSQL (DATABASE_URL). On the embedded database `npm start` runs it inside the portal.",
  );
  process.exit(1);
}
const log = logger().child({ component: "worker" });
const worker = startWorker({
  db: await getDb(),
  transport: mailTransport(),
  baseUrl: publicBaseUrl(),
  leaseMs: config.WORKER_LEASE_SECONDS * 1000,
  logger: log,
  reached: config.WORKER_CRASH_AT
    ? (point) => {
        if (point === config.WORKER_CRASH_AT) process.kill(process.pid, "SIGKILL");
      }
    : undefined,
});
if (!mailTransport()) log.warn("no SMTP_URL: emails wait on the outbox page");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log.info({ signal }, "stopping");
    void worker
      .stop()
      .then(closeDb)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, "stopping failed");
          process.exit(1);
        },
      );
  });
}
