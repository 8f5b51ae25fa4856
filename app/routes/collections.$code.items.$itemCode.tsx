import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { BarChart, HexMap, type MapCell } from "#app/components/charts.tsx";
import { authorityCells, coverageTotals, itemDenominators, previousCells } from "#app/models/aggregation.server.ts";
import { listAuthorities } from "#app/models/authority.server.ts";
import { notFound } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { cellKind } from "#app/domain/cells.ts";
import { coverageText, isFullCoverage, totalFigure, totalSentence } from "#app/domain/coverage.ts";
import { roundStage } from "#app/domain/round.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { compareText, formatNumber, pick, sortForDisplay } from "#app/i18n/i18n.ts";
import { DeviationText, WrittenText } from "#app/components/written-text.tsx";
import { WithheldNote } from "#app/components/withheld-note.tsx";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { describeDeviation, describeValue } from "#app/domain/values.ts";
import { denominatorSource, ratePer } from "#app/domain/denominators.ts";
import { Table } from "#app/components/govuk.tsx";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) =>
    data ? `${pick(t.lang, data.item, "label")}: ${pick(t.lang, data.collection, "title")}` : t("notFound.title"),
  );

const SORTS = ["name", "value", "rate"] as const;
type Sort = (typeof SORTS)[number];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, reader, collection, user } = await guard("routes/collections.$code.items.$itemCode", "loader", { request, params });
  const item = collection.items.find((i) => i.code === params.itemCode);
  if (!item) throw notFound();
  const url = new URL(request.url);
  const sort: Sort = (SORTS as readonly string[]).includes(url.searchParams.get("sort") ?? "")
    ? (url.searchParams.get("sort") as Sort)
    : "name";
  const descending = url.searchParams.get("dir") === "desc";
  const asked = url.searchParams.get("colour") === "state" ? "state" : "rate";
  const [totals, cells, previous, authorities, denominators] = await Promise.all([
    coverageTotals(db, reader, collection.id),
    authorityCells(db, reader, collection.id),
    previousCells(db, reader, { itemCode: item.code, before: collection.reference_date }),
    listAuthorities(db),
    itemDenominators(db, collection.id),
  ]);
  const denominator = denominators.get(item.code) ?? null;
  const itemCells = cells.filter((c) => c.itemCode === item.code);
  // An item without a single comparable rate has no rate key, no rate colouring and no bar chart of rates.
  const hasRates = itemCells.some((c) => c.comparable && c.rate !== null);
  const colourBy = hasRates ? asked : "state";
  const visible = new Set(itemCells.map((c) => c.authorityCode));
  const rows = itemCells.map((cell) => {
    const authority = authorities.find((a) => a.code === cell.authorityCode)!;
    const before = previous.find((p) => p.authorityCode === cell.authorityCode) ?? null;
    return { ...cell, authority, previous: before };
  });
  const direction = descending ? -1 : 1;
  rows.sort((a, b) => {
    if (sort === "name")
      return direction * compareText(user.language, pick(user.language, a.authority, "name"), pick(user.language, b.authority, "name"));
    const key = sort === "rate" ? "rate" : "number";
    // Authorities without a figure go last, whichever the direction.
    if (a[key] === null || b[key] === null) return (a[key] === null ? 1 : 0) - (b[key] === null ? 1 : 0);
    return direction * (a[key]! - b[key]!);
  });
  return {
    collection,
    stage: roundStage(collection, todayInWales()),
    item,
    wales: totals.find((r) => r.itemCode === item.code && r.regionCode === null)!,
    regions: totals
      .filter((r) => r.itemCode === item.code && r.regionCode !== null)
      .map((r) => ({ ...r, region: authorities.find((a) => a.region_code === r.regionCode)! })),
    rows,
    hidden: authorities.filter((a) => !visible.has(a.code)).map((a) => a.code),
    authorities: authorities.map(({ code, name_en, name_cy }) => ({ code, name_en, name_cy })),
    denominator,
    sort,
    descending,
    colourBy,
    hasRates,
  } as const;
}

export default function ItemPage() {
  const data = useLoaderData<typeof loader>();
  const t = useTranslation();
  const { collection, stage, item, wales, regions, rows, denominator, sort, descending, colourBy, hasRates } = data;
  const here = `/collections/${collection.code}/items/${item.code}`;
  const label = pick(t.lang, item, "label");
  const answer = (row: (typeof rows)[number]) => describeValue(t, row, row.returnStatus !== null);
  const rateText = (rate: number | null) =>
    rate === null ? t("item.rateUnavailable") : formatNumber(t.lang, rate, { maximumFractionDigits: 1 });
  // One rule everywhere (decision 012): a figure counted differently has no rate, so it is never ranked among rates.
  const rateOf = (row: (typeof rows)[number]) => (row.comparable ? rateText(row.rate) : t("item.rateNonComparable"));
  const mapCells: MapCell[] = [
    ...rows.map((row) => ({
      authorityCode: row.authorityCode,
      name: pick(t.lang, row.authority, "name"),
      kind: cellKind(row),
      rate: row.rate,
      label: `${pick(t.lang, row.authority, "name")}: ${answer(row)}${row.rate !== null && row.comparable ? `, ${rateText(row.rate)}` : ""}`,
    })),
    ...data.hidden.map((code) => {
      const authority = data.authorities.find((a) => a.code === code)!;
      return {
        authorityCode: code,
        name: pick(t.lang, authority, "name"),
        kind: "hidden" as const,
        rate: null,
        label: `${pick(t.lang, authority, "name")}: ${t("chart.kind.hidden")}`,
      };
    }),
  ];
  const sortLink = (key: string) => `${here}?sort=${key}&dir=${sort === key && !descending ? "desc" : "asc"}&colour=${colourBy}`;
  const ariaSort = (key: string) => (sort === key ? (descending ? "descending" : "ascending") : "none");
  const barValue = (row: (typeof rows)[number]) => (row.state === "reported" && row.rate !== null ? row.rate : -1);
  const byRate = [...rows].sort((a, b) => barValue(b) - barValue(a));
  return (
    <>
      <span className="govuk-caption-l">{pick(t.lang, collection, "title")}</span>
      <h1 className="govuk-heading-l">{label}</h1>
      <p className="govuk-body">{pick(t.lang, item, "definition")}</p>
      <div className="govuk-inset-text" id="wales-total">
        <p className="govuk-body govuk-!-font-weight-bold">{totalSentence(t, wales)}</p>
        <p className="govuk-body govuk-!-margin-bottom-0">
          {isFullCoverage(wales) ? t("coverage.full") : `${t("coverage.incomplete")} ${coverageText(t, wales, stage)}.`}
        </p>
      </div>
      <WithheldNote t={t} totals={[wales, ...regions]} />
      <p className="govuk-body">
        <Link className="govuk-link" to={`/items/${item.code}`}>
          {t("trend.link")}
        </Link>
      </p>

      <h2 className="govuk-heading-m">{t("collection.regions.title")}</h2>
      <table className="govuk-table app-responsive-table">
        <caption className="govuk-table__caption govuk-visually-hidden">{t("collection.regions.caption")}</caption>
        <thead className="govuk-table__head">
          <tr className="govuk-table__row">
            <th scope="col" className="govuk-table__header">
              {t("collection.authorities.region")}
            </th>
            <th scope="col" className="govuk-table__header app-numeric">
              {t("collection.totals.total")}
            </th>
            <th scope="col" className="govuk-table__header">
              {t("collection.totals.coverage")}
            </th>
          </tr>
        </thead>
        <tbody className="govuk-table__body">
          {sortForDisplay(t.lang, regions, (r) => pick(t.lang, r.region, "region")).map((r) => (
            <tr key={r.regionCode} className="govuk-table__row">
              <th scope="row" className="govuk-table__header" data-label={t("collection.authorities.region")}>
                {pick(t.lang, r.region, "region")}
              </th>
              <td className="govuk-table__cell app-numeric" data-label={t("collection.totals.total")}>
                {totalFigure(t, r)}
              </td>
              <td className="govuk-table__cell" data-label={t("collection.totals.coverage")}>
                {coverageText(t, r, stage)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 className="govuk-heading-m">{t("item.mapTitle")}</h2>
      {hasRates ? (
        <p className="govuk-body">
          {t("item.colourBy")}{" "}
          {colourBy === "rate" ? (
            <>
              <strong>{t("item.colourRate")}</strong> |{" "}
              <Link className="govuk-link" to={`${here}?colour=state&sort=${sort}&dir=${descending ? "desc" : "asc"}`}>
                {t("item.colourState")}
              </Link>
            </>
          ) : (
            <>
              <Link className="govuk-link" to={`${here}?colour=rate&sort=${sort}&dir=${descending ? "desc" : "asc"}`}>
                {t("item.colourRate")}
              </Link>{" "}
              | <strong>{t("item.colourState")}</strong>
            </>
          )}
        </p>
      ) : (
        <p className="govuk-body">{t("item.noRates")}</p>
      )}
      <HexMap
        t={t}
        id="hexmap"
        colourBy={colourBy}
        title={t(colourBy === "rate" ? "item.mapRateTitle" : "item.mapStateTitle", { item: label, per: ratePer(t, denominator) })}
        description={t("item.mapDescription")}
        cells={mapCells}
      />
      {hasRates ? (
        <>
          <h3 className="govuk-heading-s">{t("item.barTitle", { per: ratePer(t, denominator) })}</h3>
          <BarChart
            id="bars"
            title={t("item.barTitle", { per: ratePer(t, denominator) })}
            description={t("item.barDescription")}
            bars={byRate.map((row) => ({
              key: row.authorityCode,
              label: pick(t.lang, row.authority, "name"),
              value: row.comparable ? row.rate : null,
              kind: cellKind(row),
              text: row.state === "reported" ? rateOf(row) : answer(row),
            }))}
          />
        </>
      ) : null}

      <h2 className="govuk-heading-m" id="by-authority">
        {t("collection.authorities.title")}
      </h2>
      {denominator ? (
        <p className="govuk-body">
          {t("item.denominator", {
            label: pick(t.lang, denominator, "label"),
            source: denominatorSource(t.lang, denominator),
            // A year, not a quantity: "2021", never "2,021".
            year: String(denominator.year),
          })}
        </p>
      ) : null}
      <Table
        caption={t("item.tableCaption", { item: label })}
        captionClassName="govuk-visually-hidden"
        headings={[
          {
            text: (
              <Link className="govuk-link" to={`${sortLink("name")}#by-authority`}>
                {t("collection.authorities.authority")}
              </Link>
            ),
            ariaSort: ariaSort("name"),
          },
          {
            text: (
              <Link className="govuk-link" to={`${sortLink("value")}#by-authority`}>
                {t("item.answer")}
              </Link>
            ),
            numeric: true,
            ariaSort: ariaSort("value"),
          },
          {
            text: (
              <Link className="govuk-link" to={`${sortLink("rate")}#by-authority`}>
                {t("item.rate", { per: ratePer(t, denominator) })}
              </Link>
            ),
            numeric: true,
            ariaSort: ariaSort("rate"),
          },
          { text: t("item.lastRound"), numeric: true },
          t("item.notes"),
        ]}
      >
        {rows.map((row) => {
          const deviation = row.state === "reported" && !row.comparable ? describeDeviation(t, row) : "";
          return (
            <tr key={row.authorityCode} className="govuk-table__row">
              <th scope="row" className="govuk-table__header">
                {pick(t.lang, row.authority, "name")}
              </th>
              <td className="govuk-table__cell app-numeric">
                <span className={deviation ? "app-non-comparable" : undefined}>{answer(row)}</span>
              </td>
              <td className="govuk-table__cell app-numeric">{row.state === "reported" ? rateOf(row) : "–"}</td>
              <td className="govuk-table__cell app-numeric">{row.previous ? describeValue(t, row.previous, true) : "–"}</td>
              <td className="govuk-table__cell">
                {deviation ? (
                  <span className="govuk-!-display-block">
                    {`${t("value.nonComparable")}: `}
                    <DeviationText t={t} value={row} />
                  </span>
                ) : null}
                {(
                  [
                    ["value.reason", row.reason],
                    ["value.caveat", row.caveat],
                    ["value.queryExplanation", row.queryExplanation],
                  ] as const
                ).map(([label, words]) =>
                  words ? (
                    <span key={label} className="govuk-!-display-block">
                      {`${t(label)}: `}
                      <WrittenText t={t} text={words} lang={row.textLang} />
                    </span>
                  ) : null,
                )}
                {row.asWritten ? (
                  <span className="govuk-!-display-block">
                    {`${t("value.asWritten")}: `}
                    {/* The authority's own words, marked with their language so a screen reader reads them in it. */}
                    <WrittenText t={t} as="q" text={row.asWritten} lang={row.asWrittenLang} />
                  </span>
                ) : null}
              </td>
            </tr>
          );
        })}
      </Table>
    </>
  );
}
