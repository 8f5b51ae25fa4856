/**
 * The portal's entry: check the configuration, open (and migrate, and the first time seed) the database, build the express
 * application (server/app.ts), start the scheduled work in this process when it is configured to,
 * and serve until SIGTERM or SIGINT (server/serve.ts).
 */
import type { ServerBuild } from "@remix-run/node";
import { readConfigOrExit } from "#app/config.server.ts";
import { closeDb, getDb } from "#app/db.server.ts";
import { logger } from "#app/log.server.ts";
import { mailTransport, publicBaseUrl } from "#app/email/mailer.server.ts";
import { startWorker } from "#app/worker/worker.server.ts";
import { seedOnFirstStart } from "#seeds/first-start.ts";
import { createApp } from "./server/app.ts";
import { createMetrics } from "./server/metrics.ts";
import { serve } from "./server/serve.ts";

const config = readConfigOrExit();
const log = logger();

// Migrate and, the first time, load the reference data (and on the embedded database the demo
// data) before taking any request.
const seeding = await seedOnFirstStart(await getDb(), { demo: config.embedded || config.SEED_DEMO_DATA === true });
// The embedded database keeps the memory the seeding grew it to (about 500 MB): it is closed and
// opened again, so that the portal serves from one that holds only what serving needs.
if (seeding === "seeded" && config.embedded) await closeDb();

const build = (await import(new URL("./build/index.js", import.meta.url).href)) as ServerBuild;
const lifecycle = { shuttingDown: false };
const metrics = createMetrics(getDb);
const app = createApp({ build, config, database: getDb, lifecycle, logger: log, metrics });

const worker = config.workerInProcess
  ? startWorker({
      db: await getDb(),
      transport: mailTransport(),
      baseUrl: publicBaseUrl(),
      leaseMs: config.WORKER_LEASE_SECONDS * 1000,
      logger: log.child({ component: "worker" }),
    })
  : null;
await worker?.started;

const serving = await serve(app, {
  port: config.PORT,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  lifecycle,
  logger: log,
  onClose: async () => {
    await worker?.stop();
    await closeDb();
  },
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void serving.shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
