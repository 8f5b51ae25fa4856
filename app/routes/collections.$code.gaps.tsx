import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Fragment } from "react";
import { Link, useLoaderData } from "@remix-run/react";
import { authorityCells, coverageTotals, reasonGroups } from "#app/models/aggregation.server.ts";
import { listAuthorities } from "#app/models/authority.server.ts";
import { itemsShown } from "#app/models/collection.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { cellKind, cellsByAuthority, KIND_TAG, pageCell } from "#app/domain/cells.ts";
import { pick, sortAuthorities, sortForDisplay, type MessageKey } from "#app/i18n/i18n.ts";
import { DeviationText, SentenceWithWords, WrittenText } from "#app/components/written-text.tsx";
import { pageTitle } from "#app/web/meta.ts";
import { ItemTable } from "#app/components/item-table.tsx";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { describeValue } from "#app/domain/values.ts";
import { roundStage, type RoundStage } from "#app/domain/round.ts";
import { todayInWales } from "#app/domain/dates.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => (data ? `${t("gaps.title")}: ${pick(t.lang, data.collection, "title")}` : t("notFound.title")));

export async function loader({ request, params }: LoaderFunctionArgs) {
  // Reasons and gaps name authorities: for those who see every authority's figures.
  const { db, reader, collection } = await guard("routes/collections.$code.gaps", "loader", { request, params });
  const [totals, cells, reasons, authorities] = await Promise.all([
    coverageTotals(db, reader, collection.id),
    authorityCells(db, reader, collection.id),
    reasonGroups(db, reader, collection.id),
    listAuthorities(db),
  ]);
  const noReturn = authorities.filter((a) => cells.some((c) => c.authorityCode === a.code && c.returnStatus === null));
  const named = ({ code, name_en, name_cy }: { code: string; name_en: string; name_cy: string }) => ({ code, name_en, name_cy });
  return {
    collection: { code: collection.code, title_en: collection.title_en, title_cy: collection.title_cy, items: itemsShown(collection) },
    stage: roundStage(collection, todayInWales()),
    totals: totals.filter((t) => t.regionCode === null),
    /** Each authority's cells, in the items' order. */
    cells: cellsByAuthority(cells, collection.items, pageCell),
    reasons,
    authorities: authorities.map((a) => ({ ...named(a), region_en: a.region_en, region_cy: a.region_cy })),
    noReturn: noReturn.map(named),
  };
}

/** Authorities without a return: not submitted yet, late, or (once the round is closed) no reply. */
const NO_RETURN_TITLE: Record<RoundStage, MessageKey> = {
  collecting: "gaps.notYetSubmittedTitle",
  overdue: "gaps.overdueTitle",
  closed: "gaps.noReturnTitle",
};
const NO_RETURN_SUMMARY: Record<RoundStage, MessageKey> = {
  collecting: "gaps.summary.notYetSubmitted",
  overdue: "gaps.summary.overdue",
  closed: "gaps.summary.noReturn",
};

const SUMMARY_KEYS: Record<"not_collected" | "unknown" | "not_applicable", MessageKey> = {
  not_collected: "gaps.summary.notCollected",
  unknown: "gaps.summary.unknown",
  not_applicable: "gaps.summary.notApplicable",
};

export default function Gaps() {
  const { collection, stage, totals, cells, reasons, authorities, noReturn } = useLoaderData<typeof loader>();
  const t = useTranslation();
  const name = (code: string) => pick(t.lang, authorities.find((a) => a.code === code)!, "name");
  return (
    <>
      <span className="govuk-caption-l">{pick(t.lang, collection, "title")}</span>
      <h1 className="govuk-heading-l">{t("gaps.title")}</h1>
      <p className="govuk-body-l">{t("gaps.lead")}</p>

      <h2 className="govuk-heading-m">{t(NO_RETURN_TITLE[stage], { count: noReturn.length })}</h2>
      {noReturn.length === 0 ? (
        <p className="govuk-body">{t("gaps.everyoneReplied")}</p>
      ) : (
        <p className="govuk-body" id="no-return">
          {sortForDisplay(t.lang, noReturn, (a) => pick(t.lang, a, "name"))
            .map((a) => pick(t.lang, a, "name"))
            .join(", ")}
          .
        </p>
      )}

      {collection.items.map((item, column) => {
        const total = totals.find((row) => row.itemCode === item.code)!;
        const itemReasons = reasons.filter((r) => r.itemCode === item.code);
        const deviations = sortForDisplay(
          t.lang,
          authorities.flatMap((a) => {
            const deviation = cells[a.code]![column]!.deviation;
            return deviation ? [{ authorityCode: a.code, deviation }] : [];
          }),
          (c) => name(c.authorityCode),
        );
        return (
          <section key={item.code} className="govuk-!-margin-bottom-8" aria-labelledby={`gap-${item.code}`} id={`item-${item.code}`}>
            <h2 className="govuk-heading-m" id={`gap-${item.code}`}>
              {pick(t.lang, item, "label")}
            </h2>
            <ul className="govuk-list govuk-list--bullet app-gap-summary">
              <li>{t("gaps.summary.comparable", { count: total.comparable, expected: total.expected })}</li>
              {total.nonComparable ? (
                <li>
                  {t("gaps.summary.nonComparable", { count: total.nonComparable })}{" "}
                  {deviations.map((c, i) => (
                    <Fragment key={c.authorityCode}>
                      {i > 0 ? "; " : null}
                      {name(c.authorityCode)} (<DeviationText t={t} value={c.deviation} />)
                    </Fragment>
                  ))}
                </li>
              ) : null}
              {(["not_collected", "unknown", "not_applicable"] as const).map((state) => {
                const groups = itemReasons.filter((r) => r.state === state);
                const count = groups.reduce((n, g) => n + g.authorityCodes.length, 0);
                if (count === 0) return null;
                return (
                  <li key={state}>
                    <SentenceWithWords
                      t={t}
                      messageKey={SUMMARY_KEYS[state]}
                      params={{ count }}
                      name="reason"
                      text={groups[0]!.reason}
                      lang={groups[0]!.lang}
                    />
                  </li>
                );
              })}
              {total.notAnswered ? <li>{t("gaps.summary.notAnswered", { count: total.notAnswered })}</li> : null}
              {total.noReturn ? <li>{t(NO_RETURN_SUMMARY[stage], { count: total.noReturn })}</li> : null}
            </ul>
            {itemReasons.length > 0 ? (
              <details className="govuk-details">
                <summary className="govuk-details__summary">
                  <span className="govuk-details__summary-text">{t("gaps.reasonsInFull", { count: itemReasons.length })}</span>
                </summary>
                <div className="govuk-details__text">
                  {itemReasons.map((group) => (
                    <div key={`${group.state}:${group.reason}`} className="govuk-!-margin-bottom-4">
                      <p className="govuk-body govuk-!-margin-bottom-1">
                        <strong>{t(`state.${group.state}`)}</strong>: “<WrittenText t={t} text={group.reason} lang={group.lang} />”
                      </p>
                      <p className="govuk-body-s">{sortForDisplay(t.lang, group.authorityCodes.map(name), (n) => n).join(", ")}</p>
                    </div>
                  ))}
                </div>
              </details>
            ) : null}
          </section>
        );
      })}

      <h2 className="govuk-heading-m">{t("gaps.gridTitle")}</h2>
      <ItemTable
        t={t}
        className="govuk-table app-gaps-grid"
        caption={t("gaps.gridCaption")}
        firstColumn={t("collection.authorities.authority")}
        items={collection.items}
        rows={sortAuthorities(t.lang, authorities)}
        cell={(authority, _item, column) => {
          const value = cells[authority.code]![column]!;
          const kind = cellKind(value);
          return (
            <>
              <strong className={`govuk-tag ${KIND_TAG[kind]}`}>{t(`chart.kind.${kind}`)}</strong>
              {kind === "comparable" || kind === "nonComparable" ? (
                <span className="govuk-!-display-block">{describeValue(t, value, true)}</span>
              ) : null}
            </>
          );
        }}
      />
      <p className="govuk-body">
        <Link className="govuk-link" to={`/collections/${collection.code}`}>
          {t("gaps.back")}
        </Link>
      </p>
    </>
  );
}
