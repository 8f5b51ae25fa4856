/**
 * Notifications: what a person hears about (a query on their return, a return submitted...), one
 * row per person and event, written in the transaction of the event itself and listed on their
 * home page. Each is emailed at once or kept for the person's daily digest, as they chose for its
 * kind; reminders (due soon, overdue) are always emailed. Security emails are not notifications:
 * they are always emailed (outbox).
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database, Delivery, Language, NotificationKind, NotificationWords, Role } from "#db/types.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { digestEmail, notificationEmail } from "#app/email/emails.ts";
import { publicBaseUrl } from "#app/email/mailer.server.ts";
import { recordAudit, type Executor } from "./audit.server.ts";
import { queueEmail, queueEmails, type NewEmail } from "./outbox.server.ts";
import type { ReturnScope } from "./return.server.ts";

/** The kinds a person of each role may hear about, and so may choose how to receive. */
export const KINDS_FOR_ROLE: Record<Role, readonly NotificationKind[]> = {
  officer: ["query_raised", "query_reply", "return_accepted", "round_opened"],
  coordinator: ["return_submitted", "amendment_submitted", "query_reply", "changed_after_acceptance"],
  analyst: [],
};

/** Reminders: always emailed, whatever a person chose; nobody may digest them or turn them off. */
export const REMINDER_KINDS = ["reminder_due", "reminder_overdue"] as const satisfies readonly NotificationKind[];
const isReminder = (kind: NotificationKind) => (REMINDER_KINDS as readonly NotificationKind[]).includes(kind);

/** The kinds a person of each role hears about by email with no choice, shown so on the settings page. */
export const ALWAYS_EMAILED_FOR_ROLE: Record<Role, readonly NotificationKind[]> = {
  officer: REMINDER_KINDS,
  coordinator: [],
  analyst: [],
};

/** The outbox's kind for a notification's email: the outbox page names queries and reminders as such. */
function outboxKind(kind: NotificationKind): NewEmail["kind"] {
  if (kind.startsWith("query_")) return "query";
  return kind === "reminder_due" || kind === "reminder_overdue" ? kind : "notification";
}

export interface Recipient {
  id: number;
  name: string;
  email: string;
  language: Language;
}

export interface NotificationEvent {
  kind: NotificationKind;
  /** Names the event: a person is notified once per key, however often it is written. */
  eventKey: string;
  /** The path of the place to act. */
  link: string;
  words: NotificationWords;
  collectionId: number;
  authorityCode: string;
  /** The outbox dedupe key of a recipient's email, when it must be other than `notification:<id>`. */
  emailKey?: (recipientId: number) => string;
}

export interface NotifyOptions {
  now?: Date;
  /** The portal's public address, for the links in emails. */
  baseUrl?: string;
}

const absolute = (baseUrl: string, path: string) => `${baseUrl.replace(/\/+$/, "")}${path}`;

/**
 * Writes the event's notification for each recipient, inside the caller's transaction, and queues
 * the email of each who gets this kind by email (every reminder). A recipient already notified of
 * this event is left alone (no second row, no second email). Returns how many were notified.
 */
export async function notify(trx: Transaction<Database>, recipients: Recipient[], event: NotificationEvent, options: NotifyOptions = {}) {
  if (recipients.length === 0) return 0;
  const { now = new Date(), baseUrl = publicBaseUrl() } = options;
  const chosen = isReminder(event.kind)
    ? []
    : await trx
        .selectFrom("notification_preference")
        .select(["user_id", "delivery"])
        .where("kind", "=", event.kind)
        .where(
          "user_id",
          "in",
          recipients.map((r) => r.id),
        )
        .execute();
  const deliveryOf = (userId: number): Delivery => chosen.find((c) => c.user_id === userId)?.delivery ?? "email";
  const written = await trx
    .insertInto("notification")
    .values(
      recipients.map((r) => ({
        user_id: r.id,
        kind: event.kind,
        event_key: event.eventKey,
        link: event.link,
        words: JSON.stringify(event.words),
        created_at: now,
        delivery: deliveryOf(r.id),
      })),
    )
    .onConflict((oc) => oc.columns(["user_id", "event_key"]).doNothing())
    .returning(["id", "user_id", "delivery"])
    .execute();
  const emailed = written.filter((n) => n.delivery === "email");
  await queueEmails(
    trx,
    emailed.map((n) => {
      const to = recipients.find((r) => r.id === n.user_id)!;
      return {
        kind: outboxKind(event.kind),
        to: to.email,
        ...notificationEmail(to.language, event.kind, { name: to.name, words: event.words, link: absolute(baseUrl, event.link) }),
        collectionId: event.collectionId,
        authorityCode: event.authorityCode,
        dedupeKey: event.emailKey?.(n.user_id) ?? `notification:${n.id}`,
        createdAt: now,
      };
    }),
  );
  return written.length;
}

const RECIPIENT_COLUMNS = ["id", "name", "email", "language"] as const;

/** The active officers of one authority, but the one who caused the event. */
export async function officersOf(db: Executor, authorityCode: string, exceptUserId: number | null = null) {
  return db
    .selectFrom("app_user")
    .select(RECIPIENT_COLUMNS)
    .where("role", "=", "officer")
    .where("authority_code", "=", authorityCode)
    .where("active", "=", true)
    .where("id", "!=", exceptUserId ?? 0)
    .orderBy("id")
    .execute();
}

/** The active coordinators, but the one who caused the event. */
export async function coordinators(db: Executor, exceptUserId: number | null = null) {
  return db
    .selectFrom("app_user")
    .select(RECIPIENT_COLUMNS)
    .where("role", "=", "coordinator")
    .where("active", "=", true)
    .where("id", "!=", exceptUserId ?? 0)
    .orderBy("id")
    .execute();
}

export const returnLinkPath = (collectionCode: string, authorityCode: string) =>
  `/returns/${encodeURIComponent(collectionCode)}/${encodeURIComponent(authorityCode)}`;

async function authorityWords(db: Executor, authorityCode: string) {
  const a = await db.selectFrom("authority").select(["name_en", "name_cy"]).where("code", "=", authorityCode).executeTakeFirstOrThrow();
  return { en: a.name_en, cy: a.name_cy };
}

async function personName(db: Executor, userId: number | null) {
  if (userId === null) return undefined;
  return (await db.selectFrom("app_user").select("name").where("id", "=", userId).executeTakeFirst())?.name;
}

export type ReturnEvent =
  | { kind: "return_submitted" | "amendment_submitted"; version: number }
  | { kind: "return_accepted"; version: number }
  | { kind: "changed_after_acceptance"; lockVersion: number; reason: string };

/**
 * A return's event, in its transaction: a submission, an amendment submitted, or a return reopened
 * after acceptance go to the coordinators; an acceptance to the authority's officers. Whoever
 * caused it is not told of it.
 */
export async function notifyReturnEvent(
  trx: Transaction<Database>,
  scope: ReturnScope,
  event: ReturnEvent,
  { actorUserId, ...options }: NotifyOptions & { actorUserId: number | null },
) {
  const toOfficers = event.kind === "return_accepted";
  const recipients = toOfficers ? await officersOf(trx, scope.authorityCode, actorUserId) : await coordinators(trx, actorUserId);
  if (recipients.length === 0) return 0;
  const { collection, authorityCode } = scope;
  const which = "version" in event ? `v${event.version}` : `lock${event.lockVersion}`;
  return notify(
    trx,
    recipients,
    {
      kind: event.kind,
      eventKey: `${event.kind}:${collection.id}:${authorityCode}:${which}`,
      link: returnLinkPath(collection.code, authorityCode),
      words: {
        collection: { en: collection.title_en, cy: collection.title_cy },
        authority: await authorityWords(trx, authorityCode),
        author: await personName(trx, actorUserId),
        ...("reason" in event ? { reason: event.reason } : {}),
      },
      collectionId: collection.id,
      authorityCode,
    },
    options,
  );
}

/** A query raised (to the authority's officers) or a reply on its thread (to the other side), in the thread's transaction. */
export async function notifyQueryEvent(
  trx: Transaction<Database>,
  scope: ReturnScope,
  {
    kind,
    queryId,
    messageId,
    recipients,
    actorUserId,
    ...options
  }: NotifyOptions & {
    kind: "query_raised" | "query_reply";
    queryId: number;
    messageId: number;
    recipients: Recipient[];
    actorUserId: number | null;
  },
) {
  const thread = await trx
    .selectFrom("value_query as q")
    .innerJoin("data_item as di", "di.code", "q.item_code")
    .select(["di.label_en", "di.label_cy"])
    .where("q.id", "=", queryId)
    .executeTakeFirstOrThrow();
  const { collection, authorityCode } = scope;
  return notify(
    trx,
    recipients,
    {
      kind,
      eventKey: `${kind}:${messageId}`,
      link: `${returnLinkPath(collection.code, authorityCode)}/queries/${queryId}`,
      words: {
        collection: { en: collection.title_en, cy: collection.title_cy },
        authority: await authorityWords(trx, authorityCode),
        item: { en: thread.label_en, cy: thread.label_cy },
        author: await personName(trx, actorUserId),
      },
      collectionId: collection.id,
      authorityCode,
    },
    options,
  );
}

/** A round whose opening date is older than this is not news when the morning job first sees it. */
export const ROUND_OPENED_WINDOW_DAYS = 7;

/**
 * Tells the officers of every authority that a round is open for their return, once per round:
 * when it is opened on or after its opening date, or when that date arrives (the morning job).
 * Rounds already past their due date are left alone.
 */
export async function notifyRoundOpened(trx: Transaction<Database>, collectionId: number, options: NotifyOptions = {}) {
  const now = options.now ?? new Date();
  const today = todayInWales(now);
  const collection = await trx
    .selectFrom("collection")
    .select(["id", "code", "title_en", "title_cy"])
    .where("id", "=", collectionId)
    .where("status", "=", "open")
    .where("opens_on", "<=", today)
    .where("due_on", ">=", today)
    .executeTakeFirst();
  if (!collection) return 0;
  const officers = await trx
    .selectFrom("app_user as u")
    .innerJoin("authority as a", "a.code", "u.authority_code")
    .select(["u.id", "u.name", "u.email", "u.language", "a.code as authorityCode", "a.name_en", "a.name_cy"])
    .where("u.role", "=", "officer")
    .where("u.active", "=", true)
    .orderBy("a.code")
    .orderBy("u.id")
    .execute();
  let notified = 0;
  for (const authorityCode of [...new Set(officers.map((o) => o.authorityCode))]) {
    const ofAuthority = officers.filter((o) => o.authorityCode === authorityCode);
    notified += await notify(
      trx,
      ofAuthority,
      {
        kind: "round_opened",
        eventKey: `round_opened:${collection.id}`,
        link: returnLinkPath(collection.code, authorityCode),
        words: {
          collection: { en: collection.title_en, cy: collection.title_cy },
          authority: { en: ofAuthority[0]!.name_en, cy: ofAuthority[0]!.name_cy },
        },
        collectionId: collection.id,
        authorityCode,
      },
      { ...options, now },
    );
  }
  return notified;
}

/**
 * The morning job's part: every open round whose opening date came within the last week (a worker
 * down on the day still tells), each in its own transaction.
 */
export async function notifyRoundsOpened(db: Kysely<Database>, options: NotifyOptions = {}) {
  const now = options.now ?? new Date();
  const today = todayInWales(now);
  const windowStart = todayInWales(new Date(now.getTime() - ROUND_OPENED_WINDOW_DAYS * 86_400_000));
  const rounds = await db
    .selectFrom("collection")
    .select("id")
    .where("status", "=", "open")
    .where("opens_on", "<=", today)
    .where("opens_on", ">", windowStart)
    .where("due_on", ">=", today)
    .orderBy("id")
    .execute();
  let notified = 0;
  for (const round of rounds) notified += await db.transaction().execute((trx) => notifyRoundOpened(trx, round.id, options));
  return notified;
}

const addDays = (isoDate: string, days: number) =>
  new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * Reminds the active officers of every authority that has not submitted its return to an open
 * collection: from `dueSoonDays` before the due date ('reminder_due'), and after it
 * ('reminder_overdue'), each a notification emailed in the officer's language and listed on their
 * home page. "Not submitted" means no submitted version, as on the completeness board: an
 * amendment in progress leaves the last submitted version standing. At most one reminder of a kind
 * per officer, collection and day, however often or on however many instances this runs: the
 * event key names the day, and the email keeps the dedupe key reminders had before they were
 * notifications, so a day's reminder already in the outbox is not sent again.
 */
export async function composeReminders(
  db: Kysely<Database>,
  {
    now = new Date(),
    dueSoonDays = 7,
    baseUrl = publicBaseUrl(),
    actorUserId = null,
  }: NotifyOptions & { dueSoonDays?: number; actorUserId?: number | null } = {},
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
      "u.id",
      "u.name",
      "u.email",
      "u.language",
    ])
    .where("c.status", "=", "open")
    .where("c.opens_on", "<=", today)
    .where("c.due_on", "<=", addDays(today, dueSoonDays))
    .where("r.submitted_version", "is", null)
    .orderBy("c.id")
    .orderBy("a.code")
    .orderBy("u.id")
    .execute();

  // One transaction, its inserts always in the same order: a second run at once waits for the
  // first's rows, then finds them there and writes nothing.
  return db.transaction().execute(async (trx) => {
    let queued = 0;
    const groups = new Map<string, typeof rows>();
    for (const row of rows) {
      const key = `${row.collectionId}:${row.authorityCode}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const group of groups.values()) {
      const { collectionId, collectionCode, authorityCode, due_on } = group[0]!;
      const kind = due_on < today ? "reminder_overdue" : "reminder_due";
      queued += await notify(
        trx,
        group,
        {
          kind,
          eventKey: `${kind}:${collectionId}:${authorityCode}:${today}`,
          link: returnLinkPath(collectionCode, authorityCode),
          words: {
            collection: { en: group[0]!.title_en, cy: group[0]!.title_cy },
            authority: { en: group[0]!.name_en, cy: group[0]!.name_cy },
            due: due_on,
          },
          collectionId,
          authorityCode,
          emailKey: (userId) => `${kind}:${collectionId}:${userId}:${today}`,
        },
        { now, baseUrl },
      );
    }
    if (queued > 0) {
      await recordAudit(trx, {
        actorUserId,
        action: "outbox.compose_reminders",
        entity: "outbox",
        entityKey: today,
        after: { queued, considered: rows.length },
      });
    }
    return { queued, considered: rows.length };
  });
}

export const HOME_NOTIFICATIONS = 10;

/**
 * A person's most recent notifications, newest first: theirs only. Of the reminders about one
 * return only the latest is listed: a reminder a day would otherwise push everything else off.
 */
export async function recentNotifications(db: Executor, userId: number, limit = HOME_NOTIFICATIONS) {
  const rows = await db
    .selectFrom("notification as n")
    .select(["n.id", "n.kind", "n.link", "n.words", "n.created_at"])
    .where("n.user_id", "=", userId)
    .where((eb) =>
      eb.or([
        eb("n.kind", "not in", REMINDER_KINDS),
        eb.not(
          eb.exists(
            eb
              .selectFrom("notification as later")
              .select("later.id")
              .where("later.user_id", "=", userId)
              .whereRef("later.link", "=", "n.link")
              .where("later.kind", "in", REMINDER_KINDS)
              .where(sql<boolean>`(later.created_at, later.id) > (n.created_at, n.id)`),
          ),
        ),
      ]),
    )
    .orderBy("n.created_at", "desc")
    .orderBy("n.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, createdAt: new Date(row.created_at).toISOString() }));
}

/** How this person receives each kind they may hear about: their choice, or an email each time. */
export async function deliveryChoices(db: Executor, user: { id: number; role: Role }) {
  const kinds = KINDS_FOR_ROLE[user.role];
  const chosen = await db.selectFrom("notification_preference").select(["kind", "delivery"]).where("user_id", "=", user.id).execute();
  return kinds.map((kind) => ({ kind, delivery: chosen.find((c) => c.kind === kind)?.delivery ?? ("email" as Delivery) }));
}

/**
 * Saves a person's choices (only for kinds they may hear about), audited with what changed.
 * Notifications already written keep the delivery they were written with.
 */
export async function saveDeliveryChoices(
  db: Kysely<Database>,
  user: { id: number; role: Role; authorityCode: string | null },
  choices: Partial<Record<NotificationKind, Delivery>>,
  now = new Date(),
) {
  const allowed = KINDS_FOR_ROLE[user.role];
  const wanted = allowed.flatMap((kind) => (choices[kind] ? [{ kind, delivery: choices[kind] }] : []));
  return db.transaction().execute(async (trx) => {
    const before = Object.fromEntries((await deliveryChoices(trx, user)).map((c) => [c.kind, c.delivery]));
    const changed = wanted.filter((c) => before[c.kind] !== c.delivery);
    if (changed.length === 0) return 0;
    await trx
      .insertInto("notification_preference")
      .values(changed.map((c) => ({ user_id: user.id, kind: c.kind, delivery: c.delivery, updated_at: now })))
      .onConflict((oc) => oc.columns(["user_id", "kind"]).doUpdateSet((eb) => ({ delivery: eb.ref("excluded.delivery"), updated_at: now })))
      .execute();
    await recordAudit(trx, {
      actorUserId: user.id,
      action: "account.notification_preferences",
      entity: "app_user",
      entityKey: user.id,
      authorityCode: user.authorityCode,
      before: Object.fromEntries(changed.map((c) => [c.kind, before[c.kind]])),
      after: Object.fromEntries(changed.map((c) => [c.kind, c.delivery])),
    });
    return changed.length;
  });
}

export const NOTIFICATION_SETTINGS_PATH = "/account/notifications";

/**
 * The daily digests: for each person with notifications kept for a digest, one email listing
 * them all, in their language; nothing for a person with none. Each person's digest is written in
 * a transaction of its own that locks their waiting notifications and marks them digested, and
 * its dedupe key is the person and the day in Wales: two workers, or two runs the same day, never
 * send a person two digests. What falls after today's digest waits for tomorrow's.
 */
export async function composeDigests(db: Kysely<Database>, { now = new Date(), baseUrl = publicBaseUrl() }: NotifyOptions = {}) {
  const today = todayInWales(now);
  const people = await db
    .selectFrom("notification as n")
    .innerJoin("app_user as u", "u.id", "n.user_id")
    .select(["u.id"])
    .distinct()
    .where("n.delivery", "=", "digest")
    .where("n.digested_at", "is", null)
    .where("u.active", "=", true)
    .orderBy("u.id")
    .execute();
  let sent = 0;
  for (const { id } of people) {
    const queued = await db.transaction().execute(async (trx) => {
      const person = await trx.selectFrom("app_user").select(RECIPIENT_COLUMNS).where("id", "=", id).executeTakeFirstOrThrow();
      const waiting = await trx
        .selectFrom("notification")
        .select(["id", "kind", "link", "words"])
        .where("user_id", "=", id)
        .where("delivery", "=", "digest")
        .where("digested_at", "is", null)
        .orderBy("created_at")
        .orderBy("id")
        .forUpdate()
        .skipLocked()
        .execute();
      if (waiting.length === 0) return false;
      const email = digestEmail(person.language, {
        name: person.name,
        notifications: waiting.map((n) => ({ kind: n.kind, words: n.words, link: absolute(baseUrl, n.link) })),
        settingsLink: absolute(baseUrl, NOTIFICATION_SETTINGS_PATH),
      });
      const queuedNow = await queueEmail(trx, {
        kind: "digest",
        to: person.email,
        ...email,
        dedupeKey: `digest:${id}:${today}`,
        createdAt: now,
      });
      if (!queuedNow) return false;
      await trx
        .updateTable("notification")
        .set({ digested_at: now })
        .where(
          "id",
          "in",
          waiting.map((n) => n.id),
        )
        .execute();
      return true;
    });
    if (queued) sent += 1;
  }
  return { digests: sent, considered: people.length };
}
