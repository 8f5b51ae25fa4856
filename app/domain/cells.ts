import type { CellKind } from "#app/components/charts.tsx";
import type { ValueState } from "#db/types.ts";
import type { AuthorityCell } from "#app/models/aggregation.server.ts";
import type { DeviationFields } from "./values.ts";

/** What a cell of the gaps view or the map shows: a figure, a figure counted differently, a reason state, or nothing. */
export function cellKind(cell: { returnStatus: string | null; state: ValueState | null; comparable: boolean }): CellKind {
  if (cell.returnStatus === null) return "noReturn";
  if (cell.state === null) return "blank";
  if (cell.state === "reported") return cell.comparable ? "comparable" : "nonComparable";
  return cell.state;
}

/** The GOV.UK tag colour for each kind of cell in the gaps grid: the words say it, the colour helps. */
export const KIND_TAG: Record<CellKind, string> = {
  comparable: "govuk-tag--blue",
  nonComparable: "govuk-tag--light-blue",
  not_collected: "govuk-tag--red",
  unknown: "govuk-tag--orange",
  not_applicable: "govuk-tag--grey",
  blank: "govuk-tag--yellow",
  noReturn: "govuk-tag--pink",
  hidden: "govuk-tag--grey",
};

/** How a figure that cannot be compared was counted; null for any other value (nothing to say). */
export function deviationOf(value: DeviationFields & { state: ValueState | null; comparable: boolean }): DeviationFields | null {
  if (value.state !== "reported" || value.comparable) return null;
  const { ageFrom, ageTo, referenceDateUsed, countingNote, textLang } = value;
  return { ageFrom, ageTo, referenceDateUsed, countingNote, textLang };
}

/**
 * A value as a page of every authority and item shows it (660 of them for 22 authorities and 30
 * items): where its return stands, its state and figure, and how it was counted only where it
 * was counted differently. The value's other fields stay on the server: sending all of them,
 * with each cell's authority and item, was most of what those pages serialised.
 */
export interface PageCell {
  returnStatus: string | null;
  state: ValueState | null;
  number: number | null;
  comparable: boolean;
  deviation: DeviationFields | null;
}

export function pageCell(value: AuthorityCell): PageCell {
  return {
    returnStatus: value.returnStatus,
    state: value.state,
    number: value.number,
    comparable: value.comparable,
    deviation: deviationOf(value),
  };
}

/** Each authority's cells in the order of the items, by authority code: a page finds a cell by its row and column. */
export function cellsByAuthority<Cell>(
  values: AuthorityCell[],
  items: readonly { code: string }[],
  shape: (value: AuthorityCell) => Cell,
): Record<string, Cell[]> {
  const column = new Map(items.map((item, i) => [item.code, i]));
  const rows: Record<string, Cell[]> = {};
  for (const value of values) {
    const row = rows[value.authorityCode] ?? [];
    row[column.get(value.itemCode)!] = shape(value);
    rows[value.authorityCode] = row;
  }
  return rows;
}
