/**
 * The scheduled jobs' queue, in PostgreSQL (or the embedded database: the same SQL): one row per
 * job in `job`. A worker claims a due job with FOR UPDATE SKIP LOCKED and a lease, renews the
 * lease while it runs, and on finishing sets the next run (or, after a failure, a retry with
 * backoff). A worker that dies mid-job leaves a lease that runs out; another then runs the job.
 * Each worker also writes a heartbeat, which /readyz and the metrics read.
 */
import type { Kysely } from "kysely";
import type { Database } from "#db/types.ts";
import type { Executor } from "#app/models/audit.server.ts";

export const COMPOSE_REMINDERS = "compose_reminders";
export const SEND_OUTBOX = "send_outbox";
export const EXPIRE = "expire_sessions_and_invitations";
export const SEND_DIGESTS = "send_digests";
export const JOB_NAMES = [COMPOSE_REMINDERS, SEND_OUTBOX, EXPIRE, SEND_DIGESTS] as const;

/** A worker whose heartbeat is older than this is taken for stopped. */
export const HEARTBEAT_STALE_MS = 120_000;

/** The wait before retrying a job after `attempts` failures in a row: 30 s, 1, 2, 4 … minutes, at most an hour. */
export function jobRetryDelayMs(attempts: number) {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/** Makes sure every job has its row; a new one is due at once. */
export async function ensureJobs(db: Executor, now: Date) {
  await db
    .insertInto("job")
    .values(JOB_NAMES.map((name) => ({ name, run_at: now })))
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
}

/** Claims one due job for `workerId`, with a lease; undefined when none is due or all are held. */
export async function claimJob(db: Kysely<Database>, workerId: string, leaseMs: number, now: Date) {
  return db
    .updateTable("job")
    .set({ state: "running", locked_by: workerId, locked_until: new Date(now.getTime() + leaseMs), last_started_at: now })
    .where("name", "=", (eb) =>
      eb
        .selectFrom("job")
        .select("name")
        .where("run_at", "<=", now)
        .where((w) => w.or([w("state", "!=", "running"), w("locked_until", "<=", now)]))
        .orderBy("run_at")
        .limit(1)
        .forUpdate()
        .skipLocked(),
    )
    .returning(["name", "attempts"])
    .executeTakeFirst();
}

/** Keeps a running job's lease; false when another worker has taken the job over. */
export async function renewLease(db: Executor, name: string, workerId: string, leaseMs: number, now: Date) {
  const renewed = await db
    .updateTable("job")
    .set({ locked_until: new Date(now.getTime() + leaseMs) })
    .where("name", "=", name)
    .where("locked_by", "=", workerId)
    .executeTakeFirst();
  return renewed.numUpdatedRows > 0n;
}

export async function finishJob(
  db: Executor,
  { name, workerId, nextRunAt, now }: { name: string; workerId: string; nextRunAt: Date; now: Date },
) {
  await db
    .updateTable("job")
    .set({
      state: "waiting",
      run_at: nextRunAt,
      locked_by: null,
      locked_until: null,
      attempts: 0,
      last_error: null,
      last_succeeded_at: now,
    })
    .where("name", "=", name)
    .where("locked_by", "=", workerId)
    .execute();
}

/** A failed run: tried again after a wait that doubles with each failure in a row (`attempts` before this one). */
export async function failJob(
  db: Executor,
  { name, workerId, attempts, error, now }: { name: string; workerId: string; attempts: number; error: unknown; now: Date },
) {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
  await db
    .updateTable("job")
    .set((eb) => ({
      state: "retrying",
      run_at: new Date(now.getTime() + jobRetryDelayMs(attempts + 1)),
      locked_by: null,
      locked_until: null,
      attempts: attempts + 1,
      failures: eb("failures", "+", 1),
      last_error: message,
    }))
    .where("name", "=", name)
    .where("locked_by", "=", workerId)
    .execute();
}

/** Brings a job's next run forward to now (a request that queued an email asks for the outbox to be sent). */
export async function runSoon(db: Executor, name: string, now = new Date()) {
  await db.updateTable("job").set({ run_at: now }).where("name", "=", name).where("run_at", ">", now).execute();
}

export async function beat(db: Executor, { workerId, startedAt, now }: { workerId: string; startedAt: Date; now: Date }) {
  await db
    .insertInto("worker_heartbeat")
    .values({ worker_id: workerId, started_at: startedAt, beat_at: now })
    .onConflict((oc) => oc.column("worker_id").doUpdateSet({ beat_at: now }))
    .execute();
}

/** The most recent heartbeat of any worker, and how old it is; null when no worker has ever beaten. */
export async function latestHeartbeat(db: Executor, now = new Date()) {
  const row = await db
    .selectFrom("worker_heartbeat")
    .select((eb) => eb.fn.max("beat_at").as("at"))
    .executeTakeFirstOrThrow();
  if (!row.at) return null;
  const at = new Date(row.at as Date | string);
  return { at, ageSeconds: Math.max(0, (now.getTime() - at.getTime()) / 1000) };
}

/** Each job's failures in all and in a row, for the metrics. */
export async function jobFailures(db: Executor) {
  return db.selectFrom("job").select(["name", "failures", "attempts"]).orderBy("name").execute();
}
