import type { Language } from "#db/types.ts";

/** A denominator's source in the reader's language: the Welsh where there is one, else the English. */
export function denominatorSource(lang: Language, denominator: { source: string; source_cy: string }) {
  return lang === "cy" && denominator.source_cy.trim() !== "" ? denominator.source_cy : denominator.source;
}
