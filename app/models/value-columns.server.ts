/**
 * A value's fields as the database stores them: the one mapping between a CleanValue (the shared
 * schema's names) and the columns of `value` and `return_version_value`. A new field of every
 * value is added here, to the schema's CleanValue, and in a migration.
 */
import type { CleanValue } from "#app/schema/return-values.ts";

const COLUMN_OF = {
  state: "state",
  number: "number",
  reason: "reason",
  ageFrom: "age_from",
  ageTo: "age_to",
  referenceDateUsed: "reference_date_used",
  countingNote: "counting_note",
  caveat: "caveat",
  queryExplanation: "query_explanation",
} as const satisfies Record<keyof CleanValue, string>;

type Field = keyof typeof COLUMN_OF;
type Column = (typeof COLUMN_OF)[Field];
const FIELDS = Object.keys(COLUMN_OF) as Field[];

export type ValueColumns = { [F in Field as (typeof COLUMN_OF)[F]]: CleanValue[F] };

/** The value columns, in the schema's order. */
export const VALUE_COLUMNS = FIELDS.map((f) => COLUMN_OF[f]) as Column[];

export function toColumns(value: CleanValue): ValueColumns {
  return Object.fromEntries(FIELDS.map((f) => [COLUMN_OF[f], value[f]])) as ValueColumns;
}

export function fromColumns(row: ValueColumns): CleanValue {
  return Object.fromEntries(FIELDS.map((f) => [f, row[COLUMN_OF[f]]])) as unknown as CleanValue;
}
