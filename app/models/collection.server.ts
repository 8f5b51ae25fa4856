import { CollectionRulesSchema } from "#app/schema/collection-rules.ts";
import type { ReturnDefinition } from "#app/schema/return-values.ts";
import type { Executor } from "./audit.server.ts";

export async function listCollections(db: Executor) {
  return db
    .selectFrom("collection")
    .select(["id", "code", "title_en", "title_cy", "reference_date", "opens_on", "due_on", "status"])
    .where("status", "<>", "draft")
    .orderBy("reference_date", "desc")
    .orderBy("code")
    .execute();
}

export async function getCollection(db: Executor, code: string) {
  const collection = await db.selectFrom("collection").selectAll().where("code", "=", code).executeTakeFirst();
  if (!collection) return null;
  const items = await db
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
    .where("ci.collection_id", "=", collection.id)
    .orderBy("ci.position")
    .execute();
  return { ...collection, rules: CollectionRulesSchema.parse(collection.rules), items };
}

export type CollectionWithItems = NonNullable<Awaited<ReturnType<typeof getCollection>>>;

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
