/**
 * The scheduled jobs' queue on a real database: a due job goes to one worker at a time, to another
 * once its lease runs out, and a worker that lost its lease cannot finish it; a failed run waits
 * longer each time; reminders fall at 07:00 in Wales in winter and summer; expiry removes only
 * what can never be used or shown again.
 */
import { describe, expect, it } from "vitest";
import { claimJob, ensureJobs, failJob, finishJob, renewLease, runSoon, SEND_OUTBOX } from "#app/worker/queue.server.ts";
import { nextReminderTime } from "#app/worker/worker.server.ts";
import { deleteEndedSessions } from "#app/models/session.server.ts";
import { deleteExpiredInvitations } from "#app/models/account.server.ts";
import { useDemoDatabase } from "./support/database.ts";
import { COORDINATOR } from "./support/requests.ts";

const DAY = 86_400_000;
const LEASE = 60_000;

describe("the scheduled jobs", () => {
  const db = useDemoDatabase();
  const job = (name: string) => db().selectFrom("job").selectAll().where("name", "=", name).executeTakeFirstOrThrow();

  it("gives a due job to one worker at a time, to another when the lease runs out, and never back to the one that lost it", async () => {
    const start = new Date();
    await ensureJobs(db(), start);
    await ensureJobs(db(), start);
    expect((await db().selectFrom("job").select("name").execute()).map((j) => j.name).sort()).toEqual([
      "compose_reminders",
      "expire_sessions_and_invitations",
      "send_digests",
      "send_outbox",
    ]);
    // Four jobs due, eight claims at once: each job claimed once.
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => claimJob(db(), `w${i}`, LEASE, start)));
    const claimed = claims.filter((c) => c !== undefined).map((c) => c.name);
    expect(claimed.sort()).toEqual(["compose_reminders", "expire_sessions_and_invitations", "send_digests", "send_outbox"]);

    const holder = (await job(SEND_OUTBOX)).locked_by!;
    expect(await claimJob(db(), "late", LEASE, new Date(start.getTime() + LEASE - 1000))).toBeUndefined();
    // The holder died: its lease runs out, and another worker takes the job over.
    const later = new Date(start.getTime() + LEASE + 1000);
    const takers = ["x", "y", "x2", "y2", "x3"];
    const takeovers = await Promise.all(takers.map((w) => claimJob(db(), w, LEASE, later)));
    expect(takeovers.filter((c) => c !== undefined)).toHaveLength(4);
    const taker = (await job(SEND_OUTBOX)).locked_by!;
    expect(takers).toContain(taker);
    expect(await renewLease(db(), SEND_OUTBOX, holder, LEASE, later)).toBe(false);
    await finishJob(db(), { name: SEND_OUTBOX, workerId: holder, nextRunAt: later, now: later });
    expect(await job(SEND_OUTBOX)).toMatchObject({ state: "running", locked_by: taker });

    const next = new Date(later.getTime() + 30_000);
    await finishJob(db(), { name: SEND_OUTBOX, workerId: taker, nextRunAt: next, now: later });
    expect(await job(SEND_OUTBOX)).toMatchObject({ state: "waiting", locked_by: null, locked_until: null, attempts: 0 });
    expect(await claimJob(db(), "z", LEASE, later)).toBeUndefined();
    // A request that queued an email brings the next run forward.
    await runSoon(db(), SEND_OUTBOX, later);
    expect(await claimJob(db(), "z", LEASE, later)).toMatchObject({ name: SEND_OUTBOX, attempts: 0 });
  });

  it("retries a failed run after 30 s, then 1 and 2 minutes, counting the failures", async () => {
    let now = new Date(Date.now() + 10 * 60_000);
    // Only send_outbox due, and no one holding it.
    await db().updateTable("job").set({ state: "waiting", locked_by: null, locked_until: null, run_at: now }).execute();
    await db()
      .updateTable("job")
      .set({ run_at: new Date(now.getTime() + 365 * DAY) })
      .where("name", "!=", SEND_OUTBOX)
      .execute();
    const waits: number[] = [];
    for (let attempts = 0; attempts < 3; attempts++) {
      const claimed = await claimJob(db(), "w", LEASE, now);
      expect(claimed).toMatchObject({ name: SEND_OUTBOX, attempts });
      await failJob(db(), { name: SEND_OUTBOX, workerId: "w", attempts, error: new Error("relay down"), now });
      const row = await job(SEND_OUTBOX);
      expect(row).toMatchObject({ state: "retrying", attempts: attempts + 1, last_error: "relay down", locked_by: null });
      waits.push(new Date(row.run_at).getTime() - now.getTime());
      now = new Date(row.run_at);
    }
    expect(waits).toEqual([30_000, 60_000, 120_000]);
    expect((await job(SEND_OUTBOX)).failures).toBe(3);
    await claimJob(db(), "w", LEASE, now);
    await finishJob(db(), { name: SEND_OUTBOX, workerId: "w", nextRunAt: now, now });
    expect(await job(SEND_OUTBOX)).toMatchObject({ attempts: 0, failures: 3, last_error: null });
  });

  it("composes reminders at 07:00 in Wales, in winter (UTC) and in summer (UTC+1)", () => {
    expect(nextReminderTime(new Date("2026-12-02T06:59:00Z")).toISOString()).toBe("2026-12-02T07:00:00.000Z");
    expect(nextReminderTime(new Date("2026-12-02T07:00:00Z")).toISOString()).toBe("2026-12-03T07:00:00.000Z");
    expect(nextReminderTime(new Date("2026-07-01T05:30:00Z")).toISOString()).toBe("2026-07-01T06:00:00.000Z");
    expect(nextReminderTime(new Date("2026-07-01T06:30:00Z")).toISOString()).toBe("2026-07-02T06:00:00.000Z");
    // The night the clocks go back (25 October 2026).
    expect(nextReminderTime(new Date("2026-10-24T08:00:00Z")).toISOString()).toBe("2026-10-25T07:00:00.000Z");
  });

  it("removes sessions ended over a day ago and set-password links dead over 30 days; keeps an unused invitation", async () => {
    const now = new Date();
    const ago = (ms: number) => new Date(now.getTime() - ms);
    const user = (await db().selectFrom("app_user").select("id").where("email", "=", COORDINATOR).executeTakeFirstOrThrow()).id;
    const session = (id: string, expires: Date, revoked: Date | null) => ({
      id,
      user_id: user,
      csrf_token: "x",
      created_at: ago(40 * DAY),
      expires_at: expires,
      revoked_at: revoked,
    });
    await db()
      .insertInto("session")
      .values([
        session("live", new Date(now.getTime() + DAY), null),
        session("expired-an-hour-ago", ago(3_600_000), null),
        session("expired-two-days-ago", ago(2 * DAY), null),
        session("revoked-two-days-ago", new Date(now.getTime() + DAY), ago(2 * DAY)),
      ])
      .execute();
    const before = await db().selectFrom("session").select("id").execute();
    expect(await deleteEndedSessions(db(), now)).toBe(2);
    const after = (await db().selectFrom("session").select("id").execute()).map((s) => s.id);
    expect(after).toEqual(expect.arrayContaining(["live", "expired-an-hour-ago"]));
    expect(after).not.toContain("expired-two-days-ago");
    expect(after).not.toContain("revoked-two-days-ago");
    expect(after.length).toBe(before.length - 2);

    const link = (token: string, purpose: "invitation" | "password_reset", fields: { used?: Date; revoked?: Date; expires: Date }) => ({
      user_id: user,
      purpose,
      token_hash: token,
      created_at: ago(60 * DAY),
      expires_at: fields.expires,
      used_at: fields.used ?? null,
      revoked_at: fields.revoked ?? null,
    });
    await db()
      .insertInto("invitation")
      .values([
        link("unused-old-invitation", "invitation", { expires: ago(50 * DAY) }),
        link("used-long-ago", "invitation", { expires: ago(50 * DAY), used: ago(55 * DAY) }),
        link("replaced-long-ago", "password_reset", { expires: ago(50 * DAY), revoked: ago(55 * DAY) }),
        link("reset-expired-long-ago", "password_reset", { expires: ago(50 * DAY) }),
        link("reset-expired-lately", "password_reset", { expires: ago(2 * DAY) }),
      ])
      .execute();
    expect(await deleteExpiredInvitations(db(), now)).toBe(3);
    const kept = (await db().selectFrom("invitation").select("token_hash").execute()).map((i) => i.token_hash);
    expect(kept).toEqual(expect.arrayContaining(["unused-old-invitation", "reset-expired-lately"]));
    expect(kept.filter((t) => ["used-long-ago", "replaced-long-ago", "reset-expired-long-ago"].includes(t))).toEqual([]);
  });
});
