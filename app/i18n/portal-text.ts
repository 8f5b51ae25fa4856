import type { Language } from "#db/types.ts";

/**
 * Sentences the portal itself wrote into records, in both languages (decision 018): the demo
 * data's notes on the February 2023 reply. A record stores the English, marked as English, as any
 * words are stored with their language; a page in Welsh shows the Welsh from here, found by the
 * English as gettext finds a message by its source text. People's words (an authority's reasons,
 * its reply) are never translated: they are shown as written, marked with their language.
 */
export const PORTAL_TEXT = {
  unexplainedIn2023: {
    en: "Flagged by the portal's checks when the February 2023 reply was loaded; the reply gave no explanation.",
    cy: "Wedi'i nodi gan wiriadau'r porth pan lwythwyd ateb Chwefror 2023; ni roddodd yr ateb unrhyw esboniad.",
  },
  blaenauGwentParents: {
    en: 'Includes young people who are pregnant (expectant parents), whom the definition leaves out; given in the reply as "(7 are parent/preg)" beside the figure for care leavers aged 21 to 25.',
    cy: "Yn cynnwys pobl ifanc sy'n feichiog (darpar rieni), y mae'r diffiniad yn eu hepgor; fe'i rhoddwyd yn yr ateb mewn cromfachau wrth ymyl y ffigur ar gyfer pobl sy'n gadael gofal rhwng 21 a 25 oed.",
  },
  blaenauGwentCaveat: {
    en: "7 of these 33 are parents or pregnant.",
    cy: "Mae 7 o'r 33 hyn yn rhieni neu'n feichiog.",
  },
  rhonddaCynonTafDate: {
    en: "Stated as at 31.12.23, a date after the reply itself (16 February 2023); most likely 31.12.22, but kept as stated until the authority confirms.",
    cy: "Nodwyd fel yr oedd ar 31.12.23, dyddiad ar ôl yr ateb ei hun (16 Chwefror 2023); 31.12.22 yn fwyaf tebygol, ond fe'i cedwir fel y'i nodwyd nes i'r awdurdod ei gadarnhau.",
  },
  february2023SignedOffName: {
    en: "All Wales Heads of Children's Services",
    cy: "Penaethiaid Gwasanaethau Plant Cymru Gyfan",
  },
  february2023SignedOffRole: {
    en: "Reply coordinated by ADSS Cymru, 16 February 2023",
    cy: "Ateb wedi'i gydlynu gan ADSS Cymru, 16 Chwefror 2023",
  },
} as const satisfies Record<string, Record<Language, string>>;

const BY_TEXT = new Map<string, Record<Language, string>>(
  Object.values(PORTAL_TEXT).flatMap((words) => [
    [words.en, words],
    [words.cy, words],
  ]),
);

/** Words stored with the language they are in (null: not known). */
export interface Written {
  text: string;
  lang: Language | null;
}

/**
 * Words as a page in `pageLang` shows them: the portal's own sentences in the page's language, and
 * anyone else's as written, with the language they are in so the page can mark them.
 */
export function asShownIn(pageLang: Language, text: string, textLang: Language | null): Written {
  const translated = textLang !== pageLang ? BY_TEXT.get(text) : undefined;
  return translated ? { text: translated[pageLang], lang: pageLang } : { text, lang: textLang };
}
