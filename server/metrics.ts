/**
 * Prometheus metrics (prom-client): requests and their latency by route, the database pool, and
 * what waits in the database (the outbox's backlog, the scheduled jobs' failures), read from the
 * database at each scrape so that every instance reports the same shared state.
 */
import type { Kysely } from "kysely";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { poolOf } from "#db/connect.ts";
import type { Database } from "#db/types.ts";
import { outboxBacklog } from "#app/models/outbox.server.ts";
import { jobFailures, latestHeartbeat } from "#app/worker/queue.server.ts";

export interface PortalMetrics {
  registry: Registry;
  requests: Counter<"method" | "route" | "status">;
  duration: Histogram<"method" | "route">;
  inFlight: Gauge;
}

export function createMetrics(database: () => Promise<Kysely<Database>>): PortalMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "portal_" });
  const requests = new Counter({
    name: "portal_http_requests_total",
    help: "HTTP requests answered, by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "portal_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method and route",
    labelNames: ["method", "route"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const inFlight = new Gauge({ name: "portal_http_requests_in_flight", help: "HTTP requests being answered", registers: [registry] });
  new Gauge({
    name: "portal_db_pool_connections",
    help: "PostgreSQL pool connections of this instance: total, idle, and requests waiting for one",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      const pool = poolOf(await database());
      if (!pool) return;
      this.set({ state: "total" }, pool.totalCount);
      this.set({ state: "idle" }, pool.idleCount);
      this.set({ state: "waiting" }, pool.waitingCount);
    },
  });
  new Gauge({
    name: "portal_outbox_emails",
    help: "Emails in the outbox not sent: waiting (to be sent or retried), dead (given up after every attempt) and uncertain (handed to the email server, its answer never recorded: a coordinator decides)",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      const backlog = await outboxBacklog(await database());
      this.set({ state: "waiting" }, backlog.waiting);
      this.set({ state: "dead" }, backlog.dead);
      this.set({ state: "uncertain" }, backlog.uncertain);
    },
  });
  new Gauge({
    name: "portal_outbox_oldest_waiting_seconds",
    help: "Age of the oldest email waiting to be sent; 0 when none waits",
    registers: [registry],
    async collect() {
      const backlog = await outboxBacklog(await database());
      this.set(backlog.oldestWaitingSeconds);
    },
  });
  new Counter({
    name: "portal_job_failures_total",
    help: "Failed runs of each scheduled job, on every worker",
    labelNames: ["job"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const job of await jobFailures(await database())) this.inc({ job: job.name }, job.failures);
    },
  });
  new Gauge({
    name: "portal_job_failing_runs",
    help: "Failed runs of each scheduled job since its last success; 0 when the last run succeeded",
    labelNames: ["job"] as const,
    registers: [registry],
    async collect() {
      for (const job of await jobFailures(await database())) this.set({ job: job.name }, job.attempts);
    },
  });
  new Gauge({
    name: "portal_worker_heartbeat_age_seconds",
    help: "Age of the most recent worker heartbeat; +Inf when no worker has run",
    registers: [registry],
    async collect() {
      this.set((await latestHeartbeat(await database()))?.ageSeconds ?? Number.POSITIVE_INFINITY);
    },
  });
  return { registry, requests, duration, inFlight };
}
