/**
 * Notifications (issue 16): each event tells the people who must act, once, in its own
 * transaction, in each person's language with a link to the place to act; the home page lists a
 * person's own; each person chooses per kind an email each time or a daily digest, which the
 * digest job sends once a day per person, whichever worker runs it. Reminders are notifications
 * too, always emailed: no choice about them is kept, whatever is posted.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as home from "#app/routes/_index.tsx";
import * as settings from "#app/routes/account.notifications.tsx";
import { changeCollectionStatus, getCollection } from "#app/models/collection.server.ts";
import { amendReturn, findReturn } from "#app/models/return.server.ts";
import { acceptReturn, raiseQuery, replyToQuery, resolveQuery } from "#app/models/value-query.server.ts";
import {
  composeDigests,
  composeReminders,
  notifyReturnEvent,
  notifyRoundsOpened,
  saveDeliveryChoices,
} from "#app/models/notification.server.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { useDemoDatabase } from "../support/database.ts";
import { COORDINATOR, get, OFFICER, post, routeArgs, run, signIn, type Visitor } from "../support/requests.ts";
import { submitAs } from "../support/returns.ts";

const ROUND = "2026-12-care-experienced-parents";
const NEWPORT = "W06000022";
const CARDIFF = "W06000015";
const CONWY = "W06000003";
const DAY = 86_400_000;
const VALUES = {
  care_leavers_21_25: { state: "reported", number: "100" },
  care_experienced_parents: { state: "reported", number: "9" },
  care_experienced_parents_child_removed: { state: "unknown", reason: "Not linked yet." },
} as const;

describe("notifications", () => {
  const db = useDemoDatabase();
  const ids = { coordinator: 0, officer: 0, cardiffOfficer: 0 };
  let officerVisitor: Visitor;
  let cardiffVisitor: Visitor;
  let coordinatorVisitor: Visitor;
  const officer = () => ({ userId: ids.officer, role: "officer" as const, authorityCode: NEWPORT });
  const coordinator = () => ({ userId: ids.coordinator, role: "coordinator" as const, authorityCode: null });
  const scope = async () => ({ collection: (await getCollection(db(), ROUND))!, authorityCode: NEWPORT });
  const notificationsOf = (userId: number) =>
    db().selectFrom("notification").selectAll().where("user_id", "=", userId).orderBy("id").execute();
  const emailsTo = (email: string) =>
    db().selectFrom("outbox").select(["kind", "subject", "body", "dedupe_key"]).where("to_email", "=", email).orderBy("id").execute();
  const homeOf = async (visitor: Visitor) => {
    const outcome = await run(() => home.loader(routeArgs(get("/", visitor))));
    if (outcome.kind !== "data") throw new Error(`home page answered ${outcome.status}`);
    return (outcome.data as { notifications: { kind: string; link: string }[] }).notifications;
  };

  beforeAll(async () => {
    for (const [key, email] of [
      ["coordinator", COORDINATOR],
      ["officer", OFFICER.newport],
      ["cardiffOfficer", OFFICER.cardiff],
    ] as const) {
      ids[key] = (await db().selectFrom("app_user").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
    }
    // Newport's officer reads in Welsh.
    await db().updateTable("app_user").set({ language: "cy" }).where("id", "=", ids.officer).execute();
    officerVisitor = await signIn(db(), OFFICER.newport);
    cardiffVisitor = await signIn(db(), OFFICER.cardiff);
    coordinatorVisitor = await signIn(db(), COORDINATOR);
  });

  it("tells the coordinators of a return submitted, in their language, with a link to the return; once per event", async () => {
    await submitAs(db(), ROUND, NEWPORT, VALUES, officer());
    const [notification] = await notificationsOf(ids.coordinator);
    expect(notification).toMatchObject({ kind: "return_submitted", link: `/returns/${ROUND}/${NEWPORT}`, delivery: "email" });
    const [email] = await emailsTo(COORDINATOR);
    expect(email).toMatchObject({ kind: "notification", dedupe_key: `notification:${notification!.id}` });
    expect(email!.subject).toMatch(/^Newport has submitted its return for /);
    expect(email!.body).toContain(`Open the return: http://localhost/returns/${ROUND}/${NEWPORT}`);

    // The same event written again (a retried transaction, a second call) notifies nobody twice.
    const newport = await scope();
    const ret = (await findReturn(db(), newport))!;
    await db()
      .transaction()
      .execute((trx) =>
        notifyReturnEvent(trx, newport, { kind: "return_submitted", version: ret.submitted_version! }, { actorUserId: ids.officer }),
      );
    expect(await notificationsOf(ids.coordinator)).toHaveLength(1);
    expect(await emailsTo(COORDINATOR)).toHaveLength(1);
  });

  it("tells the officers of a query and the coordinator of the reply, each listed on their own home page only", async () => {
    expect(await raiseQuery(db(), await scope(), { itemCode: "care_leavers_21_25", body: "Is 100 right?", actor: coordinator() })).toEqual({
      ok: true,
    });
    const query = await db().selectFrom("value_query").select("id").orderBy("id", "desc").executeTakeFirstOrThrow();
    const [raised] = await emailsTo(OFFICER.newport);
    expect(raised!.kind).toBe("query");
    expect(raised!.subject).toMatch(/^Ymholiad am eich ffurflen ar gyfer /);
    expect(raised!.body).toContain(`Agor yr ymholiad: http://localhost/returns/${ROUND}/${NEWPORT}/queries/${query.id}`);
    expect(raised!.body).not.toContain("Is 100 right?");

    await replyToQuery(db(), await scope(), { queryId: query.id, body: "Yes: two teams merged.", actor: officer() });
    const reply = (await emailsTo(COORDINATOR)).at(-1)!;
    expect(reply.subject).toMatch(/^A reply about Newport's return for /);

    const officerHome = await homeOf(officerVisitor);
    expect(officerHome.map((n) => n.kind)).toEqual(["query_raised"]);
    expect(officerHome[0]!.link).toBe(`/returns/${ROUND}/${NEWPORT}/queries/${query.id}`);
    expect((await homeOf(coordinatorVisitor)).map((n) => n.kind)).toEqual(["query_reply", "return_submitted"]);
    // Another authority's officer sees none of it.
    expect(await homeOf(cardiffVisitor)).toEqual([]);
  });

  it("tells the officers their return is accepted, and the coordinators of an accepted return reopened and resubmitted", async () => {
    const query = await db().selectFrom("value_query").select("id").orderBy("id", "desc").executeTakeFirstOrThrow();
    await resolveQuery(db(), await scope(), { queryId: query.id, body: null, actor: coordinator() });
    const ret = (await findReturn(db(), await scope()))!;
    expect(await acceptReturn(db(), await scope(), { basedOn: ret.lock_version, actor: coordinator() })).toEqual({ ok: true });
    const accepted = (await emailsTo(OFFICER.newport)).at(-1)!;
    expect(accepted.subject).toMatch(/^Mae eich ffurflen ar gyfer .* wedi'i derbyn$/);
    expect(accepted.body).toContain(`Agor eich ffurflen: http://localhost/returns/${ROUND}/${NEWPORT}`);

    const reopened = await amendReturn(db(), await scope(), {
      basedOn: (await findReturn(db(), await scope()))!.lock_version,
      reason: "A late record came in.",
      actor: officer(),
    });
    expect(reopened.ok).toBe(true);
    const changed = (await emailsTo(COORDINATOR)).at(-1)!;
    expect(changed.subject).toMatch(/^Newport is changing its accepted return for /);
    expect(changed.body).toContain("The reason given: A late record came in.");

    await submitAs(db(), ROUND, NEWPORT, { ...VALUES, care_leavers_21_25: { state: "reported", number: "101" } }, officer());
    expect((await emailsTo(COORDINATOR)).at(-1)!.subject).toMatch(/^Newport has submitted an amended return for /);
    expect((await notificationsOf(ids.coordinator)).map((n) => n.kind)).toEqual([
      "return_submitted",
      "query_reply",
      "changed_after_acceptance",
      "amendment_submitted",
    ]);
  });

  it("tells every authority's officers when a round opens, once, whether opened by hand or by the morning job", async () => {
    const collection = (await getCollection(db(), ROUND))!;
    const today = new Date().toISOString().slice(0, 10);
    await db().updateTable("collection").set({ status: "closed", opens_on: today }).where("id", "=", collection.id).execute();
    expect(await changeCollectionStatus(db(), collection, "reopen", ids.coordinator, "Opened again")).toEqual({ ok: true });
    const opened = await db().selectFrom("notification").select("user_id").where("kind", "=", "round_opened").execute();
    const officers = await db().selectFrom("app_user").select("id").where("role", "=", "officer").where("active", "=", true).execute();
    expect(opened.map((n) => n.user_id).sort()).toEqual(officers.map((o) => o.id).sort());
    expect((await emailsTo(OFFICER.cardiff)).at(-1)!.subject).toMatch(/ is open for your return$/);
    // The morning job finds the round open since today and tells nobody again.
    expect(await notifyRoundsOpened(db())).toBe(0);
  });

  it("lets a person choose a daily digest per kind, refusing anything else with nothing changed, audited", async () => {
    const page = await run(() => settings.loader(routeArgs(get("/account/notifications", officerVisitor))));
    expect(page.kind === "data" && (page.data as { choices: { kind: string }[] }).choices.map((c) => c.kind)).toEqual([
      "query_raised",
      "query_reply",
      "return_accepted",
      "round_opened",
    ]);
    const choices = { query_raised: "digest", query_reply: "email", return_accepted: "email", round_opened: "email" };
    const refused = await run(() =>
      settings.action(routeArgs(post("/account/notifications", { ...choices, query_raised: "weekly" }, officerVisitor))),
    );
    expect(refused).toMatchObject({ kind: "data", status: 400, data: { errors: { query_raised: "notifications.error.delivery" } } });
    const missing = await run(() => settings.action(routeArgs(post("/account/notifications", { query_raised: "digest" }, officerVisitor))));
    expect(missing).toMatchObject({ kind: "data", status: 400 });
    expect(await db().selectFrom("notification_preference").selectAll().execute()).toEqual([]);
    // Without the CSRF token: refused.
    const forged = await run(() => settings.action(routeArgs(post("/account/notifications", choices, officerVisitor, { csrf: false }))));
    expect(forged.kind === "response" && forged.status).toBe(403);

    const saved = await run(() => settings.action(routeArgs(post("/account/notifications", choices, officerVisitor))));
    expect(saved).toMatchObject({ kind: "response", status: 302, location: "/account/notifications?done=saved" });
    expect(await db().selectFrom("notification_preference").select(["user_id", "kind", "delivery"]).execute()).toEqual([
      { user_id: ids.officer, kind: "query_raised", delivery: "digest" },
    ]);
    const audit = await db()
      .selectFrom("audit_log")
      .select(["before", "after"])
      .where("action", "=", "account.notification_preferences")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toEqual({ query_raised: "digest" });
  });

  it("keeps a digested kind off email until the digest, which the job sends once per person and day, in their language", async () => {
    const before = (await emailsTo(OFFICER.newport)).length;
    await raiseQuery(db(), await scope(), { itemCode: "care_experienced_parents", body: "And 9?", actor: coordinator() });
    await raiseQuery(db(), await scope(), { itemCode: "care_leavers_21_25", body: "And 101?", actor: coordinator() });
    expect(await emailsTo(OFFICER.newport)).toHaveLength(before);
    expect((await homeOf(officerVisitor)).slice(0, 2).map((n) => n.kind)).toEqual(["query_raised", "query_raised"]);

    // Two workers' runs at once: one digest.
    const runs = await Promise.all([composeDigests(db()), composeDigests(db())]);
    expect(runs.reduce((sum, r) => sum + r.digests, 0)).toBe(1);
    const digests = (await emailsTo(OFFICER.newport)).filter((e) => e.kind === "digest");
    expect(digests).toHaveLength(1);
    expect(digests[0]!.subject).toBe("Eich crynodeb dyddiol: 2 hysbysiad");
    expect(digests[0]!.body).toContain("Dyma beth sydd wedi digwydd ers eich crynodeb diwethaf:");
    expect(digests[0]!.body.match(/• Ymholiad am eich ffurflen ar gyfer /g)).toHaveLength(2);
    expect(digests[0]!.body).toContain("http://localhost/account/notifications");

    // Nothing waiting: no digest. Something new the same day waits for tomorrow's.
    expect(await composeDigests(db())).toEqual({ digests: 0, considered: 0 });
    await raiseQuery(db(), await scope(), {
      itemCode: "care_experienced_parents_child_removed",
      body: "Why unknown?",
      actor: coordinator(),
    });
    expect((await composeDigests(db())).digests).toBe(0);
    const tomorrow = new Date(Date.now() + 86_400_000);
    expect((await composeDigests(db(), { now: tomorrow })).digests).toBe(1);
    expect((await emailsTo(OFFICER.newport)).filter((e) => e.kind === "digest")).toHaveLength(2);
  });

  it("reminds the officers of each return not submitted, in their language, listed at home with its link; always emailed, whatever is posted", async () => {
    // A forged choice about reminders: the settings page reads only the kinds a person may choose about.
    const everyEmail = { query_raised: "email", query_reply: "email", return_accepted: "email", round_opened: "email" };
    const forged = await run(() =>
      settings.action(
        routeArgs(post("/account/notifications", { ...everyEmail, reminder_due: "digest", reminder_overdue: "digest" }, cardiffVisitor)),
      ),
    );
    expect(forged).toMatchObject({ kind: "response", status: 302 });
    const cardiffUser = { id: ids.cardiffOfficer, role: "officer" as const, authorityCode: CARDIFF };
    expect(await saveDeliveryChoices(db(), cardiffUser, { reminder_due: "digest", reminder_overdue: "digest" })).toBe(0);
    const reminderChoices = () =>
      db().selectFrom("notification_preference").select("kind").where("kind", "in", ["reminder_due", "reminder_overdue"]).execute();
    expect(await reminderChoices()).toEqual([]);
    // Nor can anything else store one, nor write a reminder to be digested.
    await expect(
      db()
        .insertInto("notification_preference")
        .values({ user_id: ids.cardiffOfficer, kind: "reminder_due", delivery: "digest" })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db()
        .insertInto("notification")
        .values({
          user_id: ids.cardiffOfficer,
          kind: "reminder_due",
          event_key: "forged",
          link: "/",
          words: JSON.stringify({ collection: { en: "x", cy: "x" } }),
          delivery: "digest",
        })
        .execute(),
    ).rejects.toThrow();
    const page = await run(() => settings.loader(routeArgs(get("/account/notifications", cardiffVisitor))));
    expect(page).toMatchObject({ kind: "data", data: { alwaysEmailed: ["reminder_due", "reminder_overdue"] } });
    expect((page as { data: { choices: { kind: string }[] } }).data.choices.map((c) => c.kind)).not.toContain("reminder_due");
    const coordinatorPage = await run(() => settings.loader(routeArgs(get("/account/notifications", coordinatorVisitor))));
    expect(coordinatorPage).toMatchObject({ kind: "data", data: { alwaysEmailed: [] } });

    // Due in three days; Newport has submitted, Cardiff and Conwy have not. Conwy's officer reads in Welsh.
    const now = new Date();
    const today = todayInWales(now);
    const inDays = (days: number) => todayInWales(new Date(now.getTime() + days * DAY));
    const collection = (await getCollection(db(), ROUND))!;
    await db()
      .updateTable("collection")
      .set({ opens_on: inDays(-10), due_on: inDays(3) })
      .where("id", "=", collection.id)
      .execute();
    await db().updateTable("app_user").set({ language: "cy" }).where("email", "=", OFFICER.conwy).execute();
    const conwyVisitor = await signIn(db(), OFFICER.conwy);
    const officers = await db().selectFrom("app_user").select("id").where("role", "=", "officer").where("active", "=", true).execute();

    const due = await composeReminders(db(), { now });
    expect(due.queued).toBe(officers.length - 1);
    expect(await notificationsOf(ids.officer).then((all) => all.filter((n) => n.kind.startsWith("reminder_")))).toEqual([]);
    const [cardiffReminder] = (await notificationsOf(ids.cardiffOfficer)).filter((n) => n.kind === "reminder_due");
    expect(cardiffReminder).toMatchObject({
      link: `/returns/${ROUND}/${CARDIFF}`,
      delivery: "email",
      event_key: `reminder_due:${collection.id}:${CARDIFF}:${today}`,
    });
    const cardiffEmail = (await emailsTo(OFFICER.cardiff)).at(-1)!;
    expect(cardiffEmail.kind).toBe("reminder_due");
    expect(cardiffEmail.subject).toMatch(
      /^Reminder: your return for Care-experienced young people who are parents \(December 2026\) is due by /,
    );
    expect(cardiffEmail.body).toContain(`Open your return: http://localhost/returns/${ROUND}/${CARDIFF}`);
    const conwyEmail = (await emailsTo(OFFICER.conwy)).at(-1)!;
    expect(conwyEmail.subject).toMatch(/^Nodyn atgoffa: mae eich ffurflen ar gyfer .* i'w chyflwyno erbyn /);
    expect(conwyEmail.body).toContain(`Agor eich ffurflen: http://localhost/returns/${ROUND}/${CONWY}`);
    expect(conwyEmail.body).not.toContain("Dear ");
    expect((await homeOf(cardiffVisitor))[0]).toMatchObject({ kind: "reminder_due", link: `/returns/${ROUND}/${CARDIFF}` });
    expect((await homeOf(conwyVisitor))[0]).toMatchObject({ kind: "reminder_due", link: `/returns/${ROUND}/${CONWY}` });
    // Nobody's reminder is on another's home page.
    expect((await homeOf(officerVisitor)).some((n) => n.kind.startsWith("reminder_"))).toBe(false);
    expect((await homeOf(coordinatorVisitor)).some((n) => n.kind.startsWith("reminder_"))).toBe(false);

    // Again the same day: nothing. Five days on, overdue: a new reminder, which replaces the first on the home page.
    expect(await composeReminders(db(), { now })).toEqual({ queued: 0, considered: officers.length - 1 });
    const later = new Date(now.getTime() + 5 * DAY);
    expect((await composeReminders(db(), { now: later })).queued).toBe(officers.length - 1);
    expect((await emailsTo(OFFICER.cardiff)).at(-1)!.subject).toMatch(/^Overdue: your return for /);
    const cardiffHome = await homeOf(cardiffVisitor);
    expect(cardiffHome.filter((n) => n.kind.startsWith("reminder_")).map((n) => n.kind)).toEqual(["reminder_overdue"]);
    expect((await notificationsOf(ids.cardiffOfficer)).filter((n) => n.kind.startsWith("reminder_"))).toHaveLength(2);
  });
});
