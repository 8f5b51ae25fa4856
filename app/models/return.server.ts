/**
 * An authority's return to a collection. Every function takes the authority as part of its scope
 * and filters by it in SQL: a caller cannot reach another authority's return through this module.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database, Language, Role } from "#db/types.ts";
import {
  BLANK_VALUE,
  findFlags,
  unexplainedFlags,
  validateReturn,
  type CleanValue,
  type Problem,
  type Flag,
  type RawReturn,
  type RawValue,
  type ValidValues,
} from "#app/schema/return-values.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { hasOpened } from "#app/domain/round.ts";
import { recordAudit, type Executor } from "./audit.server.ts";
import { notifyReturnEvent } from "./notification.server.ts";
import { fromColumns, toColumns, VALUE_COLUMNS, type ValueColumns } from "./value-columns.server.ts";
import { holdRound, returnDefinition, type CollectionWithItems } from "./collection.server.ts";
import { previousValues, rateBasis } from "./aggregation.server.ts";
import { RETURN_COLUMNS } from "./columns.server.ts";
import { may } from "#app/auth/policy.ts";
import { authorityReader, type Reader } from "#app/auth/policy.server.ts";

export interface ReturnScope {
  collection: CollectionWithItems;
  authorityCode: string;
}

/** Who is changing a return: a signed-in user, or the portal itself (seeds, imports it runs). */
export interface Actor {
  userId: number | null;
  role: Role | "system";
  authorityCode: string | null;
}

export const SYSTEM_ACTOR: Actor = { userId: null, role: "system", authorityCode: null };

/**
 * The language an actor's words are in (decision 018): a person's interface language as they write
 * them, which is their account's (the language switch changes it); the portal's own loads (the
 * seeds) write English; an import's words are whatever its sheet held, so not known.
 */
export async function writtenIn(db: Executor, actor: Actor): Promise<Language | null> {
  if (actor.role === "system") return actor.userId === null ? "en" : null;
  if (actor.userId === null) return null;
  const user = await db.selectFrom("app_user").select("language").where("id", "=", actor.userId).executeTakeFirst();
  return user?.language ?? null;
}

const WORDS = ["reason", "countingNote", "caveat", "queryExplanation"] as const;
const sameWords = (a: CleanValue, b: CleanValue) => WORDS.every((w) => (a[w] ?? null) === (b[w] ?? null));

/** The portal loading a coordinator's bulk import: the portal changes the returns, the coordinator is on record as who asked. */
export function importActor(userId: number): Actor & { userId: number } {
  return { userId, role: "system", authorityCode: null };
}

/**
 * Whether a number can be a row's lock version or id as the database stores them (a non-negative
 * 32-bit integer). A form can send anything ("abc", 1e99, 1.5); a number that cannot be one never
 * matches, so it is answered as a conflict or as not found, never sent to the database to fail.
 */
export function isStoredInteger(n: number) {
  return Number.isSafeInteger(n) && n >= 0 && n <= 2_147_483_647;
}

/**
 * Only the authority's own officers change its return, and the portal itself: the seeds, and the
 * bulk imports it runs for a coordinator (importActor). A coordinator queries and accepts a
 * return; they never change its figures themselves.
 */
function assertMayChange(scope: ReturnScope, actor: Actor) {
  const allowed = actor.role === "system" || may(actor, "fillInReturn", scope.authorityCode);
  if (!allowed) throw new Error(`${actor.role} ${actor.userId} may not change the return of ${scope.authorityCode}`);
}

function isBlank(value: CleanValue) {
  return Object.values(value).every((v) => v === null);
}

function sameValue(a: CleanValue, b: CleanValue) {
  return (Object.keys(BLANK_VALUE) as (keyof CleanValue)[]).every((k) => a[k] === b[k]);
}

export async function findReturn(db: Executor, { collection, authorityCode }: ReturnScope) {
  return db
    .selectFrom("return")
    .select(RETURN_COLUMNS)
    .where("collection_id", "=", collection.id)
    .where("authority_code", "=", authorityCode)
    .executeTakeFirst();
}

/** A reader asked for a draft they may not see (Reader.seesDraftOf): a caller's mistake, never a page to show. */
export class DraftRefused extends Error {
  constructor(authorityCode: string) {
    super(`This reader may not read the draft of ${authorityCode}`);
  }
}

/**
 * The working copy of the return's values (the draft), one per item (blank where none), for a
 * reader who may see it: the authority's own officers, or the portal reading as them. Anyone else
 * is refused: a draft is the authority's own until it is submitted.
 */
export async function workingValues(db: Executor, reader: Reader, scope: ReturnScope): Promise<Record<string, CleanValue>> {
  if (!reader.seesDraftOf(scope.authorityCode)) throw new DraftRefused(scope.authorityCode);
  return draftOf(db, scope);
}

/** What a reader is shown of a return's values, and which copy they are. */
export interface ShownValues {
  /** "nothing": nothing submitted yet, and the reader may not see the draft (every value blank). */
  of: "draft" | "submitted" | "nothing";
  values: Record<string, CleanValue>;
  textLangs: Record<string, Language | null>;
}

/**
 * The values of a return a reader is shown, given the return's latest submitted version (the
 * caller has the return already). The authority's own officers see the draft when they are editing
 * it (`editing`: a form shows the words as typed, so without their languages) or when nothing has
 * been submitted yet, else the latest submitted version. Everyone else (coordinators, analysts)
 * sees the latest submitted version only, and before the first submission nothing: every value
 * blank, `of: "nothing"`.
 */
export async function valuesShown(
  db: Executor,
  reader: Reader,
  scope: ReturnScope,
  { submittedVersion, editing = false }: { submittedVersion: number | null; editing?: boolean },
): Promise<ShownValues> {
  if (reader.seesDraftOf(scope.authorityCode) && (editing || !submittedVersion)) {
    const [values, textLangs] = await Promise.all([draftOf(db, scope), editing ? {} : valueLanguages(db, scope, "working")]);
    return { of: "draft", values, textLangs };
  }
  if (!submittedVersion) return { of: "nothing", values: byItem(scope, []), textLangs: {} };
  const [values, textLangs] = await Promise.all([submittedValues(db, scope), valueLanguages(db, scope, "submitted")]);
  return { of: "submitted", values, textLangs };
}

/** The draft, unchecked: for this module's own writes and checks, which the actor's rights guard. */
async function draftOf(db: Executor, scope: ReturnScope): Promise<Record<string, CleanValue>> {
  const rows = await db
    .selectFrom("value as v")
    .innerJoin("return as r", "r.id", "v.return_id")
    .select(["v.item_code", ...VALUE_COLUMNS.map((c) => `v.${c}` as const)])
    .where("r.collection_id", "=", scope.collection.id)
    .where("r.authority_code", "=", scope.authorityCode)
    .execute();
  return byItem(scope, rows);
}

/** One value per item of the collection, blank where the rows have none. */
function byItem(scope: ReturnScope, rows: (ValueColumns & { item_code: string })[]): Record<string, CleanValue> {
  const found = new Map(rows.map((row) => [row.item_code, fromColumns(row)]));
  return Object.fromEntries(scope.collection.items.map((item) => [item.code, found.get(item.code) ?? { ...BLANK_VALUE }]));
}

/** The language each value's words were written in (decision 018), of the working copy or the latest submitted version. */
async function valueLanguages(db: Executor, scope: ReturnScope, which: "working" | "submitted"): Promise<Record<string, Language | null>> {
  const rows =
    which === "working"
      ? await db
          .selectFrom("value as v")
          .innerJoin("return as r", "r.id", "v.return_id")
          .select(["v.item_code", "v.text_lang"])
          .where("r.collection_id", "=", scope.collection.id)
          .where("r.authority_code", "=", scope.authorityCode)
          .execute()
      : await db
          .selectFrom("return_version_value as v")
          .innerJoin("return as r", (join) => join.onRef("r.id", "=", "v.return_id").onRef("r.submitted_version", "=", "v.version"))
          .select(["v.item_code", "v.text_lang"])
          .where("r.collection_id", "=", scope.collection.id)
          .where("r.authority_code", "=", scope.authorityCode)
          .execute();
  return Object.fromEntries(rows.map((row) => [row.item_code, row.text_lang]));
}

/** The values of the latest submitted version: what everyone but the editing officer sees. */
export async function submittedValues(db: Executor, scope: ReturnScope): Promise<Record<string, CleanValue>> {
  const rows = await db
    .selectFrom("return_version_value as v")
    .innerJoin("return as r", (join) => join.onRef("r.id", "=", "v.return_id").onRef("r.submitted_version", "=", "v.version"))
    .select(["v.item_code", ...VALUE_COLUMNS.map((c) => `v.${c}` as const)])
    .where("r.collection_id", "=", scope.collection.id)
    .where("r.authority_code", "=", scope.authorityCode)
    .execute();
  return byItem(scope, rows);
}

/**
 * The flags the officer's checks raised on the return's submitted version when it was submitted,
 * each of which they had to explain; null for a version submitted before these were kept.
 */
export async function flagsAskedAtSubmission(db: Executor, scope: ReturnScope): Promise<Pick<Flag, "itemCode" | "kind">[] | null> {
  const row = await db
    .selectFrom("return_version as rv")
    .innerJoin("return as r", (join) => join.onRef("r.id", "=", "rv.return_id").onRef("r.submitted_version", "=", "rv.version"))
    .select("rv.flags_asked")
    .where("r.collection_id", "=", scope.collection.id)
    .where("r.authority_code", "=", scope.authorityCode)
    .executeTakeFirst();
  const asked = row?.flags_asked ?? null;
  return (typeof asked === "string" ? JSON.parse(asked) : asked) as Pick<Flag, "itemCode" | "kind">[] | null;
}

/**
 * What the checks compare a return with: its authority's last round, and other authorities' rates.
 * Read as the authority's officers read: each finding is a yes or a no that whoever fills in the
 * return can ask for with any figure, so it may rest only on figures they could see (the other
 * authorities' accepted figures of the latest round open to comparison, never this round's while
 * it is open).
 */
export async function flagBasis(db: Executor, { collection, authorityCode }: ReturnScope) {
  const reader = authorityReader(authorityCode);
  const [previous, rates] = await Promise.all([
    previousValues(db, reader, {
      authorityCode,
      before: collection.reference_date,
      itemCodes: collection.items.map((i) => i.code),
    }),
    rateBasis(db, reader, { collection, authorityCode }),
  ]);
  return { previous, ...rates };
}

/** Why the round takes no answers now: closed (or never opened to returns), or not yet at its opening date. */
export type RoundRefusal = { ok: false; reason: "collectionNotOpen" } | { ok: false; reason: "notYetOpen"; opensOn: string };

function roundRefusal(collection: Pick<CollectionWithItems, "status" | "opens_on">, now: Date): RoundRefusal | null {
  if (collection.status !== "open") return { ok: false, reason: "collectionNotOpen" };
  if (!hasOpened(collection, todayInWales(now))) return { ok: false, reason: "notYetOpen", opensOn: collection.opens_on };
  return null;
}

/**
 * Why the round takes no answers, as it is now, inside the change's transaction: the round held
 * (holdRound) until it ends, so that it cannot close, and so be published, between this check and
 * the commit. The round as the request first read it may have closed since.
 */
async function roundRefusalNow(trx: Executor, collection: CollectionWithItems, now: Date): Promise<RoundRefusal | null> {
  return roundRefusal(await holdRound(trx, collection.id), now);
}

export type SaveResult =
  | { ok: true; lockVersion: number; changed: string[] }
  | { ok: false; reason: "invalid"; problems: Problem[] }
  | { ok: false; reason: "conflict"; lockVersion: number }
  | { ok: false; reason: "notEditable"; status: string }
  | RoundRefusal;

interface Change {
  actor: Actor;
  now?: Date;
}

export type SaveChange = Change & {
  /** The lock version the person's form (sheet, request) was built from; 0 when there was no return yet. */
  basedOn: number;
  /** The values as given (a form, a sheet, a JSON body, a seed): every item of the return; one left out is blank. */
  raw: RawReturn;
  reason?: string | null;
};

/**
 * The only way values are written. Checks the input against the shared schema as a draft (a draft
 * may be incomplete; what submission needs is checked then), and saves it in one transaction, or
 * in the caller's (a bulk import's, several returns at once), if nobody saved since `basedOn`.
 */
export async function saveReturn(db: Executor, scope: ReturnScope, { raw, ...change }: SaveChange): Promise<SaveResult> {
  assertMayChange(scope, change.actor);
  const checked = validateReturn(returnDefinition(scope.collection), raw, { mode: "draft", today: todayInWales() });
  if (!checked.ok) return { ok: false, reason: "invalid", problems: checked.problems };
  const write = (trx: Transaction<Database>) => writeValues(trx, scope, { ...change, values: checked.values });
  return db.isTransaction ? write(db as Transaction<Database>) : db.transaction().execute(write);
}

/**
 * Saves a record of what was given (a bulk import, the seeds), explaining every figure the checks
 * flag with `explanation`, so that it can be submitted as it stands: the record explains none.
 * Never for a person's answers: they explain each flag themselves.
 */
export async function saveAsGiven(db: Executor, scope: ReturnScope, { explanation, ...change }: SaveChange & { explanation: string }) {
  const saved = await saveReturn(db, scope, change);
  if (!saved.ok) return saved;
  const { problems } = await checkForSubmission(db, scope, todayInWales());
  const flagged = new Set(problems.filter((p) => p.key === "error.flag.explanationMissing").map((p) => p.itemCode));
  if (flagged.size === 0) return saved;
  const raw = Object.fromEntries(
    Object.entries(await draftOf(db, scope)).map(([code, value]) => [
      code,
      flagged.has(code) ? { ...rawValue(value), queryExplanation: explanation } : rawValue(value),
    ]),
  );
  return saveReturn(db, scope, { ...change, basedOn: saved.lockVersion, raw });
}

/** Writes values only the shared schema has passed (ValidValues), never input as given. */
async function writeValues(
  trx: Transaction<Database>,
  scope: ReturnScope,
  { basedOn, values, actor, now = new Date(), reason = null }: Omit<SaveChange, "raw"> & { values: ValidValues },
): Promise<SaveResult> {
  const refused = await roundRefusalNow(trx, scope.collection, now);
  if (refused) return refused;
  const claimed = await claimReturn(trx, scope, basedOn, now);
  if (!claimed.ok) return claimed;
  const current = await draftOf(trx, scope);
  const textLang = await writtenIn(trx, actor);
  const changed: string[] = [];
  for (const [itemCode, value] of Object.entries(values)) {
    const before = current[itemCode]!;
    if (sameValue(before, value)) continue;
    changed.push(itemCode);
    if (isBlank(value)) {
      await trx.deleteFrom("value").where("return_id", "=", claimed.returnId).where("item_code", "=", itemCode).execute();
    } else {
      // The words keep the language they were written in when only the figure changes.
      const words = isBlank(before) || !sameWords(before, value) ? { text_lang: textLang } : {};
      const row = { ...toColumns(value), ...words, updated_at: now, updated_by: actor.userId };
      await trx
        .insertInto("value")
        .values({ return_id: claimed.returnId, collection_id: scope.collection.id, item_code: itemCode, ...row })
        .onConflict((oc) => oc.columns(["return_id", "item_code"]).doUpdateSet(row))
        .execute();
    }
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: "value.change",
      entity: "value",
      entityKey: `${claimed.returnId}:${itemCode}`,
      authorityCode: scope.authorityCode,
      before: isBlank(before) ? null : toColumns(before),
      after: isBlank(value) ? null : toColumns(value),
      reason,
    });
  }
  return { ok: true, lockVersion: claimed.lockVersion, changed };
}

/** Takes the return for this change: creates it on the first save, or bumps its lock version. */
async function claimReturn(trx: Executor, scope: ReturnScope, basedOn: number, now: Date) {
  if (!isStoredInteger(basedOn)) {
    return { ok: false as const, reason: "conflict" as const, lockVersion: (await findReturn(trx, scope))?.lock_version ?? 0 };
  }
  if (basedOn === 0) {
    const created = await trx
      .insertInto("return")
      .values({
        collection_id: scope.collection.id,
        authority_code: scope.authorityCode,
        status: "draft",
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(["collection_id", "authority_code"]).doNothing())
      .returning(["id", "lock_version"])
      .executeTakeFirst();
    if (created) return { ok: true as const, returnId: created.id, lockVersion: created.lock_version };
  } else {
    const bumped = await trx
      .updateTable("return")
      .set((eb) => ({ lock_version: eb("lock_version", "+", 1), updated_at: now }))
      .where("collection_id", "=", scope.collection.id)
      .where("authority_code", "=", scope.authorityCode)
      .where("lock_version", "=", basedOn)
      .where("status", "=", "draft")
      .returning(["id", "lock_version"])
      .executeTakeFirst();
    if (bumped) return { ok: true as const, returnId: bumped.id, lockVersion: bumped.lock_version };
  }
  // A return no longer a draft (a colleague or an import submitted it) is said so, whatever the
  // lock version: saving again from a newer page would not go through either.
  const existing = await findReturn(trx, scope);
  if (existing && existing.status !== "draft") return { ok: false as const, reason: "notEditable" as const, status: existing.status };
  return { ok: false as const, reason: "conflict" as const, lockVersion: existing?.lock_version ?? 0 };
}

/** A saved value as the shared schema reads input, to check it again. */
export function rawValue(v: CleanValue): RawValue {
  return {
    state: v.state ?? undefined,
    number: v.number ?? undefined,
    reason: v.reason ?? undefined,
    ageFrom: v.ageFrom ?? undefined,
    ageTo: v.ageTo ?? undefined,
    referenceDate: v.referenceDateUsed ?? undefined,
    countingNote: v.countingNote ?? undefined,
    caveat: v.caveat ?? undefined,
    queryExplanation: v.queryExplanation ?? undefined,
  };
}

export interface SubmissionCheck {
  problems: Problem[];
  flags: Flag[];
}

/** Everything that would stop the return being submitted now: errors, blanks and unexplained flags. */
export async function checkForSubmission(db: Executor, scope: ReturnScope, today: string): Promise<SubmissionCheck> {
  const definition = returnDefinition(scope.collection);
  const values = await draftOf(db, scope);
  const raw = Object.fromEntries(Object.entries(values).map(([code, v]) => [code, rawValue(v)]));
  const result = validateReturn(definition, raw, { mode: "submit", today });
  const flags = findFlags(definition, values, await flagBasis(db, scope));
  const problems = result.ok ? unexplainedFlags(flags, values) : result.problems;
  return { problems, flags };
}

export type SubmitResult =
  | { ok: true; version: number }
  | { ok: false; reason: "conflict"; lockVersion: number }
  | { ok: false; reason: "notEditable"; status: string }
  | RoundRefusal
  | { ok: false; reason: "problems"; problems: Problem[] };

export type SubmitChange = Change & { basedOn: number; signedOffName: string; signedOffRole: string; today: string };

export async function submitReturn(db: Kysely<Database>, scope: ReturnScope, change: SubmitChange): Promise<SubmitResult> {
  return db
    .transaction()
    .execute((trx) => submitReturnIn(trx, scope, change))
    .catch((error: unknown) => {
      if (error instanceof SubmissionRefused) return { ok: false as const, reason: "problems" as const, problems: error.problems };
      throw error;
    });
}

/**
 * submitReturn inside the caller's transaction. A return with problems throws SubmissionRefused,
 * so that nothing of the transaction sticks, not even the lock version bump.
 */
export async function submitReturnIn(
  trx: Transaction<Database>,
  scope: ReturnScope,
  { basedOn, signedOffName, signedOffRole, actor, today, now = new Date() }: SubmitChange,
): Promise<SubmitResult> {
  assertMayChange(scope, actor);
  const refused = await roundRefusalNow(trx, scope.collection, now);
  if (refused) return refused;
  const claimed = await claimReturn(trx, scope, basedOn, now);
  if (!claimed.ok) return claimed;
  const check = await checkForSubmission(trx, scope, today);
  if (check.problems.length > 0) throw new SubmissionRefused(check.problems);
  const ret = (await findReturn(trx, scope))!;
  const version = (ret.submitted_version ?? 0) + 1;
  await trx
    .insertInto("return_version")
    .values({
      return_id: ret.id,
      version,
      submitted_at: now,
      submitted_by: actor.userId,
      signed_off_name: signedOffName,
      signed_off_role: signedOffRole,
      signed_off_lang: await writtenIn(trx, actor),
      amendment_reason: ret.amendment_reason,
      amendment_reason_lang: ret.amendment_reason_lang,
      flags_asked: JSON.stringify(check.flags.map(({ itemCode, kind }) => ({ itemCode, kind }))),
    })
    .execute();
  await trx
    .insertInto("return_version_value")
    .columns(["return_id", "version", "item_code", "text_lang", ...VALUE_COLUMNS])
    .expression((eb) =>
      eb
        .selectFrom("value")
        .select((s) => [s.val(ret.id).as("return_id"), s.val(version).as("version"), "item_code", "text_lang", ...VALUE_COLUMNS])
        .where("return_id", "=", ret.id),
    )
    .execute();
  // Queries the coordinator left open still stand over the new version.
  const open = await trx
    .selectFrom("value_query")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("return_id", "=", ret.id)
    .where("status", "=", "open")
    .executeTakeFirstOrThrow();
  const status = Number(open.n) > 0 ? "queried" : "submitted";
  await trx
    .updateTable("return")
    .set({ status, submitted_version: version, amendment_reason: null, amendment_reason_lang: null, updated_at: now })
    .where("id", "=", ret.id)
    .execute();
  await recordAudit(trx, {
    actorUserId: actor.userId,
    action: "return.submit",
    entity: "return",
    entityKey: ret.id,
    authorityCode: scope.authorityCode,
    before: { status: ret.status, submitted_version: ret.submitted_version },
    after: { status, submitted_version: version, signed_off_name: signedOffName, signed_off_role: signedOffRole },
    reason: ret.amendment_reason,
  });
  // The portal's own loads (the demo data, a coordinator's bulk import) are no news to the coordinators.
  if (actor.role !== "system") {
    await notifyReturnEvent(
      trx,
      scope,
      { kind: ret.submitted_version === null ? "return_submitted" : "amendment_submitted", version },
      { actorUserId: actor.userId, now },
    );
  }
  return { ok: true as const, version };
}

export class SubmissionRefused extends Error {
  constructor(readonly problems: Problem[]) {
    super("Submission refused");
  }
}

export type AmendResult =
  | { ok: true; lockVersion: number }
  | { ok: false; reason: "conflict"; lockVersion: number }
  | { ok: false; reason: "notSubmitted" }
  | RoundRefusal;

/**
 * Reopens a submitted (or queried, or accepted) return as a draft, with the reason the next
 * version will carry. The submitted version stays as it was: totals go on reading it.
 */
export async function amendReturn(
  db: Kysely<Database>,
  scope: ReturnScope,
  { basedOn, reason, actor, now = new Date() }: Change & { basedOn: number; reason: string },
): Promise<AmendResult> {
  assertMayChange(scope, actor);
  const refused = roundRefusal(scope.collection, now);
  if (refused) return refused;
  return db.transaction().execute(async (trx): Promise<AmendResult> => {
    const refusedNow = await roundRefusalNow(trx, scope.collection, now);
    if (refusedNow) return refusedNow;
    const current = await findReturn(trx, scope);
    if (!current || current.status === "draft") return { ok: false as const, reason: "notSubmitted" as const };
    const reasonLang = await writtenIn(trx, actor);
    if (!isStoredInteger(basedOn)) return { ok: false as const, reason: "conflict" as const, lockVersion: current.lock_version };
    const reopened = await trx
      .updateTable("return")
      .set((eb) => ({
        status: "draft",
        amendment_reason: reason,
        amendment_reason_lang: reasonLang,
        lock_version: eb("lock_version", "+", 1),
        updated_at: now,
      }))
      .where("id", "=", current.id)
      .where("authority_code", "=", scope.authorityCode)
      .where("lock_version", "=", basedOn)
      .returning("lock_version")
      .executeTakeFirst();
    if (!reopened) return { ok: false as const, reason: "conflict" as const, lockVersion: current.lock_version };
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: "return.amend",
      entity: "return",
      entityKey: current.id,
      authorityCode: scope.authorityCode,
      before: { status: current.status },
      after: { status: "draft" },
      reason,
    });
    if (current.status === "accepted" && actor.role !== "system") {
      await notifyReturnEvent(
        trx,
        scope,
        { kind: "changed_after_acceptance", lockVersion: reopened.lock_version, reason },
        { actorUserId: actor.userId, now },
      );
    }
    return { ok: true as const, lockVersion: reopened.lock_version };
  });
}

/** Every submitted version of the return, oldest first, each with its values. */
export async function returnVersions(db: Executor, scope: ReturnScope) {
  const versions = await db
    .selectFrom("return_version as rv")
    .innerJoin("return as r", "r.id", "rv.return_id")
    .leftJoin("app_user as u", "u.id", "rv.submitted_by")
    .select([
      "rv.version",
      "rv.submitted_at",
      "rv.signed_off_name",
      "rv.signed_off_role",
      "rv.signed_off_lang",
      "rv.amendment_reason",
      "rv.amendment_reason_lang",
      "u.name as submitted_by_name",
    ])
    .where("r.collection_id", "=", scope.collection.id)
    .where("r.authority_code", "=", scope.authorityCode)
    .orderBy("rv.version")
    .execute();
  const values = await db
    .selectFrom("return_version_value as v")
    .innerJoin("return as r", "r.id", "v.return_id")
    .select(["v.version", "v.item_code", "v.text_lang", ...VALUE_COLUMNS.map((c) => `v.${c}` as const)])
    .where("r.collection_id", "=", scope.collection.id)
    .where("r.authority_code", "=", scope.authorityCode)
    .execute();
  return versions.map((version) => ({
    ...version,
    textLangs: Object.fromEntries(values.filter((v) => v.version === version.version).map((v) => [v.item_code, v.text_lang])),
    values: byItem(
      scope,
      values.filter((v) => v.version === version.version),
    ),
  }));
}

/** The collections an authority is asked to answer, with where its return stands in each. */
export async function returnsForAuthority(db: Executor, authorityCode: string) {
  return db
    .selectFrom("collection as c")
    .leftJoin("return as r", (join) => join.onRef("r.collection_id", "=", "c.id").on("r.authority_code", "=", authorityCode))
    .leftJoin("return_version as rv", (join) => join.onRef("rv.return_id", "=", "r.id").onRef("rv.version", "=", "r.submitted_version"))
    .select([
      "c.code",
      "c.title_en",
      "c.title_cy",
      "c.reference_date",
      "c.due_on",
      "c.status as collectionStatus",
      "c.officers_may_compare as mayCompare",
      "r.status as returnStatus",
      "r.submitted_version as submittedVersion",
      "r.updated_at as updatedAt",
      "rv.submitted_at as submittedAt",
    ])
    .where("c.status", "<>", "draft")
    .orderBy("c.due_on", "desc")
    .execute();
}
