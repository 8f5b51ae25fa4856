import type { Translator } from "#app/i18n/i18n.ts";
import type { FigureWords } from "#app/models/statistics.server.ts";

/** A figure of the round in a sentence: an authority's, a region's total or the Wales total, of an item. */
export function figureInWords(t: Translator, figure: FigureWords) {
  const item = figure.item[t.lang];
  if (figure.authority) return t("disclosure.figure.authority", { item, authority: figure.authority[t.lang] });
  if (figure.region) return t("disclosure.figure.region", { item, region: figure.region[t.lang] });
  return t("disclosure.figure.wales", { item });
}
