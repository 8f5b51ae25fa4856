/**
 * Emails, queued in the database and sent from there: several instances may compose and send at
 * once without sending anything twice, and without an email server they simply wait, readable on
 * the outbox page. An email is in its recipient's language, or in Welsh and English (Welsh first)
 * when written to no one person's choice (invitations, chases).
 */
import { todayInWales } from "#app/domain/dates.ts";
import { sql, type Kysely } from "kysely";
import type { Database, Language, OutboxKind } from "#db/types.ts";
import { returnEmail, type EmailPart } from "#app/email/emails.ts";
import { may } from "#app/auth/policy.ts";
import { recordAudit, type Executor } from "./audit.server.ts";
import type { Actor } from "./return.server.ts";
import type { UncertainDecision } from "#app/schema/outbox.ts";

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  /** The same on every attempt at one email (its Message-ID): a receiver that remembers it can drop a repeat. */
  idempotencyKey: string;
}

/**
 * Whatever delivers an email: nodemailer in the portal, a fake in the tests. `handOver` is awaited
 * as late as the transport can, but before the server could accept the message, and a throw from it
 * aborts the send: a failure or a crash before it leaves the email certainly unsent. Throws
 * DeliveryUncertain when the message was handed over and no answer came; any other throw means the
 * server did not accept it.
 */
export interface MailTransport {
  send(email: OutgoingEmail, handOver: () => Promise<void>): Promise<void>;
}

/** The message was handed to the server and its answer never came: it may have been accepted. */
export class DeliveryUncertain extends Error {
  override name = "DeliveryUncertain";
}

export interface NewEmail {
  kind: OutboxKind;
  to: string;
  subject: string;
  body: string;
  /** The one language it is written in, as the email builders say; left out, it is in Welsh and English. */
  language?: Language | null;
  collectionId?: number | null;
  authorityCode?: string | null;
  /** Emails with the same key are queued once (a chase a day, a digest a day, a notification once). */
  dedupeKey?: string | null;
  createdAt?: Date;
}

/** Queues emails; those whose dedupe key is already in the outbox are left out. Returns the addresses of those queued. */
export async function queueEmails(db: Executor, emails: NewEmail[]): Promise<string[]> {
  if (emails.length === 0) return [];
  const inserted = await db
    .insertInto("outbox")
    .values(
      emails.map((e) => ({
        kind: e.kind,
        to_email: e.to,
        subject: e.subject,
        body: e.body,
        language: e.language ?? null,
        collection_id: e.collectionId ?? null,
        authority_code: e.authorityCode ?? null,
        dedupe_key: e.dedupeKey ?? null,
        ...(e.createdAt ? { created_at: e.createdAt } : {}),
      })),
    )
    .onConflict((oc) => oc.column("dedupe_key").doNothing())
    .returning("to_email")
    .execute();
  return inserted.map((row) => row.to_email);
}

/** Queues one email; false when one with the same dedupe key was already queued. */
export async function queueEmail(db: Executor, email: NewEmail): Promise<boolean> {
  return (await queueEmails(db, [email])).length === 1;
}

const returnLink = (baseUrl: string, collectionCode: string, authorityCode: string) =>
  `${baseUrl.replace(/\/+$/, "")}/returns/${encodeURIComponent(collectionCode)}/${encodeURIComponent(authorityCode)}`;

export type ChaseRefusal = "notFound" | "notOpen" | "submitted" | "noOfficers";
export type ChaseResult = { ok: true; queued: number } | { ok: false; reason: ChaseRefusal };

/** One officer's email in a chase, as it would be queued. */
export interface ChaseEmail {
  officer: { id: number; name: string; email: string };
  email: NewEmail & { kind: "chase" };
  /** Its subject and body in each of its languages, for a page to show them marked. */
  parts: EmailPart[];
  /** The officer was chased about this return today already: the outbox keeps this email out (its dedupe key). */
  sentToday: boolean;
}

export type ChasePlan =
  | {
      ok: true;
      collection: { id: number; code: string; title_en: string; title_cy: string; due_on: string };
      authority: { code: string; name_en: string; name_cy: string };
      /** An email to each of the authority's active officers, in the order they are queued. */
      emails: ChaseEmail[];
    }
  | { ok: false; reason: ChaseRefusal };

/**
 * What a coordinator's chase of one authority's return would send, or why it would send nothing:
 * the one decision, shown on the check page before the chase and followed by queueChase. Reads only.
 */
export async function planChase(
  db: Executor,
  {
    collectionId,
    authorityCode,
    actor,
    baseUrl,
    now = new Date(),
  }: { collectionId: number; authorityCode: string; actor: Actor; baseUrl: string; now?: Date },
): Promise<ChasePlan> {
  if (!may(actor, "runRounds")) throw new Error(`${actor.role} ${actor.userId} may not chase returns`);
  const today = todayInWales(now);
  const collection = await db
    .selectFrom("collection")
    .select(["id", "code", "title_en", "title_cy", "due_on", "status"])
    .where("id", "=", collectionId)
    .executeTakeFirst();
  const authority = await db
    .selectFrom("authority")
    .select(["code", "name_en", "name_cy"])
    .where("code", "=", authorityCode)
    .executeTakeFirst();
  if (!collection || !authority) return { ok: false, reason: "notFound" };
  if (collection.status !== "open") return { ok: false, reason: "notOpen" };
  const ret = await db
    .selectFrom("return")
    .select("submitted_version")
    .where("collection_id", "=", collectionId)
    .where("authority_code", "=", authorityCode)
    .executeTakeFirst();
  if (ret?.submitted_version != null) return { ok: false, reason: "submitted" };
  const officers = await db
    .selectFrom("app_user")
    .select(["id", "name", "email"])
    .where("role", "=", "officer")
    .where("authority_code", "=", authorityCode)
    .where("active", "=", true)
    .orderBy("id")
    .execute();
  if (officers.length === 0) return { ok: false, reason: "noOfficers" };
  const link = returnLink(baseUrl, collection.code, authorityCode);
  // A second chase the same day does not send a second email.
  const dedupeKeys = officers.map((officer) => `chase:${collectionId}:${officer.id}:${today}`);
  const sent = new Set(
    (await db.selectFrom("outbox").select("dedupe_key").where("dedupe_key", "in", dedupeKeys).execute()).map((row) => row.dedupe_key),
  );
  return {
    ok: true,
    collection: {
      id: collection.id,
      code: collection.code,
      title_en: collection.title_en,
      title_cy: collection.title_cy,
      due_on: collection.due_on,
    },
    authority,
    emails: officers.map((officer, i) => {
      const { parts, ...words } = returnEmail("chase", { name: officer.name, collection, authority, link });
      return {
        officer,
        email: { kind: "chase", to: officer.email, ...words, collectionId, authorityCode, dedupeKey: dedupeKeys[i]!, createdAt: now },
        parts,
        sentToday: sent.has(dedupeKeys[i]!),
      };
    }),
  };
}

/** A coordinator's chase of one authority's return: an email to each of its active officers (as planChase plans it), audited. */
export async function queueChase(
  db: Kysely<Database>,
  options: { collectionId: number; authorityCode: string; actor: Actor; baseUrl: string; now?: Date },
): Promise<ChaseResult> {
  const { collectionId, authorityCode, actor } = options;
  if (!may(actor, "runRounds")) throw new Error(`${actor.role} ${actor.userId} may not chase returns`);
  return db.transaction().execute(async (trx): Promise<ChaseResult> => {
    const plan = await planChase(trx, options);
    if (!plan.ok) return plan;
    // Every officer's email, those sent today too: the outbox leaves those out by their dedupe key,
    // so two chases at once send each officer one. The audit names only those it reached (the
    // board's banner says so).
    const recipients = await queueEmails(
      trx,
      plan.emails.map((e) => e.email),
    );
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: "return.chase",
      entity: "collection",
      entityKey: collectionId,
      authorityCode,
      after: { recipients, queued: recipients.length },
    });
    return { ok: true, queued: recipients.length };
  });
}

/** Attempts at sending one email before it is given up (a dead letter) and shown so on the outbox page. */
export const MAX_ATTEMPTS = 8;

/** The wait before the next attempt after `attempts` failed ones: 1, 2, 4 … minutes, at most an hour. */
export function retryDelayMs(attempts: number) {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/** The identity an email keeps through every attempt: its Message-ID, so a receiver can tell a repeat. */
export const idempotencyKey = (email: { id: string; created_at: Date | string }) =>
  `outbox.${email.id}.${new Date(email.created_at).getTime()}`;

/** The points of sending one email, in order: what a crash at each leaves is in decision 009. */
export const SEND_POINTS = ["claimed", "handed-over", "accepted"] as const;
export type SendPoint = (typeof SEND_POINTS)[number];

export interface SendOptions {
  /** Who holds the leases (a worker's id). */
  workerId: string;
  /** How long a claimed email is this sender's alone; a sender that dies loses it after this. */
  leaseMs: number;
  /** At most this many emails in one call. */
  limit?: number;
  maxAttempts?: number;
  now?: () => Date;
  /** Stops after the email in hand (a worker told to stop). */
  signal?: AbortSignal;
  /** Told as each email passes each point (the worker test's crashes, WORKER_CRASH_AT). */
  reached?: (point: SendPoint) => void;
}

/**
 * Sends the emails that are due, one at a time: claim one with a lease (FOR UPDATE SKIP LOCKED,
 * committed at once), let the transport connect, commit the handover just before the server could
 * accept the message, send it, then mark it sent. Senders running at once each claim different
 * emails. A sender that dies before the handover loses nothing: the lease runs out and the email is
 * claimed again. One that dies after it leaves a handover nobody saw answered: the next sender marks
 * it uncertain, never sends it again by itself, and the outbox page asks a coordinator to decide
 * (decision 009). A refusal is recorded with the next attempt's time (backoff); after `maxAttempts`
 * the email is a dead letter.
 */
export async function sendPending(
  db: Kysely<Database>,
  transport: MailTransport,
  { workerId, leaseMs, limit = 100, maxAttempts = MAX_ATTEMPTS, now = () => new Date(), signal, reached }: SendOptions,
) {
  let sent = 0;
  let failed = 0;
  let uncertain = await markUnansweredHandovers(db, now());
  for (let i = 0; i < limit && !signal?.aborted; i++) {
    const claimedAt = now();
    const email = await db
      .updateTable("outbox")
      .set((eb) => ({
        locked_by: workerId,
        locked_until: new Date(claimedAt.getTime() + leaseMs),
        attempts: eb("attempts", "+", 1),
      }))
      .where("id", "=", (eb) =>
        eb
          .selectFrom("outbox")
          .select("id")
          .where("sent_at", "is", null)
          .where("dead_at", "is", null)
          .where("handed_over_at", "is", null)
          // The database's now() (an email's default due time) has microseconds, a JavaScript date only
          // milliseconds: what falls due within this millisecond is due, or an email queued in the same
          // millisecond as the claim would wait for the next round.
          .where("next_attempt_at", "<", new Date(claimedAt.getTime() + 1))
          .where((w) => w.or([w("locked_until", "is", null), w("locked_until", "<=", claimedAt)]))
          .orderBy("next_attempt_at")
          .orderBy("id")
          .limit(1)
          .forUpdate()
          .skipLocked(),
      )
      .returning(["id", "to_email", "subject", "body", "created_at", "attempts"])
      .executeTakeFirst();
    if (!email) break;
    reached?.("claimed");
    let leaseLost = false;
    const handOver = async () => {
      const at = now();
      // Only while the lease is still this sender's: one slow to connect may have lost the email to another.
      const marked = await db
        .updateTable("outbox")
        .set({ handed_over_at: at, locked_until: new Date(at.getTime() + leaseMs) })
        .where("id", "=", email.id)
        .where("locked_by", "=", workerId)
        .where("sent_at", "is", null)
        .where("handed_over_at", "is", null)
        .executeTakeFirst();
      if (marked.numUpdatedRows === 0n) {
        leaseLost = true;
        throw new Error(`the lease on email ${email.id} passed to another sender before it was handed over`);
      }
      reached?.("handed-over");
    };
    try {
      await transport.send(
        { to: email.to_email, subject: email.subject, text: email.body, idempotencyKey: idempotencyKey(email) },
        handOver,
      );
    } catch (error) {
      if (leaseLost) continue;
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
      const at = now();
      const stillOurs = db
        .updateTable("outbox")
        .where("id", "=", email.id)
        .where("sent_at", "is", null)
        // A coordinator may have decided meanwhile about an email this sender was too slow to answer for.
        .where((w) => w.or([w("locked_by", "=", workerId), w("uncertain_at", "is not", null)]));
      if (error instanceof DeliveryUncertain) {
        await stillOurs
          .set((eb) => ({
            uncertain_at: at,
            handed_over_at: eb.fn.coalesce("handed_over_at", eb.val(at)),
            locked_by: null,
            locked_until: null,
            last_error: message,
          }))
          .execute();
        uncertain += 1;
        continue;
      }
      await stillOurs
        .set({
          locked_by: null,
          locked_until: null,
          handed_over_at: null,
          uncertain_at: null,
          last_error: message,
          next_attempt_at: new Date(at.getTime() + retryDelayMs(email.attempts)),
          dead_at: email.attempts >= maxAttempts ? at : null,
        })
        .execute();
      failed += 1;
      continue;
    }
    reached?.("accepted");
    // Marked sent whoever holds the lease now, and even if found uncertain meanwhile: it was sent.
    await db
      .updateTable("outbox")
      .set({ sent_at: now(), locked_by: null, locked_until: null, uncertain_at: null, last_error: null })
      .where("id", "=", email.id)
      .where("sent_at", "is", null)
      .execute();
    sent += 1;
  }
  return { sent, failed, uncertain };
}

/**
 * Emails handed over by a sender whose lease ran out before it recorded the server's answer (it
 * died, or lost its database): the server may or may not have accepted them, so they are marked
 * uncertain for a coordinator to decide, never sent again by themselves. Returns how many.
 */
async function markUnansweredHandovers(db: Executor, at: Date) {
  const found = await db
    .updateTable("outbox")
    .set({
      uncertain_at: at,
      locked_by: null,
      locked_until: null,
      last_error: sql<string>`'handed over by ' || locked_by || ', which stopped before recording the answer'`,
    })
    .where("sent_at", "is", null)
    .where("uncertain_at", "is", null)
    .where("handed_over_at", "is not", null)
    .where("locked_until", "<=", at)
    .executeTakeFirst();
  return Number(found.numUpdatedRows);
}

/** When the next email becomes due (a retry's time, or a dead sender's lease running out); null when none waits. */
export async function nextEmailDue(db: Executor): Promise<Date | null> {
  const row = await db
    .selectFrom("outbox")
    .select((eb) => eb.fn.min(eb.fn("greatest", ["next_attempt_at", eb.fn.coalesce("locked_until", "next_attempt_at")])).as("due"))
    .where("sent_at", "is", null)
    .where("dead_at", "is", null)
    .where("uncertain_at", "is", null)
    .executeTakeFirstOrThrow();
  return row.due ? new Date(row.due as Date | string) : null;
}

/**
 * A coordinator's retry of a dead letter: tried again at the next send, with its attempts counted
 * afresh, audited. False when the email is not a dead letter (sent, still being tried, or none).
 */
export async function retryDeadLetter(db: Kysely<Database>, { id, actor, now = new Date() }: { id: string; actor: Actor; now?: Date }) {
  if (!may(actor, "runRounds")) throw new Error(`${actor.role} ${actor.userId} may not retry emails`);
  return db.transaction().execute(async (trx) => {
    const retried = await trx
      .updateTable("outbox")
      .set({ dead_at: null, attempts: 0, next_attempt_at: now })
      .where("id", "=", id)
      .where("sent_at", "is", null)
      .where("dead_at", "is not", null)
      .returning(["id", "kind", "authority_code", "attempts", "last_error"])
      .executeTakeFirst();
    if (!retried) return false;
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: "outbox.retry",
      entity: "outbox",
      entityKey: retried.id,
      authorityCode: retried.authority_code,
      before: { dead: true, last_error: retried.last_error },
    });
    return true;
  });
}

/**
 * A coordinator's decision about an uncertain email (one handed to the email server whose answer
 * nobody saw): send it again, accepting that the person may get it twice (with the same
 * Message-ID), or mark it sent, having found that it arrived. Audited; false when the email is not
 * uncertain (decided already, or sent after all).
 */
export async function decideUncertain(
  db: Kysely<Database>,
  { id, decision, actor, now = new Date() }: { id: string; decision: UncertainDecision; actor: Actor; now?: Date },
) {
  if (!may(actor, "runRounds")) throw new Error(`${actor.role} ${actor.userId} may not decide about emails`);
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("outbox")
      .select(["id", "authority_code", "handed_over_at", "uncertain_at", "last_error"])
      .where("id", "=", id)
      .where("sent_at", "is", null)
      .where("uncertain_at", "is not", null)
      .forUpdate()
      .executeTakeFirst();
    if (!before) return false;
    const decided = trx.updateTable("outbox").where("id", "=", id);
    if (decision === "send_again")
      await decided.set({ uncertain_at: null, handed_over_at: null, dead_at: null, attempts: 0, next_attempt_at: now }).execute();
    else await decided.set({ uncertain_at: null, sent_at: now }).execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: decision === "send_again" ? "outbox.send_again" : "outbox.mark_sent",
      entity: "outbox",
      entityKey: before.id,
      authorityCode: before.authority_code,
      before: { uncertain: true, handed_over_at: before.handed_over_at, last_error: before.last_error },
    });
    return true;
  });
}

/** What the outbox holds unsent, for the metrics and the runbook's "the outbox backs up". */
export async function outboxBacklog(db: Executor, now = new Date()) {
  const row = await db
    .selectFrom("outbox")
    .select((eb) => [
      eb.fn.count<number>("id").filterWhere("dead_at", "is", null).filterWhere("uncertain_at", "is", null).as("waiting"),
      eb.fn.count<number>("id").filterWhere("dead_at", "is not", null).as("dead"),
      eb.fn.count<number>("id").filterWhere("uncertain_at", "is not", null).as("uncertain"),
      eb.fn.min("created_at").filterWhere("dead_at", "is", null).filterWhere("uncertain_at", "is", null).as("oldest"),
    ])
    .where("sent_at", "is", null)
    .executeTakeFirstOrThrow();
  const oldest = row.oldest ? new Date(row.oldest as Date | string) : null;
  return {
    waiting: Number(row.waiting),
    dead: Number(row.dead),
    uncertain: Number(row.uncertain),
    oldestWaitingSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0,
  };
}

export const OUTBOX_PAGE_SIZE = 200;

const OUTBOX_COLUMNS = [
  "id",
  "kind",
  "to_email",
  "subject",
  "body",
  "language",
  "created_at",
  "sent_at",
  "attempts",
  "last_error",
  "next_attempt_at",
  "dead_at",
  "handed_over_at",
  "uncertain_at",
] as const;

/** The most recent emails, newest first, for the outbox page. */
export async function listOutbox(db: Executor, limit = OUTBOX_PAGE_SIZE) {
  return db.selectFrom("outbox").select(OUTBOX_COLUMNS).orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
}

/** Every uncertain email, oldest first: each waits for a coordinator, however old, so none is left off the page. */
export async function listUncertain(db: Executor) {
  return db
    .selectFrom("outbox")
    .select(OUTBOX_COLUMNS)
    .where("sent_at", "is", null)
    .where("uncertain_at", "is not", null)
    .orderBy("handed_over_at")
    .orderBy("id")
    .execute();
}
