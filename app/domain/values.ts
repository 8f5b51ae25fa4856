import type { Language, ValueState } from "#db/types.ts";
import { asShownIn } from "#app/i18n/portal-text.ts";
import { formatDate, formatNumber, type Translator } from "#app/i18n/i18n.ts";

export interface DeviationFields {
  ageFrom: number | null;
  ageTo: number | null;
  referenceDateUsed: string | null;
  countingNote: string | null;
  /** The language the counting note was written in; null or absent: not known. */
  textLang?: Language | null;
}

/** What was counted differently, in the portal's words, without the authority's own counting note. */
export function deviationWithoutNote(t: Translator, value: DeviationFields): string {
  const parts: string[] = [];
  if (value.ageFrom !== null && value.ageTo !== null) parts.push(t("value.ageBand", { from: value.ageFrom, to: value.ageTo }));
  else if (value.ageFrom !== null) parts.push(t("value.ageFromOnly", { from: value.ageFrom }));
  else if (value.ageTo !== null) parts.push(t("value.ageToOnly", { to: value.ageTo }));
  if (value.referenceDateUsed) parts.push(t("value.referenceDateUsed", { date: formatDate(t.lang, value.referenceDateUsed) }));
  return parts.join("; ");
}

/** What was counted differently, in words: "ages 18 to 25; as at 31 December 2023", and the counting note. */
export function describeDeviation(t: Translator, value: DeviationFields): string {
  const note = value.countingNote ? asShownIn(t.lang, value.countingNote, value.textLang ?? null).text : "";
  return [deviationWithoutNote(t, value), note].filter(Boolean).join("; ");
}

/** A cell as text: the number, or the state in words. */
export function describeValue(t: Translator, value: { state: ValueState | null; number: number | null }, hasReturn: boolean) {
  if (!hasReturn) return t("state.noReturn");
  if (value.state === null) return t("state.blank");
  if (value.state === "reported" && value.number !== null) return formatNumber(t.lang, value.number);
  return t(`state.${value.state}`);
}
