/** What the summary sheets of the coordinator's export and of the published workbook share. */
import type { Coverage } from "#app/models/aggregation.server.ts";
import { pick, type MessageKey, type Translator } from "#app/i18n/i18n.ts";

/** The coverage counts a summary sheet gives beside each total: each column's heading and its count. */
const COVERAGE_COLUMNS: [MessageKey, keyof Coverage][] = [
  ["export.column.expected", "expected"],
  ["export.column.comparable", "comparable"],
  ["export.column.nonComparable", "nonComparable"],
  ["state.not_collected", "notCollected"],
  ["state.unknown", "unknown"],
  ["state.not_applicable", "notApplicable"],
  ["export.column.notAnswered", "notAnswered"],
  ["state.noReturn", "noReturn"],
];

export const coverageHeadings = (t: Translator) => COVERAGE_COLUMNS.map(([heading]) => t(heading));

export const coverageCounts = (coverage: Coverage) => COVERAGE_COLUMNS.map(([, count]) => coverage[count]);

/** A total's area by name, in the sheet's language: Wales, or a region. */
export function areaNames(t: Translator, authorities: { region_code: string; region_en: string; region_cy: string }[]) {
  const regionName = new Map(authorities.map((a) => [a.region_code, pick(t.lang, a, "region")]));
  return (regionCode: string | null) => (regionCode === null ? t("export.wales") : (regionName.get(regionCode) ?? regionCode));
}
