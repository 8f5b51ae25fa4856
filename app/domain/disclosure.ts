/**
 * Small numbers in exports marked for publication, as official statistics treat them. Isomorphic,
 * so that pages can say what the threshold is.
 *
 * The rule, kept simple and stated on the workbook's About sheet:
 * - a reported count from 1 to SUPPRESSION_THRESHOLD - 1 is replaced by the mark, with its rate;
 *   zeros are shown, as official statistics show them;
 * - a total (a region's or Wales's) is replaced when it is itself such a count, or when exactly
 *   one of the comparable values it adds up is replaced, since the total less the shown values
 *   would give that one away; the Wales total likewise when exactly one region total is replaced.
 * Coverage counts (numbers of authorities) are never suppressed. Notes and reasons are free text
 * written by the authorities, exported as written.
 */
import type { ValueState } from "#db/types.ts";

export const SUPPRESSION_THRESHOLD = 5;

/** Marks shown in place of, or beside, a figure. */
export const MARKS = { suppressed: "[c]", nonComparable: "[d]" } as const;

export function isSmallCount(value: number | null): boolean {
  return value !== null && value > 0 && value < SUPPRESSION_THRESHOLD;
}

interface CellFigure {
  authorityCode: string;
  itemCode: string;
  state: ValueState | null;
  number: number | null;
  comparable: boolean;
}

interface TotalFigure {
  itemCode: string;
  regionCode: string | null;
  total: number | null;
}

export interface SuppressionPlan {
  cell(authorityCode: string, itemCode: string): boolean;
  total(itemCode: string, regionCode: string | null): boolean;
}

export const NOTHING_SUPPRESSED: SuppressionPlan = { cell: () => false, total: () => false };

export function suppressionPlan(cells: CellFigure[], totals: TotalFigure[], regionOf: (authorityCode: string) => string): SuppressionPlan {
  const hiddenCells = new Set(
    cells.filter((c) => c.state === "reported" && isSmallCount(c.number)).map((c) => `${c.authorityCode}:${c.itemCode}`),
  );
  const hiddenComparable = (itemCode: string, regionCode: string | null) =>
    cells.filter(
      (c) =>
        c.itemCode === itemCode &&
        c.comparable &&
        hiddenCells.has(`${c.authorityCode}:${c.itemCode}`) &&
        (regionCode === null || regionOf(c.authorityCode) === regionCode),
    ).length;
  const hiddenTotals = new Set<string>();
  for (const total of totals.filter((t) => t.regionCode !== null)) {
    if (isSmallCount(total.total) || hiddenComparable(total.itemCode, total.regionCode) === 1) {
      hiddenTotals.add(`${total.itemCode}:${total.regionCode}`);
    }
  }
  for (const total of totals.filter((t) => t.regionCode === null)) {
    const hiddenRegions = totals.filter(
      (t) => t.itemCode === total.itemCode && t.regionCode !== null && hiddenTotals.has(`${t.itemCode}:${t.regionCode}`),
    ).length;
    if (isSmallCount(total.total) || hiddenComparable(total.itemCode, null) === 1 || hiddenRegions === 1) {
      hiddenTotals.add(`${total.itemCode}:`);
    }
  }
  return {
    cell: (authorityCode, itemCode) => hiddenCells.has(`${authorityCode}:${itemCode}`),
    total: (itemCode, regionCode) => hiddenTotals.has(`${itemCode}:${regionCode ?? ""}`),
  };
}
