import { sql } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import * as outboxPage from "#app/routes/outbox.tsx";
import * as chase from "#app/routes/collections.$code.chase.$authorityCode.tsx";
import * as retry from "#app/routes/outbox_.$emailId.retry.tsx";
import * as decide from "#app/routes/outbox_.$emailId.decide.tsx";
import { inProcessPortal, serverBuild } from "./support/hardening.ts";
import { composeReminders } from "#app/models/notification.server.ts";
import {
  DeliveryUncertain,
  idempotencyKey,
  MAX_ATTEMPTS,
  nextEmailDue,
  outboxBacklog,
  queueChase,
  queueEmail,
  queueEmails,
  retryDeadLetter,
  sendPending,
  type MailTransport,
  type OutgoingEmail,
} from "#app/models/outbox.server.ts";
import { useDemoDatabase } from "./support/database.ts";
import { ANALYST, COORDINATOR, get, OFFICER, post, routeArgs, run, signIn, type Visitor } from "./support/requests.ts";
import { giveSecondFactor } from "./support/two-factor.ts";
import { gate } from "./support/gate.ts";
import { smtpServer, type Delivery } from "./support/worker.ts";

const ROUND = "2026-12-care-experienced-parents";
const CARDIFF = "W06000015";
const NEWPORT = "W06000022";
const CONWY = "W06000003";
const BASE = "https://portal.example";
const SENDER = { workerId: "test-sender", leaseMs: 60_000 };

// The round is due on 18 December 2026.
const TOO_EARLY = new Date("2026-12-01T10:00:00Z");
const DUE_SOON = new Date("2026-12-14T09:00:00Z");
const OVERDUE = new Date("2026-12-21T09:00:00Z");

describe("the outbox and reminders", () => {
  const db = useDemoDatabase();
  let collectionId: number;
  let coordinator: Visitor;

  const outbox = () => db().selectFrom("outbox").selectAll().orderBy("id").execute();
  const officerEmails = async () =>
    (await db().selectFrom("app_user").select(["email", "authority_code"]).where("role", "=", "officer").execute())
      .map((u) => u.email)
      .sort();

  /** A transport that keeps what it was given, handed over as a real one does. */
  function fakeTransport() {
    const sent: OutgoingEmail[] = [];
    const transport: MailTransport = {
      async send(email, handOver) {
        await handOver();
        sent.push(email);
      },
    };
    return { sent, transport };
  }

  /** A page as the coordinator sees it; a signed-in person's pages are in the language of their account. */
  async function html(path: string, lang: "en" | "cy") {
    await db().updateTable("app_user").set({ language: lang }).where("id", "=", coordinator.userId).execute();
    const response = await inProcessPortal(await serverBuild())(
      new Request(`http://localhost${path}`, { headers: { Cookie: coordinator.cookie } }),
    );
    // Without React's markers between neighbouring texts.
    return (await response.text()).replaceAll("<!-- -->", "");
  }

  beforeAll(async () => {
    collectionId = (await db().selectFrom("collection").select("id").where("code", "=", ROUND).executeTakeFirstOrThrow()).id;
    coordinator = await signIn(db(), COORDINATOR);
  });

  it("reminds nobody while the due date is more than a week away", async () => {
    expect(await composeReminders(db(), { now: TOO_EARLY, baseUrl: BASE })).toEqual({ queued: 0, considered: 0 });
    expect(await outbox()).toHaveLength(0);
  });

  it("reminds each officer of the 22 authorities once, in their own language, when the return is due within the week", async () => {
    // Cardiff's officer reads in Welsh; every other demo officer in English.
    await db().updateTable("app_user").set({ language: "cy" }).where("email", "=", OFFICER.cardiff).execute();
    const result = await composeReminders(db(), { now: DUE_SOON, baseUrl: BASE });
    expect(result.queued).toBe(22);
    const emails = await outbox();
    expect(emails).toHaveLength(22);
    expect(emails.every((e) => e.kind === "reminder_due" && e.collection_id === collectionId && e.sent_at === null)).toBe(true);
    expect(emails.map((e) => e.to_email).sort()).toEqual(await officerEmails());
    expect(new Set(emails.map((e) => e.authority_code)).size).toBe(22);

    const cardiff = emails.find((e) => e.to_email === OFFICER.cardiff)!;
    expect(cardiff.language).toBe("cy");
    expect(cardiff.subject).toBe(
      "Nodyn atgoffa: mae eich ffurflen ar gyfer Pobl ifanc â phrofiad o ofal sy'n rhieni (Rhagfyr 2026) i'w chyflwyno erbyn 18 Rhagfyr 2026",
    );
    expect(cardiff.body).toMatch(/^Annwyl Demo Officer \(Cardiff\),/);
    expect(cardiff.body).not.toContain("Dear ");
    expect(cardiff.body).toContain(
      "ffurflen Caerdydd ar gyfer Pobl ifanc â phrofiad o ofal sy'n rhieni (Rhagfyr 2026) i'w chyflwyno erbyn 18 Rhagfyr 2026",
    );
    expect(cardiff.body).toContain(`Agor eich ffurflen: ${BASE}/returns/${ROUND}/${CARDIFF}`);
    const cardiffOfficer = (await signIn(db(), OFFICER.cardiff)).userId;
    expect(cardiff.dedupe_key).toBe(`reminder_due:${collectionId}:${cardiffOfficer}:2026-12-14`);

    const newport = emails.find((e) => e.to_email === OFFICER.newport)!;
    expect(newport.language).toBe("en");
    expect(newport.subject).toBe(
      "Reminder: your return for Care-experienced young people who are parents (December 2026) is due by 18 December 2026",
    );
    expect(newport.body).toMatch(/^Dear Demo Officer \(Newport\),/);
    expect(newport.body).toContain(
      "Newport's return for Care-experienced young people who are parents (December 2026) is due by 18 December 2026",
    );
    expect(newport.body).toContain(`Open your return: ${BASE}/returns/${ROUND}/${NEWPORT}`);

    // Each is also a notification, always emailed, with the path to the return.
    const notifications = await db().selectFrom("notification").selectAll().execute();
    expect(notifications).toHaveLength(22);
    expect(notifications.every((n) => n.kind === "reminder_due" && n.delivery === "email")).toBe(true);
    expect(notifications.find((n) => n.user_id === cardiffOfficer)).toMatchObject({
      link: `/returns/${ROUND}/${CARDIFF}`,
      event_key: `reminder_due:${collectionId}:${CARDIFF}:2026-12-14`,
      words: { due: "2026-12-18", authority: { en: "Cardiff", cy: "Caerdydd" } },
    });
  });

  it("adds nothing when run again the same day, on this instance or another", async () => {
    const later = new Date(DUE_SOON.getTime() + 6 * 3600_000);
    const [first, second] = await Promise.all([
      composeReminders(db(), { now: later, baseUrl: BASE }),
      composeReminders(db(), { now: later, baseUrl: BASE }),
    ]);
    expect(first.queued + second.queued).toBe(0);
    expect(await outbox()).toHaveLength(22);
    expect(await db().selectFrom("notification").select("id").execute()).toHaveLength(22);
  });

  it("sends what waits through the transport and marks it sent; nothing is sent twice, even by two senders at once", async () => {
    const { sent, transport } = fakeTransport();
    const [a, b] = await Promise.all([
      sendPending(db(), transport, SENDER),
      sendPending(db(), transport, { ...SENDER, workerId: "other" }),
    ]);
    expect(a.sent + b.sent).toBe(22);
    expect(a.failed + b.failed).toBe(0);
    expect(sent).toHaveLength(22);
    expect(new Set(sent.map((e) => e.to)).size).toBe(22);
    const welsh = sent.find((e) => e.to === OFFICER.cardiff)!;
    expect(welsh.subject).toMatch(/^Nodyn atgoffa: /);
    expect(welsh.text).toMatch(/^Annwyl /);
    expect(sent.filter((e) => e.subject.startsWith("Reminder: "))).toHaveLength(21);
    const emails = await outbox();
    expect(emails.every((e) => e.sent_at !== null && e.attempts === 1 && e.last_error === null)).toBe(true);
    expect(new Set(sent.map((e) => e.idempotencyKey)).size).toBe(22);
    expect(await sendPending(db(), transport, SENDER)).toEqual({ sent: 0, failed: 0, uncertain: 0 });
  });

  it("reminds the authorities that have not submitted once the return is overdue: not those that submitted, nor deactivated officers", async () => {
    // Cardiff has submitted; Conwy submitted and is amending (its submitted version stands); Newport has only a draft.
    const returns = await db()
      .insertInto("return")
      .values([
        { collection_id: collectionId, authority_code: CARDIFF, status: "submitted", submitted_version: 1 },
        { collection_id: collectionId, authority_code: CONWY, status: "draft", submitted_version: 1 },
        { collection_id: collectionId, authority_code: NEWPORT, status: "draft" },
      ])
      .returning(["id", "submitted_version"])
      .execute();
    await db()
      .insertInto("return_version")
      .values(
        returns
          .filter((r) => r.submitted_version)
          .map((r) => ({ return_id: r.id, version: 1, signed_off_name: "A. Person", signed_off_role: "Head of Service" })),
      )
      .execute();
    await db().updateTable("app_user").set({ active: false }).where("email", "=", "officer.swansea@authorities.example").execute();

    const result = await composeReminders(db(), { now: OVERDUE, baseUrl: BASE });
    expect(result.queued).toBe(19);
    const overdue = (await outbox()).filter((e) => e.kind === "reminder_overdue");
    expect(overdue).toHaveLength(19);
    const to = overdue.map((e) => e.to_email);
    expect(to).not.toContain(OFFICER.cardiff);
    expect(to).not.toContain(OFFICER.conwy);
    expect(to).not.toContain("officer.swansea@authorities.example");
    expect(to).toContain(OFFICER.newport);
    const newport = overdue.find((e) => e.to_email === OFFICER.newport)!;
    expect(newport.subject).toMatch(/^Overdue: your return for .* was due by 18 December 2026$/);
    expect(newport.body).toContain("Newport's return for");
    expect(newport.body).not.toContain("Casnewydd");
  });

  it("records a failed send, tries again after a growing wait, gives up after the last attempt; a coordinator's retry sends it", async () => {
    const failing = { send: async () => Promise.reject(new Error("550 mailbox unavailable")) };
    const start = Date.now();
    expect(await sendPending(db(), failing, SENDER)).toEqual({ sent: 0, failed: 19, uncertain: 0 });
    const overdue = async () => (await outbox()).filter((e) => e.kind === "reminder_overdue");
    let waiting = await overdue();
    expect(
      waiting.every((e) => e.sent_at === null && e.dead_at === null && e.attempts === 1 && e.last_error === "550 mailbox unavailable"),
    ).toBe(true);
    // The next attempt a minute later, not at once.
    expect(waiting.every((e) => new Date(e.next_attempt_at).getTime() >= start + 60_000)).toBe(true);
    expect(await sendPending(db(), failing, SENDER)).toEqual({ sent: 0, failed: 0, uncertain: 0 });

    // A minute on: the second attempt fails too, and the next waits two minutes.
    const later = (ms: number) => () => new Date(Date.now() + ms);
    expect(await sendPending(db(), failing, { ...SENDER, now: later(61_000) })).toEqual({ sent: 0, failed: 19, uncertain: 0 });
    waiting = await overdue();
    expect(waiting.every((e) => e.attempts === 2 && new Date(e.next_attempt_at).getTime() >= start + 61_000 + 120_000)).toBe(true);

    // The last attempt fails: a dead letter, never tried again by itself.
    expect(await sendPending(db(), failing, { ...SENDER, maxAttempts: 3, now: later(200_000) })).toEqual({
      sent: 0,
      failed: 19,
      uncertain: 0,
    });
    expect((await overdue()).every((e) => e.dead_at !== null && e.attempts === 3)).toBe(true);
    const { sent, transport } = fakeTransport();
    expect(await sendPending(db(), transport, { ...SENDER, now: later(86_400_000) })).toEqual({ sent: 0, failed: 0, uncertain: 0 });
    expect(MAX_ATTEMPTS).toBeGreaterThan(3);

    const actor = { userId: coordinator.userId, role: "coordinator" as const, authorityCode: null };
    for (const email of await overdue()) expect(await retryDeadLetter(db(), { id: email.id, actor })).toBe(true);
    expect(await retryDeadLetter(db(), { id: (await overdue())[0]!.id, actor })).toBe(false);
    expect(await sendPending(db(), transport, SENDER)).toEqual({ sent: 19, failed: 0, uncertain: 0 });
    expect(sent).toHaveLength(19);
    expect((await overdue()).every((e) => e.sent_at !== null && e.dead_at === null && e.attempts === 1 && e.last_error === null)).toBe(
      true,
    );
    const audited = await db()
      .selectFrom("audit_log")
      .select(["actor_user_id", "entity_key"])
      .where("action", "=", "outbox.retry")
      .execute();
    expect(audited).toHaveLength(19);
    expect(audited.every((a) => a.actor_user_id === coordinator.userId)).toBe(true);
  });

  it("queues a coordinator's chase of one authority, audited, once a day; refuses one that has submitted", async () => {
    const actor = { userId: coordinator.userId, role: "coordinator" as const, authorityCode: null };
    const now = new Date("2026-12-19T10:00:00Z");
    expect(await queueChase(db(), { collectionId, authorityCode: NEWPORT, actor, baseUrl: BASE, now })).toEqual({ ok: true, queued: 1 });
    const email = (await outbox()).find((e) => e.kind === "chase")!;
    expect(email).toMatchObject({ to_email: OFFICER.newport, authority_code: NEWPORT, collection_id: collectionId });
    expect(email.subject).toBe(
      "Mae ADSS Cymru yn gofyn am eich ffurflen ar gyfer Pobl ifanc â phrofiad o ofal sy'n rhieni (Rhagfyr 2026)" +
        " / ADSS Cymru is asking for your return for Care-experienced young people who are parents (December 2026)",
    );
    expect(email.body).toContain("Nid yw ADSS Cymru wedi cael ffurflen Casnewydd");
    expect(email.body).toContain("ADSS Cymru has not yet received Newport's return");
    const audit = await db().selectFrom("audit_log").selectAll().where("action", "=", "return.chase").execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_user_id: coordinator.userId,
      entity: "collection",
      entity_key: String(collectionId),
      authority_code: NEWPORT,
    });

    expect(await queueChase(db(), { collectionId, authorityCode: NEWPORT, actor, baseUrl: BASE, now })).toEqual({ ok: true, queued: 0 });
    expect((await outbox()).filter((e) => e.kind === "chase")).toHaveLength(1);
    expect(await queueChase(db(), { collectionId, authorityCode: CARDIFF, actor, baseUrl: BASE, now })).toEqual({
      ok: false,
      reason: "submitted",
    });
    await expect(
      queueChase(db(), {
        collectionId,
        authorityCode: NEWPORT,
        actor: { userId: 1, role: "officer", authorityCode: NEWPORT },
        baseUrl: BASE,
        now,
      }),
    ).rejects.toThrow();
  });

  it("chases from its check page: a coordinator's POST with its CSRF token, then back to the board; 404 for anyone else", async () => {
    const path = `/collections/${ROUND}/chase/W06000024`;
    const params = { code: ROUND, authorityCode: "W06000024" };
    const before = (await outbox()).length;
    expect(await run(() => chase.action(routeArgs(post(path, {}, coordinator, { csrf: false }), params) as never))).toMatchObject({
      status: 403,
    });
    for (const email of [OFFICER.cardiff, ANALYST]) {
      const visitor = await signIn(db(), email);
      expect(await run(() => chase.action(routeArgs(post(path, {}, visitor), params) as never))).toMatchObject({ status: 404 });
    }
    expect(
      await run(() =>
        chase.action(
          routeArgs(post(`/collections/${ROUND}/chase/W00000000`, {}, coordinator), { ...params, authorityCode: "W00000000" }) as never,
        ),
      ),
    ).toMatchObject({
      status: 404,
    });
    // Its address is the check page of what the chase will send: asking for it sends nothing.
    expect(await run(() => chase.loader(routeArgs(get(path, coordinator), params) as never))).toMatchObject({
      status: 200,
      data: { refusal: null, recipients: [{ email: "officer.merthyr-tydfil@authorities.example" }] },
    });
    expect((await outbox()).length).toBe(before);

    const outcome = await run(() => chase.action(routeArgs(post(path, {}, coordinator), params) as never));
    expect(outcome).toMatchObject({ kind: "response", status: 302, location: `/collections/${ROUND}/board?chased=W06000024` });
    const queued = (await outbox()).filter((e) => e.kind === "chase" && e.authority_code === "W06000024");
    expect(queued).toHaveLength(1);
    expect(queued[0]!.body).toContain("http://localhost/returns/");
  });

  it("shows the outbox to coordinators only, newest first; an invitation's link only to an admin", async () => {
    for (const email of [OFFICER.cardiff, ANALYST]) {
      const visitor = await signIn(db(), email);
      expect(await run(() => outboxPage.loader(routeArgs(get("/outbox", visitor)) as never))).toMatchObject({ status: 404 });
      expect(await run(() => outboxPage.action(routeArgs(post("/outbox", { intent: "compose" }, visitor)) as never))).toMatchObject({
        status: 404,
      });
    }
    // Queued after the reminders above, which were composed "in" December.
    await queueEmail(db(), {
      kind: "invitation",
      to: "new@authorities.example",
      subject: "Invitation",
      body: "Set your password: https://x/set-password/secret",
      createdAt: new Date("2026-12-22T09:00:00Z"),
    });
    const { id } = await db()
      .insertInto("app_user")
      .values({ email: "plain.coordinator@adss-cymru.example", name: "Plain Coordinator", role: "coordinator" })
      .returning("id")
      .executeTakeFirstOrThrow();
    expect(id).toBeGreaterThan(0);
    await giveSecondFactor(db(), id);
    const plain = await signIn(db(), "plain.coordinator@adss-cymru.example");

    type Page = Awaited<ReturnType<typeof outboxPage.loader>>;
    const asAdmin = (await run(() => outboxPage.loader(routeArgs(get("/outbox", coordinator)) as never))) as { data: Page };
    const asPlain = (await run(() => outboxPage.loader(routeArgs(get("/outbox", plain)) as never))) as { data: Page };
    expect(asAdmin.data.canSend).toBe(false);
    const newest = asAdmin.data.emails[0]!;
    expect(newest).toMatchObject({ kind: "invitation", body: "Set your password: https://x/set-password/secret" });
    expect(asPlain.data.emails[0]).toMatchObject({ kind: "invitation", body: null });
    expect(asPlain.data.emails.filter((e) => e.kind !== "invitation").every((e) => e.body !== null)).toBe(true);
    const created = asAdmin.data.emails.map((e) => new Date(e.created_at).getTime());
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });

  it("composes reminders from the outbox page's button, audited, and comes back to the page", async () => {
    expect(
      await run(() => outboxPage.action(routeArgs(post("/outbox", { intent: "compose" }, coordinator, { csrf: false })) as never)),
    ).toMatchObject({
      status: 403,
    });
    const outcome = await run(() => outboxPage.action(routeArgs(post("/outbox", { intent: "compose" }, coordinator)) as never));
    expect(outcome).toMatchObject({ kind: "response", status: 302, location: expect.stringMatching(/^\/outbox\?composed=\d+$/) });
    // Without an email server there is no sending, whatever is posted.
    expect(await run(() => outboxPage.action(routeArgs(post("/outbox", { intent: "send" }, coordinator)) as never))).toMatchObject({
      status: 302,
      location: "/outbox",
    });
    const audited = await db()
      .selectFrom("audit_log")
      .select(["actor_user_id", "after"])
      .where("action", "=", "outbox.compose_reminders")
      .execute();
    // The runs above that queued something, by the portal itself (no actor).
    expect(audited.length).toBeGreaterThanOrEqual(2);
  });

  it("shows a given-up email on the outbox page in English and Welsh; a coordinator's retry (CSRF, audited) sends it again", async () => {
    // What the tests above left waiting goes first.
    await sendPending(db(), fakeTransport().transport, SENDER);
    await queueEmail(db(), { kind: "query", to: "given.up@authorities.example", subject: "A question", body: "Why?" });
    const failing = { send: async () => Promise.reject(new Error("421 try again later")) };
    expect(await sendPending(db(), failing, SENDER)).toEqual({ sent: 0, failed: 1, uncertain: 0 });
    expect(await sendPending(db(), failing, { ...SENDER, maxAttempts: 2, now: () => new Date(Date.now() + 61_000) })).toEqual({
      sent: 0,
      failed: 1,
      uncertain: 0,
    });
    const email = (await outbox()).find((e) => e.to_email === "given.up@authorities.example")!;
    expect(email.dead_at).not.toBeNull();

    const english = await html("/outbox", "en");
    expect(english).toContain('<strong class="govuk-tag govuk-tag--red">Given up</strong>');
    expect(english).toContain("Not sent after 2 attempts. Last error: 421 try again later");
    expect(english).toContain(`action="/outbox/${email.id}/retry"`);
    expect(english).toContain('Try again<span class="govuk-visually-hidden">: sending the email to given.up@authorities.example</span>');
    const welsh = await html("/outbox", "cy");
    expect(welsh).toContain("Wedi rhoi&#x27;r gorau iddi");
    expect(welsh).toContain("Heb ei anfon ar ôl 2 ymgais. Y gwall diwethaf: 421 try again later");
    expect(welsh).toContain("Ceisio eto");

    const path = `/outbox/${email.id}/retry`;
    const params = { emailId: email.id };
    expect(await run(() => retry.action(routeArgs(post(path, {}, coordinator, { csrf: false }), params) as never))).toMatchObject({
      status: 403,
    });
    for (const who of [OFFICER.cardiff, ANALYST]) {
      const visitor = await signIn(db(), who);
      expect(await run(() => retry.action(routeArgs(post(path, {}, visitor), params) as never))).toMatchObject({ status: 404 });
    }
    expect(await run(() => retry.loader(routeArgs(get(path, coordinator), params) as never))).toMatchObject({
      status: 302,
      location: "/outbox",
    });
    expect((await outbox()).find((e) => e.id === email.id)!.dead_at).not.toBeNull();

    expect(await run(() => retry.action(routeArgs(post(path, {}, coordinator), params) as never))).toMatchObject({
      status: 302,
      location: "/outbox?retried=1",
    });
    expect(await run(() => retry.action(routeArgs(post(path, {}, coordinator), params) as never))).toMatchObject({
      status: 302,
      location: "/outbox?retried=0",
    });
    for (const odd of ["abc", "99999999999"])
      expect(
        await run(() => retry.action(routeArgs(post(`/outbox/${odd}/retry`, {}, coordinator), { emailId: odd }) as never)),
      ).toMatchObject({ status: 302, location: "/outbox?retried=0" });
    expect(await html("/outbox?retried=1", "en")).toContain("The email is waiting to be sent again.");
    expect(await html("/outbox?retried=1", "cy")).toContain("Mae&#x27;r e-bost yn aros i gael ei anfon eto.");
    const audited = await db()
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "outbox.retry")
      .where("entity_key", "=", email.id)
      .execute();
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actor_user_id: coordinator.userId, entity: "outbox" });

    const { sent, transport } = fakeTransport();
    expect(await sendPending(db(), transport, SENDER)).toEqual({ sent: 1, failed: 0, uncertain: 0 });
    expect(sent.map((e) => e.to)).toEqual(["given.up@authorities.example"]);
    await db().updateTable("app_user").set({ language: "en" }).where("id", "=", coordinator.userId).execute();
  });

  it("sends an email that fell due within the millisecond of the claim: the database keeps microseconds", async () => {
    await sendPending(db(), fakeTransport().transport, SENDER);
    await queueEmail(db(), { kind: "query", to: "same.millisecond@authorities.example", subject: "A question", body: "Why?" });
    const claimAt = new Date();
    await db()
      .updateTable("outbox")
      .set({ next_attempt_at: sql<Date>`${claimAt}::timestamptz + interval '400 microseconds'` })
      .where("to_email", "=", "same.millisecond@authorities.example")
      .execute();
    const { sent, transport } = fakeTransport();
    expect(await sendPending(db(), transport, { ...SENDER, now: () => claimAt })).toEqual({ sent: 1, failed: 0, uncertain: 0 });
    expect(sent.map((e) => e.to)).toEqual(["same.millisecond@authorities.example"]);
  });

  /** A time past every lease SENDER takes: what a sender that died long ago has left. */
  const afterLease = () => new Date(Date.now() + SENDER.leaseMs + 1000);
  const emailTo = async (to: string) => (await outbox()).find((e) => e.to_email === to)!;

  it("marks uncertain an email whose sender stopped after handing it over, and never sends it again by itself; the sender's late answer counts", async () => {
    await sendPending(db(), fakeTransport().transport, SENDER);
    const to = "slow.answer@authorities.example";
    await queueEmail(db(), { kind: "query", to, subject: "A question", body: "Why?" });
    const handedOver = gate();
    const answered = gate();
    const slow: MailTransport = {
      async send(_email, handOver) {
        await handOver();
        handedOver.open();
        await answered.opened;
      },
    };
    const slowSending = sendPending(db(), slow, { ...SENDER, workerId: "slow" });
    await handedOver.opened;
    expect(await emailTo(to)).toMatchObject({ locked_by: "slow", sent_at: null, uncertain_at: null, handed_over_at: expect.any(Date) });

    // Within the lease nobody touches it; after it, the next sender finds it uncertain and does not send it.
    const other = fakeTransport();
    const otherSender = { ...SENDER, workerId: "other" };
    expect(await sendPending(db(), other.transport, otherSender)).toEqual({ sent: 0, failed: 0, uncertain: 0 });
    expect(await sendPending(db(), other.transport, { ...otherSender, now: afterLease })).toEqual({ sent: 0, failed: 0, uncertain: 1 });
    expect(await sendPending(db(), other.transport, { ...otherSender, now: afterLease })).toEqual({ sent: 0, failed: 0, uncertain: 0 });
    expect(other.sent).toEqual([]);
    expect(await emailTo(to)).toMatchObject({
      sent_at: null,
      uncertain_at: expect.any(Date),
      locked_by: null,
      locked_until: null,
      attempts: 1,
      last_error: "handed over by slow, which stopped before recording the answer",
    });
    expect(await outboxBacklog(db())).toMatchObject({ waiting: 0, uncertain: 1 });
    // Nothing for a worker to wake for.
    expect(await nextEmailDue(db())).toBeNull();

    // The slow sender hears the server accept it after all: sent, no longer in doubt.
    answered.open();
    expect(await slowSending).toEqual({ sent: 1, failed: 0, uncertain: 0 });
    expect(await emailTo(to)).toMatchObject({ sent_at: expect.any(Date), uncertain_at: null, last_error: null, locked_by: null });
  });

  it("lets another sender send an email whose sender was too slow to hand it over before its lease ran out: sent once", async () => {
    const to = "slow.connect@authorities.example";
    await queueEmail(db(), { kind: "query", to, subject: "A question", body: "Why?" });
    const connecting = gate();
    const connected = gate();
    const slowSent: OutgoingEmail[] = [];
    const slowToConnect: MailTransport = {
      async send(email, handOver) {
        connecting.open();
        await connected.opened;
        await handOver();
        slowSent.push(email);
      },
    };
    const slowSending = sendPending(db(), slowToConnect, { ...SENDER, workerId: "slow" });
    await connecting.opened;
    const other = fakeTransport();
    expect(await sendPending(db(), other.transport, { ...SENDER, workerId: "other", now: afterLease })).toEqual({
      sent: 1,
      failed: 0,
      uncertain: 0,
    });
    connected.open();
    expect(await slowSending).toEqual({ sent: 0, failed: 0, uncertain: 0 });
    expect(slowSent).toEqual([]);
    expect(other.sent.map((e) => e.to)).toEqual([to]);
    expect(await emailTo(to)).toMatchObject({ sent_at: expect.any(Date), uncertain_at: null, attempts: 2 });
  });

  it("keeps a handover the server never answered for a coordinator, who sends it again or marks it sent (both languages, CSRF, audited)", async () => {
    const unanswered = ["no.answer.1@authorities.example", "no.answer.2@authorities.example"];
    const refused = "refused.after.handover@authorities.example";
    await queueEmails(
      db(),
      [...unanswered, refused].map((to) => ({ kind: "query" as const, to, subject: `A question for ${to}`, body: "Why?" })),
    );
    const silent: MailTransport = {
      async send(email, handOver) {
        await handOver();
        if (email.to === refused) throw new Error("554 5.7.1 rejected");
        throw new DeliveryUncertain("no answer after the handover: Connection closed unexpectedly");
      },
    };
    expect(await sendPending(db(), silent, SENDER)).toEqual({ sent: 0, failed: 1, uncertain: 2 });
    // A refusal after the handover is a refusal: tried again later.
    expect(await emailTo(refused)).toMatchObject({
      handed_over_at: null,
      uncertain_at: null,
      last_error: "554 5.7.1 rejected",
      sent_at: null,
    });
    const [first, second] = await Promise.all(unanswered.map(emailTo));
    for (const email of [first!, second!])
      expect(email).toMatchObject({
        uncertain_at: expect.any(Date),
        handed_over_at: expect.any(Date),
        last_error: "no answer after the handover: Connection closed unexpectedly",
      });

    const english = await html("/outbox", "en");
    expect(english).toContain("Sent or not? Your decision is needed");
    expect(english).toContain(`<code>${idempotencyKey(first!)}</code>`);
    expect(english).toContain(`action="/outbox/${first!.id}/decide"`);
    expect(english).toContain(`Mark as sent<span class="govuk-visually-hidden">: the email to ${unanswered[0]}</span>`);
    expect(english).toContain(
      `Send again<span class="govuk-visually-hidden">: the email to ${unanswered[0]}, who may then get it twice</span>`,
    );
    expect(english).toContain('<strong class="govuk-tag govuk-tag--yellow">Not known</strong>');
    const welsh = await html("/outbox", "cy");
    expect(welsh).toContain("Wedi&#x27;i anfon neu beidio? Mae angen eich penderfyniad");
    expect(welsh).toContain("Anfon eto");
    expect(welsh).toContain("Nodi ei fod wedi&#x27;i anfon");
    expect(welsh).toContain('<strong class="govuk-tag govuk-tag--yellow">Anhysbys</strong>');

    const decideOn = (id: string, decision: string, visitor = coordinator, csrf = true) =>
      run(() => decide.action(routeArgs(post(`/outbox/${id}/decide`, { decision }, visitor, { csrf }), { emailId: id }) as never));
    expect(await decideOn(first!.id, "send_again", coordinator, false)).toMatchObject({ status: 403 });
    for (const who of [OFFICER.cardiff, ANALYST])
      expect(await decideOn(first!.id, "send_again", await signIn(db(), who))).toMatchObject({ status: 404 });
    expect(
      await run(() => decide.loader(routeArgs(get(`/outbox/${first!.id}/decide`, coordinator), { emailId: first!.id }) as never)),
    ).toMatchObject({ status: 302, location: "/outbox" });
    for (const [id, decision] of [
      [first!.id, "maybe"],
      [first!.id, ""],
      ["abc", "send_again"],
      ["99999999999", "mark_sent"],
    ] as const)
      expect(await decideOn(id, decision)).toMatchObject({ status: 302, location: "/outbox?decided=none" });
    expect(await emailTo(unanswered[0]!)).toMatchObject({ uncertain_at: expect.any(Date), sent_at: null });

    expect(await decideOn(first!.id, "send_again")).toMatchObject({ status: 302, location: "/outbox?decided=send_again" });
    expect(await decideOn(first!.id, "mark_sent")).toMatchObject({ status: 302, location: "/outbox?decided=none" });
    expect(await decideOn(second!.id, "mark_sent")).toMatchObject({ status: 302, location: "/outbox?decided=mark_sent" });
    expect(await html("/outbox?decided=mark_sent", "en")).toContain("The email is marked as sent.");
    expect(await html("/outbox?decided=send_again", "cy")).toContain("Mae&#x27;r e-bost yn aros i gael ei anfon eto.");
    expect(await html("/outbox?decided=none", "en")).toContain("That email is not one whose sending is in doubt: nothing was changed.");
    expect(await html("/outbox", "en")).not.toContain("Sent or not?");
    await db().updateTable("app_user").set({ language: "en" }).where("id", "=", coordinator.userId).execute();

    const audited = await db()
      .selectFrom("audit_log")
      .select(["action", "entity_key", "actor_user_id", "before"])
      .where("action", "in", ["outbox.send_again", "outbox.mark_sent"])
      .orderBy("id")
      .execute();
    expect(audited).toEqual([
      expect.objectContaining({ action: "outbox.send_again", entity_key: String(first!.id), actor_user_id: coordinator.userId }),
      expect.objectContaining({ action: "outbox.mark_sent", entity_key: String(second!.id), actor_user_id: coordinator.userId }),
    ]);
    expect(audited[0]!.before).toMatchObject({ uncertain: true });

    // Sent again: once, with the same Message-ID as the first attempt; the one marked sent is not sent.
    const { sent, transport } = fakeTransport();
    expect(await sendPending(db(), transport, SENDER)).toEqual({ sent: 1, failed: 0, uncertain: 0 });
    expect(sent.map((e) => [e.to, e.idempotencyKey])).toEqual([[unanswered[0], idempotencyKey(first!)]]);
    expect(await emailTo(unanswered[1]!)).toMatchObject({ sent_at: expect.any(Date), uncertain_at: null });
    expect(await outboxBacklog(db())).toMatchObject({ uncertain: 0, waiting: 1 });
  });

  it("says, after the outbox page's sending, how many emails the email server took without answering, in English and Welsh", async () => {
    const hangsUp = "server.hangs.up@authorities.example";
    const arrives = "arrives@authorities.example";
    await queueEmails(
      db(),
      [hangsUp, arrives].map((to) => ({ kind: "query" as const, to, subject: `A question for ${to}`, body: "Why?" })),
    );
    const deliveries: Delivery[] = [];
    const server = await smtpServer("hangs up", deliveries, undefined, (to) => to === hangsUp);
    process.env.SMTP_URL = server.url;
    try {
      const outcome = await run(() => outboxPage.action(routeArgs(post("/outbox", { intent: "send" }, coordinator)) as never));
      // Whatever else was due went too, and was answered.
      expect(deliveries.map((d) => d.to)).toEqual(expect.arrayContaining([hangsUp, arrives]));
      const answered = deliveries.length - 1;
      expect(outcome).toMatchObject({ status: 302, location: `/outbox?sent=${answered}&failed=0&uncertain=1` });
      expect(await emailTo(hangsUp)).toMatchObject({ uncertain_at: expect.any(Date), sent_at: null });
      expect(await emailTo(arrives)).toMatchObject({ sent_at: expect.any(Date), uncertain_at: null });

      const location = (outcome as { location: string }).location;
      const english = await html(location, "en");
      expect(english).toContain(`Sent: ${answered}. Could not send: 0.`);
      expect(english).toContain(
        "1 email was handed to the email server, but no answer came: it may or may not have been sent. Your decision is needed below.",
      );
      expect(english).not.toContain("govuk-notification-banner--success");
      expect(english).toContain("Sent or not? Your decision is needed");
      expect(english).toContain(hangsUp);
      const welsh = await html(location, "cy");
      expect(welsh).toContain(`Anfonwyd: ${answered}. Methwyd anfon: 0.`);
      expect(welsh).toContain("Rhoddwyd 1 e-bost i&#x27;r gweinydd e-bost, ond ni ddaeth ateb");
      // Everything answered: a success banner, with nothing said about doubt.
      const allSent = await html("/outbox?sent=2&failed=0&uncertain=0", "en");
      expect(allSent).toContain("govuk-notification-banner--success");
      expect(allSent).not.toContain("no answer came");
    } finally {
      delete process.env.SMTP_URL;
      await db().updateTable("app_user").set({ language: "en" }).where("id", "=", coordinator.userId).execute();
      await server.close();
    }
  });
});
