/**
 * Emails, queued in the database and sent from there: several instances may compose and send at
 * once without sending anything twice, and without an email server they simply wait, readable on
 * the outbox page. Every email is in Welsh and English, Welsh first.
 */
import { todayInWales } from "#app/domain/dates.ts";
import type { Kysely } from "kysely";
import type { Database, Language, OutboxKind } from "#db/types.ts";
import { formatDate, formatDateTime, pick, translator, type MessageKey, type Translator } from "#app/i18n/i18n.ts";
import { may } from "#app/auth/policy.ts";
import { recordAudit, type Executor } from "./audit.server.ts";
import type { Actor } from "./return.server.ts";

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
}

/** Whatever delivers an email: nodemailer in the portal, a fake in the tests. Throws when it cannot. */
export interface MailTransport {
  send(email: OutgoingEmail): Promise<void>;
}

export interface NewEmail {
  kind: OutboxKind;
  to: string;
  subject: string;
  body: string;
  collectionId?: number | null;
  authorityCode?: string | null;
  /** Emails with the same key are queued once; see composeReminders. */
  dedupeKey?: string | null;
  createdAt?: Date;
}

/** Queues emails; those whose dedupe key is already in the outbox are left out. Returns how many were queued. */
export async function queueEmails(db: Executor, emails: NewEmail[]): Promise<number> {
  if (emails.length === 0) return 0;
  const inserted = await db
    .insertInto("outbox")
    .values(
      emails.map((e) => ({
        kind: e.kind,
        to_email: e.to,
        subject: e.subject,
        body: e.body,
        collection_id: e.collectionId ?? null,
        authority_code: e.authorityCode ?? null,
        dedupe_key: e.dedupeKey ?? null,
        ...(e.createdAt ? { created_at: e.createdAt } : {}),
      })),
    )
    .onConflict((oc) => oc.column("dedupe_key").doNothing())
    .returning("id")
    .execute();
  return inserted.length;
}

/** Queues one email; false when one with the same dedupe key was already queued. */
export async function queueEmail(db: Executor, email: NewEmail): Promise<boolean> {
  return (await queueEmails(db, [email])) === 1;
}

const DIVIDER = "—".repeat(20);

/** One email in both languages: the subjects side by side, the Welsh text, then the English. */
function bilingual(subject: (t: Translator) => string, paragraphs: (t: Translator) => string[]) {
  const cy = translator("cy");
  const en = translator("en");
  return {
    subject: `${subject(cy)} / ${subject(en)}`,
    body: [...paragraphs(cy), DIVIDER, ...paragraphs(en)].join("\n\n"),
  };
}

const signature = (t: Translator) => [t("email.signOff"), t("email.automatic")];

function addDays(isoDate: string, days: number) {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export function invitationEmail({ name, link, expiresAt }: { name: string; link: string; expiresAt: Date }) {
  return bilingual(
    (t) => t("email.invitation.subject"),
    (t) => [
      t("email.greeting", { name }),
      t("email.invitation.body", { date: formatDateTime(t.lang, expiresAt) }),
      t("email.invitation.link", { link }),
      t("email.invitation.ignore"),
      ...signature(t),
    ],
  );
}

/**
 * The forgotten-password email, in the account's language only: a person who asked for it in one
 * language reads it in that one. With no link, for an invitee: where their invitation is.
 */
export function passwordResetEmail(language: Language, { name, link, expiresAt }: { name: string; link: string | null; expiresAt: Date }) {
  const t = translator(language);
  const paragraphs = link
    ? [
        t("email.greeting", { name }),
        t("email.passwordReset.body", { time: formatDateTime(t.lang, expiresAt) }),
        t("email.passwordReset.link", { link }),
        t("email.passwordReset.ignore"),
      ]
    : [t("email.greeting", { name }), t("email.passwordReset.invitee")];
  return { subject: t("email.passwordReset.subject"), body: [...paragraphs, ...signature(t)].join("\n\n") };
}

interface ReturnEmailContext {
  name: string;
  collection: { title_en: string; title_cy: string; due_on: string };
  authority: { name_en: string; name_cy: string };
  link: string;
}

const RETURN_EMAILS = {
  reminder_due: { subject: "email.reminderDue.subject", body: "email.reminderDue.body" },
  reminder_overdue: { subject: "email.reminderOverdue.subject", body: "email.reminderOverdue.body" },
  chase: { subject: "email.chase.subject", body: "email.chase.body" },
} as const satisfies Record<string, { subject: MessageKey; body: MessageKey }>;

export function returnEmail(kind: keyof typeof RETURN_EMAILS, { name, collection, authority, link }: ReturnEmailContext) {
  const params = (t: Translator) => ({
    collection: pick(t.lang, collection, "title"),
    authority: pick(t.lang, authority, "name"),
    date: formatDate(t.lang, collection.due_on),
  });
  return bilingual(
    (t) => t(RETURN_EMAILS[kind].subject, params(t)),
    (t) => [t("email.greeting", { name }), t(RETURN_EMAILS[kind].body, params(t)), t("email.returnLink", { link }), ...signature(t)],
  );
}

const returnLink = (baseUrl: string, collectionCode: string, authorityCode: string) =>
  `${baseUrl.replace(/\/+$/, "")}/returns/${encodeURIComponent(collectionCode)}/${encodeURIComponent(authorityCode)}`;

/**
 * Reminds the active officers of every authority that has not submitted its return to an open
 * collection: from `dueSoonDays` before the due date ('reminder_due'), and after it
 * ('reminder_overdue'). "Not submitted" means no submitted version, as on the completeness board:
 * an amendment in progress leaves the last submitted version standing. At most one reminder of a
 * kind per officer, collection and day, however often or on however many instances this runs.
 */
export async function composeReminders(
  db: Kysely<Database>,
  {
    now = new Date(),
    dueSoonDays = 7,
    baseUrl,
    actorUserId = null,
  }: { now?: Date; dueSoonDays?: number; baseUrl: string; actorUserId?: number | null },
) {
  const today = todayInWales(now);
  const rows = await db
    .selectFrom("collection as c")
    .innerJoin("app_user as u", (join) => join.on("u.role", "=", "officer").on("u.active", "=", true))
    .innerJoin("authority as a", "a.code", "u.authority_code")
    .leftJoin("return as r", (join) => join.onRef("r.collection_id", "=", "c.id").onRef("r.authority_code", "=", "a.code"))
    .select([
      "c.id as collectionId",
      "c.code as collectionCode",
      "c.title_en",
      "c.title_cy",
      "c.due_on",
      "a.code as authorityCode",
      "a.name_en",
      "a.name_cy",
      "u.id as userId",
      "u.name",
      "u.email",
    ])
    .where("c.status", "=", "open")
    .where("c.opens_on", "<=", today)
    .where("c.due_on", "<=", addDays(today, dueSoonDays))
    .where("r.submitted_version", "is", null)
    .orderBy("c.id")
    .orderBy("a.name_en")
    .orderBy("u.id")
    .execute();

  const emails: NewEmail[] = rows.map((row) => {
    const kind = row.due_on < today ? "reminder_overdue" : "reminder_due";
    return {
      kind,
      to: row.email,
      ...returnEmail(kind, {
        name: row.name,
        collection: row,
        authority: row,
        link: returnLink(baseUrl, row.collectionCode, row.authorityCode),
      }),
      collectionId: row.collectionId,
      authorityCode: row.authorityCode,
      dedupeKey: `${kind}:${row.collectionId}:${row.userId}:${today}`,
      createdAt: now,
    };
  });

  return db.transaction().execute(async (trx) => {
    const queued = await queueEmails(trx, emails);
    if (queued > 0) {
      await recordAudit(trx, {
        actorUserId,
        action: "outbox.compose_reminders",
        entity: "outbox",
        entityKey: today,
        after: { queued, considered: emails.length },
        at: now,
      });
    }
    return { queued, considered: emails.length };
  });
}

export type ChaseResult = { ok: true; queued: number } | { ok: false; reason: "notFound" | "notOpen" | "submitted" | "noOfficers" };

/** A coordinator's chase of one authority's return: an email to each of its active officers, audited. */
export async function queueChase(
  db: Kysely<Database>,
  {
    collectionId,
    authorityCode,
    actor,
    baseUrl,
    now = new Date(),
  }: { collectionId: number; authorityCode: string; actor: Actor; baseUrl: string; now?: Date },
): Promise<ChaseResult> {
  if (!may(actor, "runRounds")) throw new Error(`${actor.role} ${actor.userId} may not chase returns`);
  const today = todayInWales(now);
  return db.transaction().execute(async (trx): Promise<ChaseResult> => {
    const collection = await trx
      .selectFrom("collection")
      .select(["id", "code", "title_en", "title_cy", "due_on", "status"])
      .where("id", "=", collectionId)
      .executeTakeFirst();
    const authority = await trx
      .selectFrom("authority")
      .select(["code", "name_en", "name_cy"])
      .where("code", "=", authorityCode)
      .executeTakeFirst();
    if (!collection || !authority) return { ok: false, reason: "notFound" };
    if (collection.status !== "open") return { ok: false, reason: "notOpen" };
    const ret = await trx
      .selectFrom("return")
      .select("submitted_version")
      .where("collection_id", "=", collectionId)
      .where("authority_code", "=", authorityCode)
      .executeTakeFirst();
    if (ret?.submitted_version != null) return { ok: false, reason: "submitted" };
    const officers = await trx
      .selectFrom("app_user")
      .select(["id", "name", "email"])
      .where("role", "=", "officer")
      .where("authority_code", "=", authorityCode)
      .where("active", "=", true)
      .orderBy("id")
      .execute();
    if (officers.length === 0) return { ok: false, reason: "noOfficers" };
    const link = returnLink(baseUrl, collection.code, authorityCode);
    const queued = await queueEmails(
      trx,
      officers.map((officer) => ({
        kind: "chase" as const,
        to: officer.email,
        ...returnEmail("chase", { name: officer.name, collection, authority, link }),
        collectionId,
        authorityCode,
        // A second click the same day does not send a second email.
        dedupeKey: `chase:${collectionId}:${officer.id}:${today}`,
        createdAt: now,
      })),
    );
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: "return.chase",
      entity: "collection",
      entityKey: collectionId,
      authorityCode,
      after: { recipients: officers.map((o) => o.email), queued },
      at: now,
    });
    return { ok: true, queued };
  });
}

/** Attempts at sending one email before it is given up (dead-lettered) and shown so on the outbox page. */
export const MAX_ATTEMPTS = 5;

/**
 * Sends waiting emails. The rows are claimed with FOR UPDATE SKIP LOCKED, so instances running
 * this at once each send different emails. Delivery is at least once: should the commit fail
 * after a send, that email is sent again next time.
 */
export async function sendPending(
  db: Kysely<Database>,
  transport: MailTransport,
  { batchSize = 50, maxAttempts = MAX_ATTEMPTS }: { batchSize?: number; maxAttempts?: number } = {},
) {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom("outbox")
      .select(["id", "to_email", "subject", "body"])
      .where("sent_at", "is", null)
      .where("attempts", "<", maxAttempts)
      .orderBy("id")
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute();
    let sent = 0;
    let failed = 0;
    for (const row of rows) {
      try {
        await transport.send({ to: row.to_email, subject: row.subject, text: row.body });
        await trx
          .updateTable("outbox")
          .set((eb) => ({ sent_at: new Date(), attempts: eb("attempts", "+", 1), last_error: null }))
          .where("id", "=", row.id)
          .execute();
        sent += 1;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await trx
          .updateTable("outbox")
          .set((eb) => ({ attempts: eb("attempts", "+", 1), last_error: message.slice(0, 1000) }))
          .where("id", "=", row.id)
          .execute();
        failed += 1;
      }
    }
    return { sent, failed };
  });
}

/** What the outbox holds unsent, for the metrics and the runbook's "the outbox backs up". */
export async function outboxBacklog(db: Executor, now = new Date()) {
  const row = await db
    .selectFrom("outbox")
    .select((eb) => [
      eb.fn.count<number>("id").filterWhere("attempts", "<", MAX_ATTEMPTS).as("waiting"),
      eb.fn.count<number>("id").filterWhere("attempts", ">=", MAX_ATTEMPTS).as("dead"),
      eb.fn.min("created_at").filterWhere("attempts", "<", MAX_ATTEMPTS).as("oldest"),
    ])
    .where("sent_at", "is", null)
    .executeTakeFirstOrThrow();
  const oldest = row.oldest ? new Date(row.oldest as Date | string) : null;
  return {
    waiting: Number(row.waiting),
    dead: Number(row.dead),
    oldestWaitingSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0,
  };
}

export const OUTBOX_PAGE_SIZE = 200;

/** The most recent emails, newest first, for the outbox page. */
export async function listOutbox(db: Executor, limit = OUTBOX_PAGE_SIZE) {
  return db
    .selectFrom("outbox")
    .select(["id", "kind", "to_email", "subject", "body", "created_at", "sent_at", "attempts", "last_error"])
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}
