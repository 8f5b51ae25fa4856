import type { CellKind } from "#app/components/charts.tsx";
import type { ValueState } from "#db/types.ts";

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
