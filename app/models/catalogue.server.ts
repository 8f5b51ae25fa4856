import type { Kysely } from "kysely";
import type { Database } from "#db/types.ts";
import { DATA_ITEM_FIELDS, type DataItemDraft } from "#app/schema/data-item.ts";
import { recordAudit, type Executor } from "./audit.server.ts";

/** The English and Welsh labels of some catalogue items, by code. */
export async function itemLabels(db: Executor, wanted: string[]) {
  // Only codes of the form the database allows can exist; anything else (a NUL byte in an address) is not looked up.
  const codes = wanted.filter((code) => /^[a-z0-9]+(_[a-z0-9]+)*$/.test(code) && code.length <= 200);
  if (codes.length === 0) return {};
  const rows = await db.selectFrom("data_item").select(["code", "label_en", "label_cy"]).where("code", "in", codes).execute();
  return Object.fromEntries(rows.map((r) => [r.code, { label_en: r.label_en, label_cy: r.label_cy }]));
}

export async function listCatalogue(db: Executor) {
  return db
    .selectFrom("data_item")
    .select([...DATA_ITEM_FIELDS])
    .orderBy("created_at")
    .orderBy("code")
    .execute();
}

/** Adds an item; refused (changing nothing) when the code was taken meanwhile, e.g. by another coordinator at the same moment. */
export async function createDataItem(db: Kysely<Database>, draft: DataItemDraft, actorUserId: number): Promise<{ ok: boolean }> {
  return db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto("data_item")
      .values(draft)
      .onConflict((oc) => oc.column("code").doNothing())
      .returning("code")
      .executeTakeFirst();
    if (!created) return { ok: false };
    await recordAudit(trx, { actorUserId, action: "catalogue.create", entity: "data_item", entityKey: draft.code, after: draft });
    return { ok: true };
  });
}

/**
 * Sets what each item's rates are per 10,000 of (null: its round's denominator), in one transaction
 * with an audit entry for each item that changes. Returns the codes of the items changed.
 */
export async function setItemDenominators(
  db: Kysely<Database>,
  choices: Map<string, string | null>,
  actorUserId: number,
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const changed: string[] = [];
    for (const [code, denominatorCode] of choices) {
      const before = await trx.selectFrom("data_item").select("denominator_code").where("code", "=", code).forUpdate().executeTakeFirst();
      if (!before || before.denominator_code === denominatorCode) continue;
      await trx.updateTable("data_item").set({ denominator_code: denominatorCode }).where("code", "=", code).execute();
      await recordAudit(trx, {
        actorUserId,
        action: "catalogue.denominator",
        entity: "data_item",
        entityKey: code,
        before: { denominator_code: before.denominator_code },
        after: { denominator_code: denominatorCode },
      });
      changed.push(code);
    }
    return changed;
  });
}

/** Deletes an item no collection asks for; an item in use stays (and the database would refuse anyway). */
export async function deleteDataItem(db: Kysely<Database>, code: string, actorUserId: number): Promise<{ ok: boolean }> {
  return db.transaction().execute(async (trx) => {
    const inUse = await trx.selectFrom("collection_item").select("collection_id").where("item_code", "=", code).limit(1).executeTakeFirst();
    const isParent = await trx.selectFrom("data_item").select("code").where("parent_code", "=", code).limit(1).executeTakeFirst();
    if (inUse || isParent) return { ok: false };
    const deleted = await trx.deleteFrom("data_item").where("code", "=", code).returningAll().executeTakeFirst();
    if (!deleted) return { ok: false };
    await recordAudit(trx, { actorUserId, action: "catalogue.delete", entity: "data_item", entityKey: code, before: deleted });
    return { ok: true };
  });
}

/** Which catalogue items some collection asks for (these cannot be deleted). */
export async function itemsInUse(db: Executor) {
  const rows = await db.selectFrom("collection_item").select("item_code").distinct().execute();
  const parents = await db.selectFrom("data_item").select("parent_code").where("parent_code", "is not", null).distinct().execute();
  return new Set([...rows.map((r) => r.item_code), ...parents.map((p) => p.parent_code!)]);
}
