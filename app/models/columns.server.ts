/**
 * Every column of a table, by name, for the queries every page runs first: a query of `*` is
 * never prepared (db/connect.ts), so it would be parsed and planned again on every request.
 */
import type { CollectionTable, ReturnTable } from "#db/types.ts";

/** The compiler checks the object names each column of the table, and nothing else. */
function allColumns<Table>(columns: Record<keyof Table & string, true>) {
  return Object.keys(columns) as (keyof Table & string)[];
}

export const COLLECTION_COLUMNS = allColumns<CollectionTable>({
  id: true,
  code: true,
  title_en: true,
  title_cy: true,
  guidance_en: true,
  guidance_cy: true,
  reference_date: true,
  opens_on: true,
  due_on: true,
  status: true,
  rules: true,
  denominator_code: true,
  created_at: true,
  officers_may_compare: true,
});

export const RETURN_COLUMNS = allColumns<ReturnTable>({
  id: true,
  collection_id: true,
  authority_code: true,
  status: true,
  lock_version: true,
  submitted_version: true,
  amendment_reason: true,
  amendment_reason_lang: true,
  created_at: true,
  updated_at: true,
  accepted_version: true,
  accepted_at: true,
  accepted_by: true,
});
