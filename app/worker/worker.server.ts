/**
 * The scheduled work: composing the day's reminders (and news of rounds opening), sending the
 * outbox, the daily digests of notifications, removing what has expired. Run as its own process (`npm run worker`, scripts/worker.ts) on PostgreSQL, on as many
 * instances as wanted, or inside the portal's process on the embedded database (server.ts). Each
 * job runs on one worker at a time (app/worker/queue.server.ts); every job is also safe to run
 * twice (reminders are deduplicated, emails are claimed one by one, expiry is a delete), so a
 * lease that runs out while its worker is merely slow costs a repeat, never a duplicate email.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Database } from "#db/types.ts";
import { nextEmailDue, sendPending, type MailTransport, type SendPoint } from "#app/models/outbox.server.ts";
import { deleteEndedSessions } from "#app/models/session.server.ts";
import { deleteExpiredInvitations } from "#app/models/account.server.ts";
import { deleteExpiredSignInRecords } from "#app/models/cleanup.server.ts";
import { composeDigests, composeReminders, notifyRoundsOpened } from "#app/models/notification.server.ts";
import {
  beat,
  claimJob,
  COMPOSE_REMINDERS,
  ensureJobs,
  EXPIRE,
  failJob,
  finishJob,
  renewLease,
  SEND_DIGESTS,
  SEND_OUTBOX,
} from "./queue.server.ts";

export interface WorkerOptions {
  db: Kysely<Database>;
  /** Null without an email server: emails then wait on the outbox page. */
  transport: MailTransport | null;
  /** The portal's public address, for the links in reminders. */
  baseUrl: string;
  /** How long a claimed job or email is this worker's alone (WORKER_LEASE_SECONDS). */
  leaseMs: number;
  logger: Logger;
  /** How often the worker looks for due jobs. */
  pollMs?: number;
  heartbeatMs?: number;
  /** Told as each email passes each point of sending (the worker test's crashes). */
  reached?: (point: SendPoint) => void;
}

export interface RunningWorker {
  id: string;
  /** Resolves once the first heartbeat is written (or failed to be). */
  started: Promise<void>;
  /** Finishes the job in hand (sending: the email in hand), then stops. */
  stop(): Promise<void>;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** Emails one run of send_outbox sends at most, so that the loop comes round again. */
const SEND_BATCH = 100;
/** Reminders (and news of rounds opening) are composed once a day, at this hour in Wales. */
const REMINDER_HOUR = 7;
/** Daily digests go at the end of the working day in Wales. */
const DIGEST_HOUR = 17;

const WALES_HOUR = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "numeric", hourCycle: "h23" });

/** The next `hour` o'clock in Wales after `now` (whatever the clocks' change). */
export function nextHourInWales(now: Date, hour: number) {
  // Welsh time is UTC or UTC+1: of the whole hours from now, the first that is `hour` there.
  const start = Math.floor(now.getTime() / (60 * MINUTE)) * 60 * MINUTE;
  for (let hours = 1; hours <= 48; hours++) {
    const candidate = new Date(start + hours * 60 * MINUTE);
    if (Number(WALES_HOUR.format(candidate)) === hour) return candidate;
  }
  throw new Error(`no ${hour} o'clock in the next two days`);
}

export const nextReminderTime = (now: Date) => nextHourInWales(now, REMINDER_HOUR);

const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value, low), high);

type Job = (now: Date) => Promise<{ next: Date; done: Record<string, unknown> }>;

export function startWorker({
  db,
  transport,
  baseUrl,
  leaseMs,
  logger,
  pollMs = 2 * SECOND,
  heartbeatMs = 15 * SECOND,
  reached,
}: WorkerOptions): RunningWorker {
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const log = logger.child({ worker: id });
  const startedAt = new Date();
  const stopping = new AbortController();

  const jobs: Record<string, Job> = {
    [COMPOSE_REMINDERS]: async (now) => ({
      next: nextReminderTime(now),
      done: { ...(await composeReminders(db, { now, baseUrl })), roundOpenedNotifications: await notifyRoundsOpened(db, { now, baseUrl }) },
    }),
    [SEND_DIGESTS]: async (now) => ({ next: nextHourInWales(now, DIGEST_HOUR), done: await composeDigests(db, { now, baseUrl }) }),
    [SEND_OUTBOX]: async (now) => {
      if (!transport) return { next: new Date(now.getTime() + MINUTE), done: { sent: 0, failed: 0 } };
      const done = await sendPending(db, transport, { workerId: id, leaseMs, limit: SEND_BATCH, signal: stopping.signal, reached });
      if (done.sent + done.failed + done.uncertain >= SEND_BATCH) return { next: now, done };
      // Next when an email falls due (a retry, or a dead worker's lease running out), every 30 s at the latest.
      const due = (await nextEmailDue(db))?.getTime() ?? Number.POSITIVE_INFINITY;
      return { next: new Date(clamp(due, Date.now() + SECOND, Date.now() + 30 * SECOND)), done };
    },
    [EXPIRE]: async (now) => {
      const sessions = await deleteEndedSessions(db, now);
      const invitations = await deleteExpiredInvitations(db, now);
      const signInRecords = await deleteExpiredSignInRecords(db, now);
      const heartbeats = await db
        .deleteFrom("worker_heartbeat")
        .where("beat_at", "<", new Date(now.getTime() - 24 * 60 * MINUTE))
        .executeTakeFirst();
      return {
        next: new Date(now.getTime() + 60 * MINUTE),
        done: { sessions, invitations, ...signInRecords, heartbeats: Number(heartbeats.numDeletedRows) },
      };
    },
  };

  async function heartbeat() {
    try {
      await beat(db, { workerId: id, startedAt, now: new Date() });
    } catch (error) {
      log.warn({ err: error }, "worker heartbeat not written");
    }
  }

  async function run(name: string, attempts: number) {
    const job = jobs[name];
    const started = new Date();
    const renewal = setInterval(() => {
      void renewLease(db, name, id, leaseMs, new Date()).catch((error: unknown) =>
        log.warn({ err: error, job: name }, "lease not renewed"),
      );
    }, leaseMs / 3);
    try {
      if (!job) throw new Error(`no job is called ${name}`);
      const { next, done } = await job(started);
      await finishJob(db, { name, workerId: id, nextRunAt: next, now: new Date() });
      log.info({ job: name, durationMs: Date.now() - started.getTime(), done, next }, "job done");
    } catch (error) {
      log.error({ err: error, job: name, attempts: attempts + 1 }, "job failed");
      await failJob(db, { name, workerId: id, attempts, error, now: new Date() });
    } finally {
      clearInterval(renewal);
    }
  }

  let wake = () => {};
  const heartbeats = setInterval(() => void heartbeat(), heartbeatMs);
  const started = heartbeat();
  const loop = (async () => {
    await started;
    log.info("worker started");
    while (!stopping.signal.aborted) {
      try {
        await ensureJobs(db, new Date());
        for (
          let job = await claimJob(db, id, leaseMs, new Date());
          job;
          job = stopping.signal.aborted ? undefined : await claimJob(db, id, leaseMs, new Date())
        )
          await run(job.name, job.attempts);
      } catch (error) {
        log.error({ err: error }, "worker could not reach its jobs");
      }
      if (stopping.signal.aborted) break;
      await heartbeat();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    log.info("worker stopped");
  })();

  return {
    id,
    started,
    async stop() {
      stopping.abort();
      clearInterval(heartbeats);
      wake();
      await loop;
    },
  };
}
