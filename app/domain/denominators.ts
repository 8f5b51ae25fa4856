import type { Language } from "#db/types.ts";
import { pick, type Translator } from "#app/i18n/i18n.ts";

/** The denominator every new collection starts with, loaded with the reference data. */
export const CENSUS_2021 = "census_2021_usual_residents";

/** A denominator's source in the reader's language: the Welsh where there is one, else the English. */
export function denominatorSource(lang: Language, denominator: { source: string; source_cy: string }) {
  return lang === "cy" && denominator.source_cy.trim() !== "" ? denominator.source_cy : denominator.source;
}

/** What a rate is per 10,000 of, exactly as the denominator says ("residents of all ages"); "residents" only when there is none. */
export function ratePer(t: Translator, denominator: { label_en: string; label_cy: string } | null) {
  return denominator ? pick(t.lang, denominator, "label") : t("denominators.residents");
}
