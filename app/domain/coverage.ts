import type { Coverage } from "#app/models/aggregation.server.ts";
import type { Translator } from "#app/i18n/i18n.ts";

/** The coverage of a total in words: the parts that are not a comparable figure, each with its count. */
export function coverageParts(t: Translator, coverage: Coverage): string[] {
  const parts: string[] = [t("coverage.comparable", { count: coverage.comparable })];
  if (coverage.nonComparable) parts.push(t("coverage.nonComparable", { count: coverage.nonComparable }));
  if (coverage.notCollected) parts.push(t("coverage.notCollected", { count: coverage.notCollected }));
  if (coverage.unknown) parts.push(t("coverage.unknown", { count: coverage.unknown }));
  if (coverage.notApplicable) parts.push(t("coverage.notApplicable", { count: coverage.notApplicable }));
  if (coverage.notAnswered) parts.push(t("coverage.notAnswered", { count: coverage.notAnswered }));
  if (coverage.noReturn) parts.push(t("coverage.noReturn", { count: coverage.noReturn }));
  return parts;
}

export function isFullCoverage(coverage: Coverage) {
  return coverage.comparable === coverage.expected;
}
