import type { ReactNode } from "react";
import type { CleanValue } from "#app/schema/return-values.ts";
import { ErrorMessage, SummaryList, Table } from "#app/components/govuk.tsx";
import type { MessageKey, Translator } from "#app/i18n/i18n.ts";
import { DeviationText, WrittenText } from "#app/components/written-text.tsx";
import type { Language } from "#db/types.ts";
import { describeDeviation, describeValue } from "#app/domain/values.ts";
import { FlagContextNote, type FlagView } from "#app/components/flag-context.tsx";

/**
 * A return's answers as a GOV.UK summary list: the figure or state, and all that goes with it.
 * A row with a problem is marked, with the problem beside the answer.
 */
export function ReturnSummary({
  t,
  items,
  labels,
  values,
  textLangs = {},
  changeHref,
  flags = [],
  problems = {},
}: {
  t: Translator;
  items: { code: string; required: boolean }[];
  /** Each item's label, in the page's language. */
  labels: Record<string, string>;
  values: Record<string, CleanValue>;
  /** The language each value's words were written in, where known. */
  textLangs?: Record<string, Language | null>;
  changeHref?: (itemCode: string) => string;
  /** The automatic flags on these values, each shown with its figures beside the officer's explanation. */
  flags?: FlagView[];
  problems?: Record<string, string[]>;
}) {
  return (
    <SummaryList
      rows={items.map((item) => {
        const label = labels[item.code]!;
        const errors = problems[item.code] ?? [];
        return {
          id: `answer-${item.code}`,
          key: label,
          error: errors.length > 0,
          value: (
            <>
              {errors.map((error, i) => (
                <ErrorMessage key={error} id={`answer-${item.code}-error-${i}`} prefix={t("page.errorPrefix")}>
                  {error}
                </ErrorMessage>
              ))}
              <ValueDescription
                t={t}
                value={values[item.code]!}
                lang={textLangs[item.code]}
                optional={!item.required}
                flags={flags.filter((f) => f.itemCode === item.code)}
              />
            </>
          ),
          action: changeHref ? (
            <a className="govuk-link" href={changeHref(item.code)}>
              {t("check.change")}
              <span className="govuk-visually-hidden"> {label}</span>
            </a>
          ) : undefined,
        };
      })}
    />
  );
}

const same = (a: CleanValue | undefined, b: CleanValue | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** The items whose answer differs between two versions. */
export function changedItems<I extends { code: string }>(
  items: I[],
  before: Record<string, CleanValue>,
  after: Record<string, CleanValue>,
) {
  return items.filter((i) => !same(before[i.code], after[i.code]));
}

/** What changed between two versions of a return, item by item. */
export function ChangesTable({
  t,
  items,
  labels,
  before,
  after,
  caption,
  beforeHeading,
  afterHeading,
}: {
  t: Translator;
  items: { code: string }[];
  labels: Record<string, string>;
  before: Record<string, CleanValue>;
  after: Record<string, CleanValue>;
  caption: string;
  beforeHeading: string;
  afterHeading: string;
}) {
  return (
    <Table
      caption={caption}
      captionClassName="govuk-table__caption--s"
      headings={[t("collection.totals.item"), beforeHeading, afterHeading]}
    >
      {items.map((item) => (
        <tr key={item.code} className="govuk-table__row">
          <th scope="row" className="govuk-table__header">
            {labels[item.code]}
          </th>
          <td className="govuk-table__cell">
            <ValueDescription t={t} value={before[item.code]!} />
          </td>
          <td className="govuk-table__cell">
            <ValueDescription t={t} value={after[item.code]!} />
          </td>
        </tr>
      ))}
    </Table>
  );
}

/** An answer; a blank optional item says it is optional, so it does not read as a missing required one. */
export function ValueDescription({
  t,
  value,
  lang = null,
  optional = false,
  flags = [],
}: {
  t: Translator;
  value: CleanValue;
  /** The language the value's words were written in, where known. */
  lang?: Language | null;
  optional?: boolean;
  flags?: FlagView[];
}) {
  const words = (label: MessageKey, text: string) => (
    <>
      {t(label)}: <WrittenText t={t} text={text} lang={lang} />
    </>
  );
  const lines: ReactNode[] = [];
  if (value.reason) lines.push(words("value.reason", value.reason));
  if (value.state === "reported" && describeDeviation(t, value)) {
    lines.push(
      <>
        {t("value.nonComparable")}: <DeviationText t={t} value={{ ...value, textLang: lang }} />
      </>,
    );
  }
  if (value.caveat) lines.push(words("value.caveat", value.caveat));
  if (value.queryExplanation && flags.length === 0) lines.push(words("value.queryExplanation", value.queryExplanation));
  return (
    <>
      {value.state === null && optional ? (
        <p className="govuk-body govuk-hint govuk-!-margin-bottom-1">{t("check.optionalBlank")}</p>
      ) : (
        <p className="govuk-body govuk-!-margin-bottom-1">{describeValue(t, value, true)}</p>
      )}
      {lines.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list of lines, never reordered
        <p key={i} className="govuk-body-s govuk-!-margin-bottom-1">
          {line}
        </p>
      ))}
      {flags.length > 0 ? (
        <div className="app-flags">
          {flags.map((flag) => (
            <FlagContextNote key={flag.kind} t={t} flag={flag} />
          ))}
          <p className="govuk-body-s govuk-!-margin-bottom-1">
            {value.queryExplanation
              ? words("value.queryExplanation", value.queryExplanation)
              : t(flags.some((f) => f.askedOfOfficer) ? "flag.noExplanation" : "flag.notAskedOfOfficer")}
          </p>
        </div>
      ) : null}
    </>
  );
}
