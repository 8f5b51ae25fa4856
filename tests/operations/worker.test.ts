/**
 * The scheduled worker as it runs for real: `scripts/worker.ts` processes on one PostgreSQL
 * database, sending through a real socket to a small SMTP server in this test. Two workers at once
 * send every reminder and every other email exactly once. A worker that kills itself with SIGKILL
 * at each point of sending one email (WORKER_CRASH_AT) leaves its work to the survivor: killed
 * before the handover, every email still arrives exactly once; killed after it, the one email in
 * hand arrives at most once and is left uncertain for a coordinator, never sent again by itself
 * (decision 009). One stopped with SIGTERM finishes the email in hand and repeats nothing.
 * /readyz reads the workers' heartbeat; /metrics shows the jobs and the outbox.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listUncertain, queueEmails, type SendPoint } from "#app/models/outbox.server.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { postgresFor } from "../support/engine.ts";
import { spawnPortal, type PortalProcess } from "../support/portal.ts";
import { countBy, type Delivery, smtpServer, spawnWorker, until, type WorkerProcess } from "../support/worker.ts";

const postgres = postgresFor("the scheduled worker's tests");
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
    .select(["id", "kind", "to_email", "created_at", "sent_at", "dead_at", "attempts", "uncertain_at"])
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
      expect(metrics).toMatch(/portal_outbox_emails\{state="uncertain"\} 0/);
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
    /**
     * One worker (the victim) kills itself with SIGKILL as its first email reaches `point`; the
     * survivor, started once the victim holds the sending job, takes over when the leases (3 s here)
     * run out. Returns what each server received and the rows once everything is settled.
     */
    async function killAt(point: SendPoint, settled: (rows: Awaited<ReturnType<typeof outbox>>) => boolean) {
      const database = await databaseWithWork();
      closing.push(() => database.destroy());
      const deliveries: Delivery[] = [];
      const victimServer = await smtpServer("victim", deliveries);
      const survivorServer = await smtpServer("survivor", deliveries);
      closing.push(victimServer.close, survivorServer.close);
      const victim = spawnWorker({ ...database.env, SMTP_URL: victimServer.url, WORKER_CRASH_AT: point });
      closing.push(() => victim.kill("SIGKILL"));
      const sendingJob = () => database.db.selectFrom("job").select("locked_by").where("name", "=", "send_outbox").executeTakeFirst();
      await until("the victim holds the sending job", async () => Boolean((await sendingJob())?.locked_by), [victim]);
      const survivor = spawnWorker({ ...database.env, SMTP_URL: survivorServer.url });
      closing.push(() => survivor.kill("SIGKILL"));
      expect(await victim.exited).toBe("SIGKILL");
      await until(`every email settled after a SIGKILL at "${point}"`, async () => settled(await outbox(database)), [victim, survivor]);
      const rows = await outbox(database);
      expect(rows.filter((r) => r.kind === "reminder_due")).toHaveLength(22);
      return { database, deliveries, rows, survivor };
    }
    const EXPECTED = 22 + OTHER_EMAILS;
    const allSent = (rows: { sent_at: unknown }[]) => rows.length === EXPECTED && rows.every((r) => r.sent_at !== null);
    const allButOneSent = (rows: { sent_at: unknown; uncertain_at: unknown }[]) =>
      rows.length === EXPECTED &&
      rows.filter((r) => r.sent_at !== null).length === EXPECTED - 1 &&
      rows.some((r) => r.uncertain_at !== null);

    it("killed after claiming an email, before handing it over: the survivor sends every email exactly once", {
      timeout: 240_000,
    }, async () => {
      const { deliveries, rows, survivor } = await killAt("claimed", allSent);
      expect(deliveries.map((d) => d.messageId).sort()).toEqual(rows.map(messageIdOf).sort());
      expect(deliveries.every((d) => d.server === "survivor")).toBe(true);
      // The victim's email: claimed twice, sent once.
      expect(rows.filter((r) => r.attempts === 2)).toHaveLength(1);
      expect(rows.every((r) => r.uncertain_at === null)).toBe(true);
      expect(await survivor.kill("SIGTERM")).toBe(0);
    });

    it("killed after handing an email over, before the server had it: that email is uncertain, not sent again; the rest exactly once", {
      timeout: 240_000,
    }, async () => {
      const { database, deliveries, rows, survivor } = await killAt("handed-over", allButOneSent);
      const [uncertain] = rows.filter((r) => r.uncertain_at !== null);
      expect(deliveries.map((d) => d.messageId).sort()).toEqual(
        rows
          .filter((r) => r !== uncertain)
          .map(messageIdOf)
          .sort(),
      );
      expect(deliveries.every((d) => d.server === "survivor")).toBe(true);
      expect((await listUncertain(database.db)).map((e) => e.id)).toEqual([uncertain!.id]);
      expect(await survivor.kill("SIGTERM")).toBe(0);
    });

    it("killed after the server accepted an email, before marking it sent: it arrived once and is uncertain, shown for a decision; the rest exactly once", {
      timeout: 240_000,
    }, async () => {
      const { database, deliveries, rows, survivor } = await killAt("accepted", allButOneSent);
      const [uncertain] = rows.filter((r) => r.uncertain_at !== null);
      expect(deliveries.map((d) => d.messageId).sort()).toEqual(rows.map(messageIdOf).sort());
      expect(deliveries.filter((d) => d.server === "victim").map((d) => d.messageId)).toEqual([messageIdOf(uncertain!)]);
      expect((await listUncertain(database.db)).map((e) => e.id)).toEqual([uncertain!.id]);
      const portal = await spawnPortal({ ...database.env, METRICS_TOKEN });
      closing.push(() => portal.kill());
      const metrics = await (await fetch(`${portal.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      expect(metrics).toMatch(/portal_outbox_emails\{state="uncertain"\} 1/);
      expect(metrics).toMatch(/portal_outbox_emails\{state="waiting"\} 0/);
      console.log(
        `SIGKILL after an accept: ${EXPECTED} emails, ${deliveries.length} deliveries, 1 uncertain awaiting a decision, none twice`,
      );
      expect(await survivor.kill("SIGTERM")).toBe(0);
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
