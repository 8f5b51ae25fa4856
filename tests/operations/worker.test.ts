/**
 * The scheduled worker as it runs for real: `scripts/worker.ts` processes on one PostgreSQL
 * database, sending through a real socket to a small SMTP server in this test. Two workers at once
 * send every reminder and every other email exactly once; a worker killed with SIGKILL mid-job
 * leaves its work to the survivor, and the only repeat is the one email the killed worker had
 * handed to the server and not yet marked sent, repeated with the same Message-ID (decision 009);
 * one stopped with SIGTERM finishes the email in hand and repeats nothing.
 * /readyz reads the workers' heartbeat; /metrics shows the jobs and the outbox.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueEmails } from "#app/models/outbox.server.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { spawnPortal, type PortalProcess } from "../support/portal.ts";
import { countBy, type Delivery, smtpServer, spawnWorker, until, type WorkerProcess } from "../support/worker.ts";

const postgres = Boolean(process.env.TEST_DATABASE_URL);
if (!postgres && process.env.CI) throw new Error("CI is set but TEST_DATABASE_URL is not: the worker is tested on PostgreSQL in CI.");
const ROUND = "2026-12-care-experienced-parents";
const OTHER_EMAILS = 30;
const METRICS_TOKEN = "metrics-token-for-the-tests-0123";

/** A demo database whose open round is due in three days (so today's reminders are due), and other emails waiting. */
async function databaseWithWork() {
  const database = await createTestDatabase();
  const today = todayInWales();
  const dueOn = new Date(Date.parse(`${today}T00:00:00Z`) + 3 * 86_400_000).toISOString().slice(0, 10);
  await database.db.updateTable("collection").set({ due_on: dueOn }).where("code", "=", ROUND).execute();
  await queueEmails(
    database.db,
    Array.from({ length: OTHER_EMAILS }, (_, i) => ({
      kind: "query" as const,
      to: `someone.${i}@authorities.example`,
      subject: `Query ${i}`,
      body: `A line\n.\n..a line starting with dots (${i})`,
    })),
  );
  return database;
}

const outbox = (database: TestDatabase) =>
  database.db
    .selectFrom("outbox")
    .select(["id", "kind", "to_email", "created_at", "sent_at", "dead_at", "attempts"])
    .orderBy("id")
    .execute();

const messageIdOf = (email: { id: string; created_at: Date | string }) =>
  `<outbox.${email.id}.${new Date(email.created_at).getTime()}@portal.example>`;

describe.skipIf(!postgres)("the scheduled worker on PostgreSQL", () => {
  const closing: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closing.reverse()) await close().catch(() => {});
  });

  describe("two workers at once", () => {
    let database: TestDatabase;
    const deliveries: Delivery[] = [];
    let workers: WorkerProcess[] = [];
    beforeAll(async () => {
      database = await databaseWithWork();
      closing.push(() => database.destroy());
    });

    it("send every reminder and every other email exactly once", { timeout: 240_000 }, async () => {
      const servers = [await smtpServer("a", deliveries), await smtpServer("b", deliveries)];
      for (const server of servers) closing.push(server.close);
      workers = servers.map((server) => spawnWorker({ ...database.env, SMTP_URL: server.url }));
      for (const worker of workers) closing.push(() => worker.kill("SIGKILL"));
      const expected = 22 + OTHER_EMAILS;
      await until(
        `${expected} emails sent`,
        async () => {
          const rows = await outbox(database);
          return rows.length === expected && rows.every((r) => r.sent_at !== null);
        },
        workers,
      );
      const rows = await outbox(database);
      expect(rows.filter((r) => r.kind === "reminder_due")).toHaveLength(22);
      expect(rows.every((r) => r.attempts === 1 && r.dead_at === null)).toBe(true);
      // Delivered: each email once, with its own Message-ID, to its own address.
      expect(deliveries).toHaveLength(expected);
      expect([...countBy(deliveries, (d) => d.messageId).values()].every((n) => n === 1)).toBe(true);
      expect(deliveries.map((d) => d.messageId).sort()).toEqual(rows.map(messageIdOf).sort());
      const byId = new Map(rows.map((r) => [messageIdOf(r), r.to_email]));
      expect(deliveries.every((d) => byId.get(d.messageId) === d.to)).toBe(true);
      const audited = await database.db.selectFrom("audit_log").select("after").where("action", "=", "outbox.compose_reminders").execute();
      expect(audited).toHaveLength(1);
      const jobs = await database.db.selectFrom("job").select(["name", "state", "failures", "last_succeeded_at"]).orderBy("name").execute();
      expect(jobs.map((j) => j.name)).toEqual(["compose_reminders", "expire_sessions_and_invitations", "send_digests", "send_outbox"]);
      expect(jobs.every((j) => j.failures === 0 && j.last_succeeded_at !== null)).toBe(true);
      const by = countBy(deliveries, (d) => d.server);
      console.log(`two workers: ${expected} emails, ${by.get("a") ?? 0} sent by one, ${by.get("b") ?? 0} by the other`);
    });

    it("/readyz needs a recent worker heartbeat; /metrics shows the jobs and the outbox; SIGTERM stops a worker cleanly", {
      timeout: 240_000,
    }, async () => {
      const portal: PortalProcess = await spawnPortal({ ...database.env, METRICS_TOKEN });
      closing.push(() => portal.kill());
      const readyz = async () => {
        const response = await fetch(`${portal.url}/readyz`);
        return { status: response.status, body: (await response.json()) as { ready: boolean; checks: Record<string, string> } };
      };
      expect(await readyz()).toEqual({ status: 200, body: { ready: true, checks: { database: "ok", migrations: "ok", worker: "ok" } } });
      const metrics = await (await fetch(`${portal.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      expect(metrics).toMatch(/portal_job_failures_total\{job="send_outbox"\} 0/);
      expect(metrics).toMatch(/portal_job_failing_runs\{job="compose_reminders"\} 0/);
      expect(metrics).toMatch(/portal_outbox_emails\{state="dead"\} 0/);
      expect(metrics).toMatch(/portal_worker_heartbeat_age_seconds \d/);

      expect(await Promise.all(workers.map((w) => w.kill("SIGTERM")))).toEqual([0, 0]);
      for (const worker of workers) expect(worker.output()).toContain("worker stopped");
      // Time passes with no worker: the heartbeat is aged as two minutes and more without one would age it.
      await database.db
        .updateTable("worker_heartbeat")
        .set({ beat_at: new Date(Date.now() - 10 * 60_000) })
        .execute();
      const stale = await readyz();
      expect(stale.status).toBe(503);
      expect(stale.body.checks).toMatchObject({
        database: "ok",
        migrations: "ok",
        worker: expect.stringMatching(/^heartbeat stale: the last was \d+ s ago$/),
      });

      const again = spawnWorker({ ...database.env });
      closing.push(() => again.kill("SIGKILL"));
      await until("ready again once a worker beats", async () => (await readyz()).status === 200, [again]);
      expect(await again.kill("SIGTERM")).toBe(0);
    });
  });

  describe("a worker killed mid-job", () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await databaseWithWork();
      closing.push(() => database.destroy());
    });

    it("leaves its work to the survivor: every email sent, none lost, and at most the one in hand at the kill sent twice", {
      timeout: 240_000,
    }, async () => {
      const deliveries: Delivery[] = [];
      const KILL_AFTER = 5;
      let survivor: WorkerProcess | undefined;
      let victim: WorkerProcess | undefined;
      let killed: Promise<unknown> | undefined;
      const victimServer = await smtpServer("victim", deliveries, (count) => {
        // The survivor starts once the victim is sending; the victim dies just after the server accepted its fifth.
        if (count === 1) {
          survivor = spawnWorker({ ...database.env, SMTP_URL: survivorServer.url });
          closing.push(() => survivor!.kill("SIGKILL"));
        }
        if (count === KILL_AFTER) killed = victim!.kill("SIGKILL");
      });
      const survivorServer = await smtpServer("survivor", deliveries);
      closing.push(victimServer.close, survivorServer.close);
      victim = spawnWorker({ ...database.env, SMTP_URL: victimServer.url });
      closing.push(() => victim!.kill("SIGKILL"));

      const expected = 22 + OTHER_EMAILS;
      await until("the victim killed", async () => killed !== undefined, [victim]);
      expect(await killed).toBe("SIGKILL");
      await until(`${expected} emails sent after the kill`, async () => {
        const rows = await outbox(database);
        return rows.length === expected && rows.every((r) => r.sent_at !== null);
      }, [victim, survivor!]);
      const rows = await outbox(database);
      expect(rows.filter((r) => r.kind === "reminder_due")).toHaveLength(22);
      // None lost: every email reached the server, under its own Message-ID.
      const counts = countBy(deliveries, (d) => d.messageId);
      expect([...counts.keys()].sort()).toEqual(rows.map(messageIdOf).sort());
      // Twice at most for one email: the victim's last, accepted by the server as the kill came.
      const fromVictim = deliveries.filter((d) => d.server === "victim");
      expect(fromVictim).toHaveLength(KILL_AFTER);
      const repeated = [...counts].filter(([, n]) => n > 1);
      expect(repeated.length).toBeLessThanOrEqual(1);
      for (const [messageId, n] of repeated) {
        expect(n).toBe(2);
        expect(messageId).toBe(fromVictim.at(-1)!.messageId);
      }
      expect(deliveries).toHaveLength(expected + repeated.length);
      expect(deliveries.filter((d) => d.server === "survivor").length).toBe(expected - KILL_AFTER + repeated.length);
      console.log(
        `SIGKILL after ${KILL_AFTER} accepted: ${expected} emails, ${deliveries.length} deliveries, ${repeated.length} repeated (the one in hand at the kill, same Message-ID)`,
      );
      expect(await survivor!.kill("SIGTERM")).toBe(0);
    });

    it("stopped with SIGTERM mid-job, finishes the email in hand and hands over the rest at once: nothing sent twice", {
      timeout: 240_000,
    }, async () => {
      const other = await databaseWithWork();
      closing.push(() => other.destroy());
      const deliveries: Delivery[] = [];
      let survivor: WorkerProcess | undefined;
      let stopping: WorkerProcess | undefined;
      let stopped: Promise<unknown> | undefined;
      const stoppingServer = await smtpServer("stopping", deliveries, (count) => {
        if (count === 1) {
          survivor = spawnWorker({ ...other.env, SMTP_URL: survivorServer.url });
          closing.push(() => survivor!.kill("SIGKILL"));
        }
        if (count === 5) stopped = stopping!.kill("SIGTERM");
      });
      const survivorServer = await smtpServer("survivor", deliveries);
      closing.push(stoppingServer.close, survivorServer.close);
      stopping = spawnWorker({ ...other.env, SMTP_URL: stoppingServer.url });
      closing.push(() => stopping!.kill("SIGKILL"));

      const expected = 22 + OTHER_EMAILS;
      await until("the worker told to stop", async () => stopped !== undefined, [stopping]);
      expect(await stopped).toBe(0);
      await until(`${expected} emails sent after the stop`, async () => {
        const rows = await outbox(other);
        return rows.length === expected && rows.every((r) => r.sent_at !== null);
      }, [stopping, survivor!]);
      const rows = await outbox(other);
      expect(deliveries.map((d) => d.messageId).sort()).toEqual(rows.map(messageIdOf).sort());
      expect(rows.every((r) => r.attempts === 1)).toBe(true);
      const fromStopping = deliveries.filter((d) => d.server === "stopping").length;
      expect(fromStopping).toBeGreaterThanOrEqual(5);
      console.log(`SIGTERM after 5 accepted: ${expected} emails, each delivered once (${fromStopping} by the worker stopped)`);
      expect(await survivor!.kill("SIGTERM")).toBe(0);
    });
  });
});
