/**
 * The operator's addresses, answered before Remix:
 * - `/healthz`: the process is alive and serving (for a liveness probe: no database involved);
 * - `/readyz`: 200 when this instance should get traffic, 503 with what is wrong when not:
 *   shutting down, the database unreachable, migrations pending, no recent worker heartbeat
 *   (a stopped worker makes every instance unready: docs/operations.md says what to do about it);
 * - `/metrics`: Prometheus text, only with `Authorization: Bearer <METRICS_TOKEN>`; without the
 *   token configured it is not there at all (404).
 */
import { timingSafeEqual } from "node:crypto";
import { Router } from "express";
import { sql, type Kysely } from "kysely";
import type { Database } from "#db/types.ts";
import { createMigrator } from "#db/migrator.ts";
import type { Config } from "#app/config.server.ts";
import { HEARTBEAT_STALE_MS, latestHeartbeat } from "#app/worker/queue.server.ts";
import type { PortalMetrics } from "./metrics.ts";

export interface Lifecycle {
  shuttingDown: boolean;
}

/** A check that takes longer than this counts as failed: a readiness probe must answer quickly. */
const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, ms = CHECK_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export type Readiness = { ready: boolean; checks: Record<string, string> };

/** Whether this instance should get traffic, and each check's result in words. */
export async function readiness(database: () => Promise<Kysely<Database>>, lifecycle: Lifecycle): Promise<Readiness> {
  const checks: Record<string, string> = {};
  if (lifecycle.shuttingDown) checks.lifecycle = "shutting down";
  let db: Kysely<Database> | undefined;
  try {
    db = await withTimeout(database());
    await withTimeout(sql`select 1`.execute(db));
    checks.database = "ok";
  } catch (error) {
    checks.database = `unreachable: ${(error as Error).message}`;
  }
  if (db && checks.database === "ok") {
    try {
      const migrations = await withTimeout(createMigrator(db).getMigrations());
      const pending = migrations.filter((m) => !m.executedAt).map((m) => m.name);
      checks.migrations = pending.length === 0 ? "ok" : `pending: ${pending.join(", ")}`;
    } catch (error) {
      checks.migrations = `unknown: ${(error as Error).message}`;
    }
    try {
      const latest = await withTimeout(latestHeartbeat(db));
      checks.worker = !latest
        ? "no heartbeat: no worker has run on this database"
        : latest.ageSeconds * 1000 <= HEARTBEAT_STALE_MS
          ? "ok"
          : `heartbeat stale: the last was ${Math.round(latest.ageSeconds)} s ago`;
    } catch (error) {
      checks.worker = `unknown: ${(error as Error).message}`;
    }
  }
  const ready = !lifecycle.shuttingDown && Object.values(checks).every((result) => result === "ok");
  return { ready, checks };
}

function bearerMatches(header: string | undefined, token: string) {
  const given = Buffer.from(header?.startsWith("Bearer ") ? header.slice(7) : "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function healthRoutes({
  config,
  database,
  lifecycle,
  metrics,
}: {
  config: Pick<Config, "METRICS_TOKEN">;
  database: () => Promise<Kysely<Database>>;
  lifecycle: Lifecycle;
  metrics: PortalMetrics;
}) {
  const router = Router();
  const noStore = { "Cache-Control": "no-store" };
  router.get("/healthz", (_req, res) => {
    res.set(noStore).type("text/plain").send("ok");
  });
  router.get("/readyz", async (_req, res) => {
    const result = await readiness(database, lifecycle);
    res
      .status(result.ready ? 200 : 503)
      .set(noStore)
      .json(result);
  });
  router.get("/metrics", async (req, res) => {
    const token = config.METRICS_TOKEN;
    if (!token) {
      res.status(404).type("text/plain").send("Not found");
      return;
    }
    if (!bearerMatches(req.get("authorization"), token)) {
      res.status(401).set("WWW-Authenticate", 'Bearer realm="metrics"').type("text/plain").send("A bearer token is needed");
      return;
    }
    try {
      res
        .set(noStore)
        .type(metrics.registry.contentType)
        .send(await metrics.registry.metrics());
    } catch (error) {
      res
        .status(503)
        .type("text/plain")
        .send(`metrics unavailable: ${(error as Error).message}`);
    }
  });
  return router;
}
