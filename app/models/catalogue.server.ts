import type { Executor } from "./audit.server.ts";

/** The English and Welsh labels of some catalogue items, by code. */
export async function itemLabels(db: Executor, codes: string[]) {
  if (codes.length === 0) return {};
  const rows = await db.selectFrom("data_item").select(["code", "label_en", "label_cy"]).where("code", "in", codes).execute();
  return Object.fromEntries(rows.map((r) => [r.code, { label_en: r.label_en, label_cy: r.label_cy }]));
}

export async function listCatalogue(db: Executor) {
  return db
    .selectFrom("data_item")
    .select(["code", "label_en", "label_cy", "definition_en", "definition_cy", "min_value", "max_value", "age_from", "age_to", "parent_code"])
    .orderBy("created_at")
    .orderBy("code")
    .execute();
}
