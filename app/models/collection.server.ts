import type { Kysely, Transaction } from "kysely";
import { jsonArrayFrom, jsonObjectFrom } from "kysely/helpers/postgres";
import type { CollectionStatus, Database } from "#db/types.ts";
import type { LifecycleStep } from "#app/domain/round.ts";
import { CollectionRulesSchema } from "#app/schema/collection-rules.ts";
import type { CollectionDraft } from "#app/schema/collection-form.ts";
import type { ReturnDefinition } from "#app/schema/return-values.ts";
import { CENSUS_2021 } from "#app/domain/denominators.ts";
import { recordAudit, type Executor } from "./audit.server.ts";
import { authorityQuery, isAuthorityCode } from "./authority.server.ts";
import { COLLECTION_COLUMNS } from "./columns.server.ts";
import { VALUE_COLUMNS } from "./value-columns.server.ts";
import { notifyRoundOpened } from "./notification.server.ts";

export async function listCollections(db: Executor) {
  return db
    .selectFrom("collection")
    .select(["id", "code", "title_en", "title_cy", "reference_date", "opens_on", "due_on", "status"])
    .where("status", "<>", "draft")
    .orderBy("reference_date", "desc")
    .orderBy("code")
    .execute();
}

/** A collection authorities and readers can see: published (open or closed), not a coordinator's draft. */
export function isPublished(collection: { status: string }) {
  return collection.status !== "draft";
}

// Only a code of the form the database allows can exist; anything else (a NUL byte in an address) is not looked up.
const isCollectionCode = (code: string) => /^[a-z0-9]+(-[a-z0-9]+)*$/.test(code) && code.length <= 200;

/** A collection and its items in one query: every collection page asks for both before anything else. */
function collectionWithItems(db: Executor, code: string) {
  return db
    .selectFrom("collection")
    .select(COLLECTION_COLUMNS)
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom("collection_item as ci")
          .innerJoin("data_item as di", "di.code", "ci.item_code")
          .select([
            "di.code",
            "di.label_en",
            "di.label_cy",
            "di.definition_en",
            "di.definition_cy",
            "di.min_value",
            "di.max_value",
            "di.age_from",
            "di.age_to",
            "di.parent_code",
            "ci.position",
            "ci.required",
          ])
          .whereRef("ci.collection_id", "=", "collection.id")
          .orderBy("ci.position"),
      ).as("items"),
    )
    .where("code", "=", code);
}

function withRules<C extends { rules: unknown }>(collection: C) {
  return { ...collection, rules: CollectionRulesSchema.parse(collection.rules) };
}

export async function getCollection(db: Executor, code: string) {
  if (!isCollectionCode(code)) return null;
  const collection = await collectionWithItems(db, code).executeTakeFirst();
  return collection ? withRules(collection) : null;
}

/**
 * A collection with its items, and an authority, in one query: what every page of a return asks
 * for before anything else. Null where either does not exist.
 */
export async function getCollectionAndAuthority(db: Executor, code: string, authorityCode: string) {
  if (!isCollectionCode(code) || !isAuthorityCode(authorityCode)) return null;
  const found = await collectionWithItems(db, code)
    .select(jsonObjectFrom(authorityQuery(db, authorityCode)).as("authority"))
    .executeTakeFirst();
  if (!found?.authority) return null;
  const { authority, ...collection } = found;
  return { collection: withRules(collection), authority };
}

export type CollectionWithItems = NonNullable<Awaited<ReturnType<typeof getCollection>>>;

/** What a page of a collection's figures says of it above them: its title, guidance and reference date. */
export function collectionHeading(collection: CollectionWithItems) {
  const { code, title_en, title_cy, guidance_en, guidance_cy, reference_date } = collection;
  return { code, title_en, title_cy, guidance_en, guidance_cy, reference_date };
}

/** A collection's items as a page of its figures names them: code and label, without their definitions and limits. */
export function itemsShown(collection: CollectionWithItems) {
  return collection.items.map(({ code, label_en, label_cy }) => ({ code, label_en, label_cy }));
}

/** What the shared schema needs to know of a collection to validate a return to it. */
export function returnDefinition(collection: CollectionWithItems): ReturnDefinition {
  return {
    referenceDate: collection.reference_date,
    rules: collection.rules,
    items: collection.items.map((item) => ({
      code: item.code,
      minValue: item.min_value,
      maxValue: item.max_value,
      ageFrom: item.age_from,
      ageTo: item.age_to,
      required: item.required,
    })),
  };
}

/** Every collection, drafts included, for the coordinator. */
export async function listAllCollections(db: Executor) {
  return db
    .selectFrom("collection")
    .select(["id", "code", "title_en", "title_cy", "reference_date", "opens_on", "due_on", "status"])
    .orderBy("reference_date", "desc")
    .orderBy("code")
    .execute();
}

export type DesignResult = { ok: true } | { ok: false; reason: "codeTaken" | "hasSubmittedData" | "wrongStatus" };

async function hasSubmittedData(db: Executor, collectionId: number) {
  const row = await db
    .selectFrom("return")
    .select("id")
    .where("collection_id", "=", collectionId)
    .where("submitted_version", "is not", null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

function collectionColumns(draft: CollectionDraft) {
  const { items: _items, rules, ...fields } = draft;
  return { ...fields, rules: JSON.stringify(rules) };
}

/** Adds a round, a draft to design; the demo data adds its rounds open, by the portal (no actor), with its reason. */
export async function createCollection(
  db: Kysely<Database>,
  draft: CollectionDraft,
  actorUserId: number | null,
  { status = "draft", reason }: { status?: "draft" | "open"; reason?: string } = {},
): Promise<DesignResult> {
  return db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto("collection")
      .values({ ...collectionColumns(draft), status, denominator_code: CENSUS_2021 })
      .onConflict((oc) => oc.column("code").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!created) return { ok: false as const, reason: "codeTaken" as const };
    await trx
      .insertInto("collection_item")
      .values(draft.items.map((item, i) => ({ collection_id: created.id, item_code: item.code, position: i + 1, required: item.required })))
      .execute();
    await recordAudit(trx, {
      actorUserId,
      action: "collection.create",
      entity: "collection",
      entityKey: created.id,
      after: { code: draft.code, ...(status === "draft" ? {} : { status }), items: draft.items, rules: draft.rules },
      reason,
    });
    return { ok: true as const };
  });
}

/**
 * Changes a collection's details, items and rules. Refused once any return has been submitted
 * to it: figures already given were answers to the questions as they stood.
 */
export async function updateCollection(
  db: Kysely<Database>,
  collection: CollectionWithItems,
  draft: CollectionDraft,
  actorUserId: number,
): Promise<DesignResult> {
  return db.transaction().execute(async (trx) => {
    if (collection.status === "closed") return { ok: false as const, reason: "wrongStatus" as const };
    if (await hasSubmittedData(trx, collection.id)) return { ok: false as const, reason: "hasSubmittedData" as const };
    const itemsChanged =
      JSON.stringify(collection.items.map((i) => [i.code, i.required])) !== JSON.stringify(draft.items.map((i) => [i.code, i.required]));
    if (itemsChanged) {
      // Drafts may hold values for items no longer asked for: those go with them, each with its
      // audit row, as any change of a value has.
      const removed = collection.items.map((i) => i.code).filter((code) => !draft.items.some((i) => i.code === code));
      if (removed.length > 0) {
        const gone = await trx
          .selectFrom("value as v")
          .innerJoin("return as r", "r.id", "v.return_id")
          .select(["v.return_id", "v.item_code", "r.authority_code", ...VALUE_COLUMNS.map((c) => `v.${c}` as const)])
          .where("v.collection_id", "=", collection.id)
          .where("v.item_code", "in", removed)
          .execute();
        await trx.deleteFrom("value").where("collection_id", "=", collection.id).where("item_code", "in", removed).execute();
        await recordAudit(
          trx,
          gone.map((value) => ({
            actorUserId,
            action: "value.change",
            entity: "value",
            entityKey: `${value.return_id}:${value.item_code}`,
            authorityCode: value.authority_code,
            before: Object.fromEntries(VALUE_COLUMNS.map((c) => [c, value[c]])),
            after: null,
            reason: `The item ${value.item_code} was removed from ${collection.code}`,
          })),
        );
        await trx.deleteFrom("collection_item").where("collection_id", "=", collection.id).where("item_code", "in", removed).execute();
      }
      // The items kept keep their rows (drafts' values refer to them); new ones are added, and all
      // are numbered afresh, moved out of the way first since no two may share a position.
      await trx
        .updateTable("collection_item")
        .set((eb) => ({ position: eb("position", "+", 100_000) }))
        .where("collection_id", "=", collection.id)
        .execute();
      await trx
        .insertInto("collection_item")
        .values(
          draft.items.map((item, i) => ({ collection_id: collection.id, item_code: item.code, position: i + 1, required: item.required })),
        )
        .onConflict((oc) =>
          oc
            .columns(["collection_id", "item_code"])
            .doUpdateSet((eb) => ({ position: eb.ref("excluded.position"), required: eb.ref("excluded.required") })),
        )
        .execute();
    }
    const { code: _code, ...changes } = collectionColumns(draft);
    await trx.updateTable("collection").set(changes).where("id", "=", collection.id).execute();
    await recordAudit(trx, {
      actorUserId,
      action: "collection.update",
      entity: "collection",
      entityKey: collection.id,
      before: { items: collection.items.map((i) => ({ code: i.code, required: i.required })), rules: collection.rules },
      after: { items: draft.items, rules: draft.rules },
    });
    return { ok: true as const };
  });
}

const NEXT_STATUS = { publish: ["draft", "open"], close: ["open", "closed"], reopen: ["closed", "open"] } as const satisfies Record<
  LifecycleStep,
  readonly [CollectionStatus, CollectionStatus]
>;

export type LifecycleResult = DesignResult | { ok: false; reason: "statisticsPublished" };

/**
 * Publishing lets authorities fill the collection in; closing stops it; reopening a closed round
 * (with a reason, audited) lets them again, unless its statistics are published: those were
 * computed from the closed round's figures, so they are withdrawn first.
 */
export async function changeCollectionStatus(
  db: Kysely<Database>,
  collection: CollectionWithItems,
  step: LifecycleStep,
  actorUserId: number,
  reason: string | null = null,
): Promise<LifecycleResult> {
  const [from, to] = NEXT_STATUS[step];
  return db.transaction().execute(async (trx) => {
    // Taken in turn with the round's publications (a round published at this moment is not
    // reopened) and with every change of its returns (holdRound): a submission on its way when the
    // round closes lands before the close, or is refused after it, never in a closed round.
    if ((await lockRound(trx, collection.id, { lifecycle: true })).status !== from) {
      return { ok: false as const, reason: "wrongStatus" as const };
    }
    if (step === "reopen") {
      const live = await trx
        .selectFrom("statistics_publication")
        .select("id")
        .where("collection_id", "=", collection.id)
        .where("withdrawn_at", "is", null)
        .executeTakeFirst();
      if (live) return { ok: false as const, reason: "statisticsPublished" as const };
    }
    await trx.updateTable("collection").set({ status: to }).where("id", "=", collection.id).execute();
    await recordAudit(trx, {
      actorUserId,
      action: `collection.${step}`,
      entity: "collection",
      entityKey: collection.id,
      before: { status: from },
      after: { status: to },
      reason,
    });
    if (to === "open") await notifyRoundOpened(trx, collection.id);
    return { ok: true as const };
  });
}

/**
 * A round's row locked until the transaction ends, with its status as it is now: its lifecycle and
 * its releases (published statistics, workbooks for publication) take it in turn. FOR NO KEY
 * UPDATE, not FOR UPDATE: a new return refers to its round, and the foreign key's check (FOR KEY
 * SHARE) would otherwise wait for a release's plan, seconds on a large round.
 */
export async function lockRound(trx: Transaction<Database>, collectionId: number, { lifecycle = false } = {}) {
  const query = trx.selectFrom("collection").select("status").where("id", "=", collectionId);
  // A change of the round's status (FOR UPDATE) waits for the returns being changed (holdRound's
  // FOR KEY SHARE), and they for it; a release does not, and they do not wait for a release.
  return (lifecycle ? query.forUpdate() : query.forNoKeyUpdate()).executeTakeFirstOrThrow();
}

/**
 * The round as it is now, held against a change of its status (lockRound's lifecycle lock) until
 * the transaction ends: a change of one of its returns checks the round is open with this, not
 * with the round as its request first read it. FOR KEY SHARE: a release's lock (FOR NO KEY UPDATE)
 * does not hold it up.
 */
export async function holdRound(trx: Executor, collectionId: number) {
  return trx.selectFrom("collection").select(["status", "opens_on"]).where("id", "=", collectionId).forKeyShare().executeTakeFirstOrThrow();
}

/** Whether officers may see other authorities' accepted figures once the collection has closed. */
export async function setOfficersMayCompare(db: Kysely<Database>, collection: CollectionWithItems, allowed: boolean, actorUserId: number) {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("collection").set({ officers_may_compare: allowed }).where("id", "=", collection.id).execute();
    await recordAudit(trx, {
      actorUserId,
      action: "collection.officers_may_compare",
      entity: "collection",
      entityKey: collection.id,
      before: { officers_may_compare: collection.officers_may_compare },
      after: { officers_may_compare: allowed },
    });
  });
}

/** How far a round has got, for its lifecycle's confirmations: authorities asked, and how many have submitted. */
export async function roundProgress(db: Executor, collectionId: number) {
  const [authorities, submitted] = await Promise.all([
    db
      .selectFrom("authority")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("return")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("collection_id", "=", collectionId)
      .where("submitted_version", "is not", null)
      .executeTakeFirstOrThrow(),
  ]);
  return { authorities: Number(authorities.n), submitted: Number(submitted.n) };
}
