import type { MessageKey, MessageParams, Translator } from "#app/i18n/i18n.ts";
import { asShownIn } from "#app/i18n/portal-text.ts";
import type { Language } from "#db/types.ts";
import { deviationWithoutNote, type DeviationFields } from "#app/domain/values.ts";

/**
 * Words someone wrote, as written: marked with `lang` where their language is not the page's, so a
 * screen reader reads them in it (WCAG 3.1.2); the portal's own sentences in the page's language.
 */
export function WrittenText({
  t,
  text,
  lang,
  as: Element = "span",
  className,
}: {
  t: Translator;
  text: string;
  lang: Language | null | undefined;
  as?: "span" | "q" | "div" | "p";
  className?: string;
}) {
  const shown = asShownIn(t.lang, text, lang ?? null);
  return (
    <Element className={className} lang={shown.lang !== null && shown.lang !== t.lang ? shown.lang : undefined}>
      {shown.text}
    </Element>
  );
}

/** What was counted differently, in words, with the counting note as its author wrote it. */
export function DeviationText({ t, value }: { t: Translator; value: DeviationFields }) {
  const fixed = deviationWithoutNote(t, value);
  if (!value.countingNote) return <>{fixed}</>;
  return (
    <>
      {fixed ? `${fixed}; ` : null}
      <WrittenText t={t} text={value.countingNote} lang={value.textLang} />
    </>
  );
}

/** A sentence of the catalogue with someone's words in it, the words marked as WrittenText marks them. */
export function SentenceWithWords({
  t,
  messageKey,
  params,
  name,
  text,
  lang,
}: {
  t: Translator;
  messageKey: MessageKey;
  params: MessageParams;
  /** The placeholder the words go in. */
  name: string;
  text: string;
  lang: Language | null | undefined;
}) {
  const marker = "\u0000";
  const [before = "", after = ""] = t(messageKey, { ...params, [name]: marker }).split(marker);
  return (
    <>
      {before}
      <WrittenText t={t} text={text} lang={lang} />
      {after}
    </>
  );
}
