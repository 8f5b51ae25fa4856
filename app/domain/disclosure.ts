/**
 * Disclosure control for everything published: the one suppression plan that the public pages,
 * the publication workbook and every publication CSV apply (decision record 011).
 *
 * - Primary: a reported count from 1 to the collection's `smallCountMax` (4 unless the round says
 *   otherwise), whether an authority's figure or a total, is replaced by [c]. Zero stays zero.
 * - Secondary: no [c] may be worked out from what is published. The published table is a system
 *   of linear constraints that anyone can write down: each region's total is the sum of its
 *   authorities' comparable figures, the Wales total the sum of all of them, each of the round's
 *   sum rules (parents = this authority + other) holds in every return whose parts are all
 *   reported, "not greater than" rules hold, and every [c] is a whole number of at least 1 (zeros
 *   are shown) and at most the item's published maximum. For every [c] the plan finds the least and
 *   the greatest value the system allows, over the integers; while any [c] is pinned to one value it
 *   suppresses one more published figure that shares a constraint with it (the smallest, an
 *   authority's figure before a total), and tries again.
 *
 * Coverage counts (numbers of authorities) are never suppressed: they are public in every view.
 */
import type { ValueState } from "#db/types.ts";
import type { CrossItemRule } from "#app/schema/collection-rules.ts";

/** The default largest count suppressed as small: counts 1 to 4. A collection may set its own. */
export const DEFAULT_SMALL_COUNT_MAX = 4;

/**
 * The Government Statistical Service's shorthand, in brackets (screen readers read brackets
 * better than symbols). The legend that explains each is in the message catalogue (`mark.*`).
 */
export const MARKS = {
  suppressed: "[c]",
  notAvailable: "[x]",
  notApplicable: "[z]",
  lowReliability: "[u]",
  nonComparable: "[d]",
  provisional: "[p]",
} as const;
export type Mark = keyof typeof MARKS;
export const MARK_ORDER: Mark[] = ["suppressed", "notAvailable", "notApplicable", "lowReliability", "nonComparable", "provisional"];

/**
 * The marks of one authority's figure: [c] hidden, [d] counted differently, [z] not applicable,
 * [x] no figure, and [p] a figure of a round still open, which may change (decision 011).
 */
export function cellMarks(cell: { state: ValueState | null; comparable: boolean; suppressed: boolean; provisional?: boolean }): Mark[] {
  const marks: Mark[] = [];
  if (cell.suppressed) marks.push("suppressed");
  if (cell.state === "reported" && !cell.comparable) marks.push("nonComparable");
  if (cell.state === "not_applicable") marks.push("notApplicable");
  else if (cell.state !== "reported") marks.push("notAvailable");
  if (cell.state === "reported" && cell.provisional) marks.push("provisional");
  return marks;
}

export const notesCodes = (marks: Mark[]) => marks.map((m) => MARKS[m]).join(" ");

export function isSmallCount(value: number | null, smallCountMax = DEFAULT_SMALL_COUNT_MAX): boolean {
  return value !== null && value > 0 && value <= smallCountMax;
}

export interface CellFigure {
  authorityCode: string;
  itemCode: string;
  state: ValueState | null;
  number: number | null;
  comparable: boolean;
}

export interface TotalFigure {
  itemCode: string;
  /** null for the whole of Wales. */
  regionCode: string | null;
  total: number | null;
}

export interface PlanInput {
  cells: CellFigure[];
  totals: TotalFigure[];
  regionOf: (authorityCode: string) => string;
  rules: CrossItemRule[];
  smallCountMax: number;
  /** Each item's published largest allowed value, where it has one. */
  itemMax?: Record<string, number | null>;
  /** The round's earlier releases (withdrawn ones included: they were public), which readers still hold. */
  earlier?: EarlierRelease[];
}

/** A release made before: the figures it was made of, and the keys it hid. */
export interface EarlierRelease {
  cells: CellFigure[];
  totals: TotalFigure[];
  hidden: string[];
}

/** What the plan hides, as keys: kept with a publication, so that every view of it hides the same. */
export interface SuppressionResult {
  smallCountMax: number;
  cells: string[];
  totals: string[];
}

export interface SuppressionPlan {
  cell(authorityCode: string, itemCode: string): boolean;
  total(itemCode: string, regionCode: string | null): boolean;
}

export const NOTHING_SUPPRESSED: SuppressionPlan = { cell: () => false, total: () => false };

export const cellKey = (authorityCode: string, itemCode: string) => `cell:${authorityCode}:${itemCode}`;
export const totalKey = (itemCode: string, regionCode: string | null) => `total:${itemCode}:${regionCode ?? ""}`;

export function planOf(result: SuppressionResult): SuppressionPlan {
  const cells = new Set(result.cells);
  const totals = new Set(result.totals);
  return {
    cell: (authorityCode, itemCode) => cells.has(cellKey(authorityCode, itemCode)),
    total: (itemCode, regionCode) => totals.has(totalKey(itemCode, regionCode)),
  };
}

/** One linear relation of the published table: Σ coefficient × figure = 0, or ≤ 0. */
export interface Relation {
  terms: [key: string, coefficient: number][];
  kind: "equal" | "atMost";
}

export interface Table {
  relations: Relation[];
  /** The true figure behind each key. */
  value: Map<string, number>;
  /** Authority figures' keys (for preferring them over totals when choosing what else to hide). */
  isCell: Set<string>;
  upper: Map<string, number>;
}

export function tableOf(input: PlanInput): Table {
  const value = new Map<string, number>();
  const isCell = new Set<string>();
  const upper = new Map<string, number>();
  const reported = new Map<string, CellFigure>();
  for (const c of input.cells) {
    if (c.state !== "reported" || c.number === null) continue;
    const key = cellKey(c.authorityCode, c.itemCode);
    value.set(key, c.number);
    isCell.add(key);
    reported.set(key, c);
    const max = input.itemMax?.[c.itemCode];
    if (max !== null && max !== undefined) upper.set(key, max);
  }
  const relations: Relation[] = [];
  for (const t of input.totals) {
    if (t.total === null) continue;
    const key = totalKey(t.itemCode, t.regionCode);
    value.set(key, t.total);
    const parts = input.cells.filter(
      (c) =>
        c.itemCode === t.itemCode &&
        c.comparable &&
        c.state === "reported" &&
        c.number !== null &&
        (t.regionCode === null || input.regionOf(c.authorityCode) === t.regionCode),
    );
    relations.push({
      kind: "equal",
      terms: [[key, 1], ...parts.map((c) => [cellKey(c.authorityCode, c.itemCode), -1] as [string, number])],
    });
  }
  const authorities = [...new Set(input.cells.map((c) => c.authorityCode))];
  for (const rule of input.rules) {
    for (const a of authorities) {
      if (rule.kind === "sum_equals") {
        const keys = [rule.total, ...rule.parts].map((item) => cellKey(a, item));
        if (!keys.every((k) => reported.has(k))) continue;
        relations.push({ kind: "equal", terms: [[keys[0]!, 1], ...keys.slice(1).map((k) => [k, -1] as [string, number])] });
      } else {
        const [item, limit] = [cellKey(a, rule.item), cellKey(a, rule.limit)];
        if (!reported.has(item) || !reported.has(limit)) continue;
        relations.push({
          kind: "atMost",
          terms: [
            [item, 1],
            [limit, -1],
          ],
        });
      }
    }
  }
  return { relations, value, isCell, upper };
}
