import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { TrendChart } from "#app/components/charts.tsx";
import { itemHistory, itemTrend } from "#app/models/aggregation.server.ts";
import { listAuthorities } from "#app/models/authority.server.ts";
import { itemLabels } from "#app/models/catalogue.server.ts";
import { notFound } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { coverageText, totalFigure } from "#app/domain/coverage.ts";
import { roundStage } from "#app/domain/round.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { formatDate, pick } from "#app/i18n/i18n.ts";
import { WithheldNote } from "#app/components/withheld-note.tsx";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { describeValue } from "#app/domain/values.ts";
import { Table } from "#app/components/govuk.tsx";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => (data ? `${t("trend.title")}: ${pick(t.lang, data.item, "label")}` : t("notFound.title")));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, reader } = await guard("routes/items.$itemCode", "loader", { request, params });
  const code = params.itemCode ?? "";
  const item = (await itemLabels(db, [code]))[code];
  if (!item) throw notFound();
  const [points, history, authorities] = await Promise.all([
    itemTrend(db, reader, code),
    itemHistory(db, reader, code),
    listAuthorities(db),
  ]);
  // Each authority's value in each round, in the points' order, looked up once here rather than
  // searched for in every cell of the page (those searches were 17% of the page's profile at ten years).
  const byRound = new Map(history.map(({ authorityCode, collectionCode, ...value }) => [`${authorityCode} ${collectionCode}`, value]));
  // The authorities the reader may follow in at least one round: an officer's own, and any they may compare with.
  const followed = new Set(history.map((h) => h.authorityCode));
  const listed = authorities.filter((a) => followed.has(a.code));
  const chosen = new URL(request.url).searchParams.get("authority") ?? user.authorityCode;
  const today = todayInWales();
  return {
    item: { code, ...item },
    chosen: followed.has(chosen ?? "") ? chosen : null,
    points: points.map(({ status, dueOn, ...p }) => ({ ...p, stage: roundStage({ status, due_on: dueOn }, today) })),
    /** The authorities the reader may follow, each with its value in each round of `points` (null: not one the reader may see). */
    authorities: listed.map(({ code, name_en, name_cy }) => ({
      code,
      name_en,
      name_cy,
      values: points.map((p) => byRound.get(`${code} ${p.collectionCode}`) ?? null),
    })),
  };
}

export default function Trend() {
  const { item, chosen, points, authorities } = useLoaderData<typeof loader>();
  const t = useTranslation();
  const label = pick(t.lang, item, "label");
  const chosenAuthority = authorities.find((a) => a.code === chosen);
  return (
    <>
      <span className="govuk-caption-l">{t("trend.title")}</span>
      <h1 className="govuk-heading-l">{label}</h1>
      {points.length === 0 ? <p className="govuk-body">{t("trend.none")}</p> : null}
      {points.length > 0 ? (
        <>
          <h2 className="govuk-heading-m">{t("trend.walesTitle")}</h2>
          <TrendChart
            t={t}
            id="trend-wales"
            title={t("trend.chartTitle", { item: label })}
            description={t("trend.chartDescription")}
            points={points.map((p) => ({
              key: p.collectionCode,
              label: formatDate(t.lang, p.referenceDate),
              value: p.total,
              // A Wales total only ever sums comparable values, but two totals are comparable with each other only when they cover the same authorities.
              comparable: true,
              joinsPrevious: p.sameCoverageAsPrevious,
              provisional: p.stage !== "closed",
              note: t("trend.pointCoverage", { comparable: p.comparable, expected: p.expected }),
            }))}
          />
          <p className="govuk-body-s">{t("trend.legend")}</p>
          <Table
            caption={t("trend.tableCaption")}
            captionClassName="govuk-table__caption--s"
            headings={[
              t("collection.field.title"),
              t("collection.field.referenceDate"),
              { text: t("collection.totals.total"), numeric: true },
              t("collection.totals.coverage"),
              t("trend.status"),
            ]}
          >
            {points.map((p) => (
              <tr key={p.collectionCode} className="govuk-table__row">
                <td className="govuk-table__cell">
                  <Link className="govuk-link" to={`/collections/${p.collectionCode}/items/${item.code}`}>
                    {pick(t.lang, p, "title")}
                  </Link>
                </td>
                <td className="govuk-table__cell">{formatDate(t.lang, p.referenceDate)}</td>
                <td className="govuk-table__cell app-numeric">{totalFigure(t, p)}</td>
                <td className="govuk-table__cell">{coverageText(t, p, p.stage)}</td>
                <td className="govuk-table__cell">{t(p.stage === "closed" ? "trend.status.final" : "trend.status.provisional")}</td>
              </tr>
            ))}
          </Table>
          <WithheldNote t={t} totals={points} />

          {chosenAuthority ? (
            <>
              <h2 className="govuk-heading-m">{pick(t.lang, chosenAuthority, "name")}</h2>
              <TrendChart
                t={t}
                id="trend-authority"
                title={t("trend.authorityChartTitle", {
                  item: label,
                  authority: pick(t.lang, chosenAuthority, "name"),
                })}
                description={t("trend.chartDescription")}
                points={points.map((p, i) => {
                  const value = chosenAuthority.values[i];
                  return {
                    key: p.collectionCode,
                    label: formatDate(t.lang, p.referenceDate),
                    value: value?.state === "reported" ? value.number : null,
                    comparable: Boolean(value?.comparable),
                    // One authority's figures on the definition are comparable round to round.
                    joinsPrevious: true,
                    provisional: p.stage !== "closed",
                  };
                })}
              />
              <p className="govuk-body-s">{t("trend.legend")}</p>
            </>
          ) : null}
          <h2 className="govuk-heading-m">{t("trend.authoritiesTitle")}</h2>
          <Table
            caption={t("trend.authoritiesTitle")}
            captionClassName="govuk-visually-hidden"
            headings={[
              t("collection.authorities.authority"),
              ...points.map((p) => ({ key: p.collectionCode, text: formatDate(t.lang, p.referenceDate), numeric: true })),
            ]}
          >
            {authorities.map((a) => (
              <tr key={a.code} className="govuk-table__row">
                <th scope="row" className="govuk-table__header">
                  <Link className="govuk-link" to={`?authority=${a.code}`}>
                    {pick(t.lang, a, "name")}
                  </Link>
                </th>
                {points.map((p, i) => {
                  const value = a.values[i];
                  const countedDifferently = value?.state === "reported" && !value.comparable;
                  // One text per cell, the mark of a figure counted differently on the cell itself:
                  // this table has a cell per authority per round, 900 at ten years.
                  return (
                    <td
                      key={p.collectionCode}
                      className={`govuk-table__cell app-numeric${countedDifferently ? " app-non-comparable" : ""}`}
                    >
                      {value
                        ? `${describeValue(t, value, value.returned)}${countedDifferently ? ` (${t("value.nonComparable")})` : ""}`
                        : t("chart.kind.hidden")}
                    </td>
                  );
                })}
              </tr>
            ))}
          </Table>
        </>
      ) : null}
    </>
  );
}
