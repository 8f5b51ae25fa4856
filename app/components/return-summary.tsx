import type { ReactNode } from "react";
import type { CleanValue } from "#app/schema/return-values.ts";
import { SummaryList } from "#app/components/govuk.tsx";
import { pick, type Translator } from "#app/i18n/i18n.ts";
import { describeDeviation, describeValue } from "#app/domain/values.ts";
import { FlagContextNote, type FlagView } from "#app/components/flag-context.tsx";

interface CollectionItems {
  items: { code: string; label_en: string; label_cy: string }[];
}

/** A return's answers as a GOV.UK summary list: the figure or state, and all that goes with it. */
export function ReturnSummary({
  t,
  collection,
  values,
  changeHref,
  flags = [],
}: {
  t: Translator;
  collection: CollectionItems;
  values: Record<string, CleanValue>;
  changeHref?: (itemCode: string) => string;
  /** The automatic flags on these values, each shown with its figures beside the officer's explanation. */
  flags?: FlagView[];
}) {
  return (
    <SummaryList
      rows={collection.items.map((item) => {
        const label = pick(t.lang, item, "label");
        return {
          id: `answer-${item.code}`,
          key: label,
          value: <ValueDescription t={t} value={values[item.code]!} flags={flags.filter((f) => f.itemCode === item.code)} />,
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

export function ValueDescription({ t, value, flags = [] }: { t: Translator; value: CleanValue; flags?: FlagView[] }) {
  const deviation = value.state === "reported" ? describeDeviation(t, value) : "";
  const lines: ReactNode[] = [];
  if (value.reason) lines.push(`${t("value.reason")}: ${value.reason}`);
  if (deviation) lines.push(`${t("value.nonComparable")}: ${deviation}`);
  if (value.caveat) lines.push(`${t("value.caveat")}: ${value.caveat}`);
  if (value.queryExplanation && flags.length === 0) lines.push(`${t("value.queryExplanation")}: ${value.queryExplanation}`);
  return (
    <>
      <p className="govuk-body govuk-!-margin-bottom-1">{describeValue(t, value, true)}</p>
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
            {value.queryExplanation ? `${t("value.queryExplanation")}: ${value.queryExplanation}` : t("flag.noExplanation")}
          </p>
        </div>
      ) : null}
    </>
  );
}
