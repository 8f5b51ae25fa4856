import { en, type MessageKey } from "#app/i18n/messages/en.ts";
import { cy } from "#app/i18n/messages/cy.ts";
import type { Language } from "#db/types.ts";

export type { MessageKey };
export type Message = string | PluralMessage;
/** Welsh has six plural categories (zero, one, two, few, many, other); English uses one and other. */
export type PluralMessage = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
export type MessageParams = Record<string, string | number>;

export const catalogues: Record<Language, Record<MessageKey, Message>> = { en, cy };

export const LOCALES: Record<Language, string> = { en: "en-GB", cy: "cy-GB" };

export function isLanguage(value: unknown): value is Language {
  return value === "en" || value === "cy";
}

export function translate(lang: Language, key: MessageKey, params: MessageParams = {}): string {
  const message = catalogues[lang][key];
  const template = typeof message === "string" ? message : pluralForm(lang, message, Number(params.count ?? 0));
  // Most messages have no placeholders: a page asks for hundreds.
  if (!template.includes("{")) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? formatNumber(lang, value) : value;
  });
}

// Intl objects cost far more to build than to use (a page built them by the hundred): each is
// built once per language and option set and kept for the life of the process.
const PLURAL_RULES: Record<Language, Intl.PluralRules> = { en: new Intl.PluralRules(LOCALES.en), cy: new Intl.PluralRules(LOCALES.cy) };
const numberFormats = new Map<string, Intl.NumberFormat>();
// Welsh collation sorts the digraphs ch, dd, ff, ng, ll, ph, rh and th as letters of their own.
const COLLATORS: Record<Language, Intl.Collator> = { en: new Intl.Collator(LOCALES.en), cy: new Intl.Collator(LOCALES.cy) };

/** Orders names as the language does: tables of authorities sort with it. */
export function compareText(lang: Language, a: string, b: string) {
  return COLLATORS[lang].compare(a, b);
}

/** Authorities by region, then by name, as a reader of `lang` expects them. */
export function sortAuthorities<T extends { name_en: string; name_cy: string; region_en: string; region_cy: string }>(
  lang: Language,
  list: readonly T[],
): T[] {
  return sortForDisplay(
    lang,
    list,
    (a) => (lang === "cy" ? a.region_cy : a.region_en),
    (a) => (lang === "cy" ? a.name_cy : a.name_en),
  );
}

/**
 * A list as a reader of `lang` expects it: by each key in turn, in the language's collation (in
 * Welsh, Ch after C, Dd after D, Ll after L). Every list of authorities, regions or items a page
 * shows in alphabetical order is put in it here, by the names the page shows.
 */
export function sortForDisplay<T>(lang: Language, list: readonly T[], ...keys: ((row: T) => string)[]): T[] {
  return [...list].sort((a, b) => {
    for (const key of keys) {
      const order = compareText(lang, key(a), key(b));
      if (order !== 0) return order;
    }
    return 0;
  });
}

/** CLDR's category for the count; an explicit zero form, where a message has one, is used for 0 in any language. */
function pluralForm(lang: Language, message: PluralMessage, count: number) {
  if (count === 0 && message.zero) return message.zero;
  return message[PLURAL_RULES[lang].select(count)] ?? message.other;
}

export function formatNumber(lang: Language, value: number, options?: Intl.NumberFormatOptions) {
  const key = options ? `${lang} ${JSON.stringify(options)}` : lang;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(LOCALES[lang], options);
    numberFormats.set(key, format);
  }
  // A minus sign (U+2212), not the hyphen Intl gives: read as "minus" and the width of a plus. Only
  // for people: CSV files and workbooks carry numbers as numbers.
  return format.format(value).replace("-", "\u2212");
}

// Browsers' built-in date formats often lack Welsh (Chromium gives "December 31, 2022" for cy-GB),
// which would also make the page differ between server and browser: Welsh month names are ours.
const WELSH_MONTHS = [
  "Ionawr",
  "Chwefror",
  "Mawrth",
  "Ebrill",
  "Mai",
  "Mehefin",
  "Gorffennaf",
  "Awst",
  "Medi",
  "Hydref",
  "Tachwedd",
  "Rhagfyr",
];

// English month names are ours too: both languages take one path, with no Intl call for a date.
const MONTHS: Record<Language, string[]> = {
  en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
  cy: WELSH_MONTHS,
};
// Wales's wall time, read from one format() call: formatToParts cost several times as much, and
// the board shows dozens of these.
const WALES_WALL_TIME = new Intl.DateTimeFormat("en-GB", {
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "Europe/London",
});

/** Formats an ISO date ("2022-12-31") as people write it: "31 December 2022" / "31 Rhagfyr 2022". */
export function formatDate(lang: Language, isoDate: string) {
  const [, year, month, day] = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate) ?? [];
  // Not a date: shown as given rather than as a wrong one.
  if (!year) return isoDate;
  return `${Number(day)} ${MONTHS[lang][Number(month) - 1]} ${year}`;
}

/** A moment in Wales's time zone: "16 February 2023 at 12:00" / "16 Chwefror 2023 am 12:00". */
export function formatDateTime(lang: Language, at: Date | string) {
  // "16/02/2023, 12:00"; the separators are left to the platform's locale data.
  const [, day, month, year, time] = /^(\d{2})\D+(\d{2})\D+(\d{4})\D+(\d{2}:\d{2})/.exec(WALES_WALL_TIME.format(new Date(at)))!;
  return translate(lang, "format.dateTime", { date: formatDate(lang, `${year}-${month}-${day}`), time: time! });
}

/** Picks the English or Welsh column of a bilingual row: pick(lang, item, "label") reads label_en or label_cy. */
export function pick<K extends string>(lang: Language, row: Record<`${K}_en` | `${K}_cy`, string>, field: K): string {
  return row[`${field}_${lang}` as `${K}_en`];
}

export type Translator = ((key: MessageKey, params?: MessageParams) => string) & { lang: Language };

export function translator(lang: Language): Translator {
  return Object.assign((key: MessageKey, params?: MessageParams) => translate(lang, key, params), { lang });
}
