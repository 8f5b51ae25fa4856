import { formatDate, formatNumber, pick, type Translator } from "#app/i18n/i18n.ts";
import type { FlagContext } from "#app/models/desk.server.ts";

/** What the review page knows about one automatic flag: its figures, as loader data (the explanation is shown beside it). */
export type FlagView = Omit<FlagContext, "explanation">;

/** An automatic flag with the figures behind it, for the coordinator to weigh the officer's explanation against. */
export function FlagContextNote({ t, flag }: { t: Translator; flag: FlagView }) {
  const previous = flag.previous;
  const round = previous ? (previous.referenceDate ? formatDate(t.lang, previous.referenceDate) : pick(t.lang, previous, "title")) : "";
  let figures = "";
  if (flag.kind === "change" && previous) {
    figures = t("flag.change", {
      date: round,
      previous: previous.number,
      current: flag.current ?? 0,
      percent:
        flag.changePercent === null
          ? t("flag.fromZero")
          : formatNumber(t.lang, flag.changePercent / 100, { style: "percent", maximumFractionDigits: 1, signDisplay: "exceptZero" }),
    });
  } else if (flag.kind === "stoppedCollecting" && previous) {
    figures = t("flag.stoppedCollecting", { date: round, previous: previous.number });
  } else if (flag.kind === "outlier") {
    figures = flag.peers
      ? t("flag.outlier", {
          rate: flag.rate ?? 0,
          count: flag.peers.count,
          median: flag.peers.median,
          spread: flag.peers.spread,
          low: flag.peers.low,
          high: flag.peers.high,
        })
      : t("flag.outlierRateOnly", { rate: flag.rate ?? 0 });
  }
  return (
    <div className="app-flag-context govuk-!-margin-bottom-2" data-flag={flag.kind}>
      <strong className="govuk-tag govuk-tag--orange">{t(`flag.title.${flag.kind}`)}</strong>
      <p className="govuk-body-s govuk-!-margin-top-1 govuk-!-margin-bottom-1">{figures}</p>
    </div>
  );
}
