import { en, type MessageKey } from "#app/messages/en.ts";
import { cy } from "#app/messages/cy.ts";
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

/** CLDR's category for the count; an explicit zero form, where a message has one, is used for 0 in any language. */
function pluralForm(lang: Language, message: PluralMessage, count: number) {
  if (count === 0 && message.zero) return message.zero;
  return message[new Intl.PluralRules(LOCALES[lang]).select(count)] ?? message.other;
}

export function formatNumber(lang: Language, value: number, options?: Intl.NumberFormatOptions) {
  return new Intl.NumberFormat(LOCALES[lang], options).format(value);
}

/** Formats an ISO date ("2022-12-31") as people write it: "31 December 2022" / "31 Rhagfyr 2022". */
export function formatDate(lang: Language, isoDate: string) {
  return new Intl.DateTimeFormat(LOCALES[lang], { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(`${isoDate.slice(0, 10)}T00:00:00Z`),
  );
}

export function formatDateTime(lang: Language, at: Date | string) {
  return new Intl.DateTimeFormat(LOCALES[lang], {
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZone: "Europe/London",
  }).format(new Date(at));
}

/** Picks the English or Welsh column of a bilingual row: pick(lang, item, "label") reads label_en or label_cy. */
export function pick<K extends string>(lang: Language, row: Record<`${K}_en` | `${K}_cy`, string>, field: K): string {
  return row[`${field}_${lang}` as `${K}_en`];
}

export type Translator = ((key: MessageKey, params?: MessageParams) => string) & { lang: Language };

export function translator(lang: Language): Translator {
  return Object.assign((key: MessageKey, params?: MessageParams) => translate(lang, key, params), { lang });
}
