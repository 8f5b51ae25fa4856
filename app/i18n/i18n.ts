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

const NUMERIC_DATE = { day: "numeric", month: "numeric", year: "numeric" } as const;
const DATE_PARTS = new Intl.DateTimeFormat("en-GB", { ...NUMERIC_DATE, timeZone: "UTC" });
const DATE_TIME_PARTS = new Intl.DateTimeFormat("en-GB", {
  ...NUMERIC_DATE,
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "Europe/London",
});
const ENGLISH_DATE = new Intl.DateTimeFormat(LOCALES.en, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

function dateParts(at: Date, withTime: boolean) {
  const parts = (withTime ? DATE_TIME_PARTS : DATE_PARTS).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return {
    day: Number(part("day")),
    month: Number(part("month")),
    year: part("year"),
    time: withTime ? `${part("hour")}:${part("minute")}` : "",
  };
}

/** Formats an ISO date ("2022-12-31") as people write it: "31 December 2022" / "31 Rhagfyr 2022". */
export function formatDate(lang: Language, isoDate: string) {
  const at = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  if (lang === "cy") {
    const { day, month, year } = dateParts(at, false);
    return `${day} ${WELSH_MONTHS[month - 1]} ${year}`;
  }
  return ENGLISH_DATE.format(at);
}

/** A moment in Wales's time zone: "16 February 2023 at 12:00" / "16 Chwefror 2023 am 12:00". */
export function formatDateTime(lang: Language, at: Date | string) {
  const { day, month, year, time } = dateParts(new Date(at), true);
  const isoDate = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  return translate(lang, "format.dateTime", { date: formatDate(lang, isoDate), time });
}

/** Picks the English or Welsh column of a bilingual row: pick(lang, item, "label") reads label_en or label_cy. */
export function pick<K extends string>(lang: Language, row: Record<`${K}_en` | `${K}_cy`, string>, field: K): string {
  return row[`${field}_${lang}` as `${K}_en`];
}

export type Translator = ((key: MessageKey, params?: MessageParams) => string) & { lang: Language };

export function translator(lang: Language): Translator {
  return Object.assign((key: MessageKey, params?: MessageParams) => translate(lang, key, params), { lang });
}
