import type { Coverage, Total } from "#app/models/aggregation.server.ts";
import { formatNumber, type MessageKey, type Translator } from "#app/i18n/i18n.ts";
import type { RoundStage } from "./round.ts";

/** A total as a sentence with its coverage, or why there is no figure: none comparable, or not one the reader may see. */
export function totalSentence(t: Translator, total: Total & Coverage): string {
  if (total.withheld) return t("totals.withheld");
  if (total.total === null) return t("collection.totals.noComparable");
  return t("coverage.sentence", { total: formatNumber(t.lang, total.total), comparable: total.comparable, expected: total.expected });
}

/** A total in a table cell: the figure, or why there is none. */
export function totalFigure(t: Translator, total: Total): string {
  if (total.withheld) return t("totals.withheld");
  return total.total === null ? t("collection.regions.noTotal") : formatNumber(t.lang, total.total);
}

/** How the authorities without a return are described: not yet, late, or (once the round is closed) no reply. */
const NO_RETURN: Record<RoundStage, MessageKey> = {
  collecting: "coverage.notYetSubmitted",
  overdue: "coverage.overdue",
  closed: "coverage.noReturn",
};

/** The coverage of a total in words: the parts that are not a comparable figure, each with its count. */
export function coverageParts(t: Translator, coverage: Coverage, stage: RoundStage): string[] {
  const parts: string[] = [t("coverage.comparable", { count: coverage.comparable })];
  if (coverage.nonComparable) parts.push(t("coverage.nonComparable", { count: coverage.nonComparable }));
  if (coverage.notCollected) parts.push(t("coverage.notCollected", { count: coverage.notCollected }));
  if (coverage.unknown) parts.push(t("coverage.unknown", { count: coverage.unknown }));
  if (coverage.notApplicable) parts.push(t("coverage.notApplicable", { count: coverage.notApplicable }));
  if (coverage.notAnswered) parts.push(t("coverage.notAnswered", { count: coverage.notAnswered }));
  if (coverage.noReturn) parts.push(t(NO_RETURN[stage], { count: coverage.noReturn }));
  return parts;
}

/**
 * The coverage as one run of text, its parts joined by semicolons. Each part is written to stand
 * alone (as a list item it starts with a capital); after a semicolon it continues the sentence.
 */
export function coverageText(t: Translator, coverage: Coverage, stage: RoundStage, first?: string): string {
  const parts = coverageParts(t, coverage, stage);
  if (first !== undefined) parts[0] = first;
  return joinClauses(parts);
}

/** Clauses joined by semicolons, each after the first continuing the sentence in lower case. */
export function joinClauses(parts: string[]): string {
  return parts.map((part, i) => (i === 0 ? part : part.charAt(0).toLocaleLowerCase() + part.slice(1))).join("; ");
}

export function isFullCoverage(coverage: Coverage) {
  return coverage.comparable === coverage.expected;
}
