import { data as withHeaders, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BarChart, HexMap, type CellKind } from "#app/components/charts.tsx";
import { ItemTable, RegionTotalsTable, AuthorityFigure } from "#app/components/item-table.tsx";
import { WrittenText } from "#app/components/written-text.tsx";
import { publishedStatisticsOf } from "#app/auth/guard.server.ts";
import { collectionHeading } from "#app/models/collection.server.ts";
import { coverageParts } from "#app/domain/coverage.ts";
import { MARK_ORDER, MARKS } from "#app/domain/disclosure.ts";
import { describeValue } from "#app/domain/values.ts";
import { deviationOf } from "#app/domain/cells.ts";
import { sortAuthorities, sortForDisplay, formatDate, formatNumber, pick, type Translator } from "#app/i18n/i18n.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import type { PublishedCell, PublishedTotal } from "#app/models/statistics.server.ts";
import { cellMarks, notesCodes } from "#app/domain/disclosure.ts";
import { PUBLISHED_CACHE, totalMarks } from "#app/spreadsheets/statswales.server.ts";
import { pageTitle } from "#app/web/meta.ts";
import { SummaryRow } from "#app/components/govuk.tsx";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => (data ? pick(t.lang, data.collection, "title") : t("notFound.title")));

/** Published statistics are the same for everyone: cacheable, unless the page carries a signed-in person's name. */
export const headers: HeadersFunction = ({ loaderHeaders }) => ({
  "Cache-Control": loaderHeaders.get("Cache-Control") ?? "no-store",
  Vary: "Cookie",
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { collection, publishedAt, figures } = await publishedStatisticsOf("routes/statistics.$code._index", { params });
  const signedIn = /(^|;\s*)__session=/.test(request.headers.get("Cookie") ?? "");
  const data = {
    collection: { ...collectionHeading(collection), items: collection.items },
    publishedAt,
    smallCountMax: figures.plan.smallCountMax,
    authorities: figures.authorities,
    cells: figures.cells.map((c) => ({ ...c, marks: notesCodes(cellMarks(c)) })),
    totals: figures.totals.map((t) => ({ ...t, marks: notesCodes(totalMarks(t)) })),
    reasons: figures.reasons,
  };
  return withHeaders(data, { headers: { "Cache-Control": signedIn ? "private, no-store" : PUBLISHED_CACHE } });
}

function totalText(t: Translator, total: PublishedTotal & { marks: string }) {
  if (total.suppressed) return MARKS.suppressed;
  return total.total === null ? `${t("collection.regions.noTotal")} ${MARKS.notAvailable}` : formatNumber(t.lang, total.total);
}

function cellText(t: Translator, cell: PublishedCell & { marks: string }) {
  if (cell.suppressed) return `${MARKS.suppressed}${cell.state === "reported" && !cell.comparable ? ` ${MARKS.nonComparable}` : ""}`;
  const words = describeValue(t, cell, cell.hasReturn);
  return cell.marks ? `${words} ${cell.marks}` : words;
}

function kindOf(cell: PublishedCell): CellKind {
  if (cell.suppressed) return "hidden";
  if (!cell.hasReturn) return "noReturn";
  if (cell.state === null) return "blank";
  if (cell.state === "reported") return cell.comparable ? "comparable" : "nonComparable";
  return cell.state;
}

export default function PublishedStatistics() {
  const { collection, authorities: listed, cells, totals, reasons, publishedAt, smallCountMax } = useLoaderData<typeof loader>();
  const t = useTranslation();
  // By region, then by name, each in the page's language and its collation.
  const authorities = sortAuthorities(t.lang, listed);
  const cell = new Map(cells.map((c) => [`${c.authorityCode}:${c.itemCode}`, c]));
  const regions = [
    ...new Map(authorities.map((a) => [a.region_code, { code: a.region_code, name_en: a.region_en, name_cy: a.region_cy }])).values(),
  ];
  const names = new Map(authorities.map((a) => [a.code, pick(t.lang, a, "name")]));
  const base = `/statistics/${collection.code}`;
  return (
    <>
      <span className="govuk-caption-l">{t("statistics.caption")}</span>
      <h1 className="govuk-heading-l">{pick(t.lang, collection, "title")}</h1>
      <dl className="govuk-summary-list">
        <SummaryRow label={t("collection.field.referenceDate")}>{formatDate(t.lang, collection.reference_date)}</SummaryRow>
        <SummaryRow label={t("statistics.publishedOn")}>{formatDate(t.lang, new Date(publishedAt).toISOString().slice(0, 10))}</SummaryRow>
        <SummaryRow label={t("statistics.status")}>{t("statistics.status.final")}</SummaryRow>
        <SummaryRow label={t("collection.guidance")}>{pick(t.lang, collection, "guidance")}</SummaryRow>
      </dl>

      <h2 className="govuk-heading-m">{t("collection.totals.title")}</h2>
      {collection.items.map((item) => {
        const total = totals.find((row) => row.itemCode === item.code && row.regionCode === null)!;
        return (
          <div key={item.code} className="govuk-summary-card" id={`total-${item.code}`}>
            <div className="govuk-summary-card__title-wrapper">
              <h3 className="govuk-summary-card__title">{pick(t.lang, item, "label")}</h3>
            </div>
            <div className="govuk-summary-card__content">
              <p className="govuk-body govuk-!-font-weight-bold">
                {total.total === null && !total.suppressed
                  ? t("collection.totals.noComparable")
                  : t("coverage.sentence", { total: totalText(t, total), comparable: total.comparable, expected: total.expected })}
              </p>
              <ul className="govuk-list govuk-list--bullet">
                {coverageParts(t, total, "closed").map((part) => (
                  <li key={part}>{part}</li>
                ))}
              </ul>
            </div>
          </div>
        );
      })}

      <h2 className="govuk-heading-m">{t("collection.regions.title")}</h2>
      <RegionTotalsTable t={t} items={collection.items} regions={regions} totals={totals} figure={(total) => totalText(t, total)} />

      <h2 className="govuk-heading-m">{t("collection.authorities.title")}</h2>
      <ItemTable
        t={t}
        id="by-authority"
        caption={t("collection.authorities.caption")}
        firstColumn={t("collection.authorities.authority")}
        items={collection.items}
        rows={authorities}
        cell={(authority, item) => {
          const value = cell.get(`${authority.code}:${item.code}`)!;
          return <AuthorityFigure t={t} value={{ ...value, deviation: deviationOf(value) }} text={cellText(t, value)} withReason />;
        }}
      />

      <h2 className="govuk-heading-m">{t("statistics.gaps.title")}</h2>
      {reasons.length === 0 ? (
        <p className="govuk-body">{t("statistics.gaps.none")}</p>
      ) : (
        <ul className="govuk-list govuk-list--bullet" id="gaps">
          {reasons.map((group) => {
            const item = collection.items.find((i) => i.code === group.itemCode)!;
            return (
              <li key={`${group.itemCode}:${group.state}:${group.reason}`}>
                {t("statistics.gaps.line", {
                  item: pick(t.lang, item, "label"),
                  state: t(`state.${group.state}`),
                  count: group.authorityCodes.length,
                  authorities: sortForDisplay(
                    t.lang,
                    group.authorityCodes.map((code) => names.get(code) ?? code),
                    (name) => name,
                  ).join(", "),
                })}{" "}
                {t("value.reason")}: <WrittenText t={t} text={group.reason} lang={group.lang} />
              </li>
            );
          })}
        </ul>
      )}

      {collection.items
        .filter((item) => cells.some((c) => c.itemCode === item.code && c.state === "reported"))
        .map((item) => {
          const label = pick(t.lang, item, "label");
          const itemCells = authorities.map((a) => cell.get(`${a.code}:${item.code}`)!);
          return (
            <section key={item.code} aria-labelledby={`pictures-${item.code}`}>
              <h2 className="govuk-heading-m" id={`pictures-${item.code}`}>
                {t("statistics.pictures.title", { item: label })}
              </h2>
              <HexMap
                t={t}
                id={`hexmap-${item.code}`}
                colourBy="state"
                title={t("item.mapStateTitle", { item: label })}
                description={t("statistics.pictures.description")}
                cells={itemCells.map((c) => ({
                  authorityCode: c.authorityCode,
                  name: names.get(c.authorityCode) ?? c.authorityCode,
                  kind: kindOf(c),
                  rate: null,
                  label: `${names.get(c.authorityCode)}: ${cellText(t, c)}`,
                }))}
              />
              <BarChart
                id={`bars-${item.code}`}
                title={t("statistics.pictures.bars", { item: label })}
                description={t("statistics.pictures.description")}
                bars={[...itemCells]
                  .sort((a, b) => (b.number ?? -1) - (a.number ?? -1))
                  .map((c) => ({
                    key: c.authorityCode,
                    label: names.get(c.authorityCode) ?? c.authorityCode,
                    value: c.state === "reported" ? c.number : null,
                    kind: kindOf(c),
                    text: cellText(t, c),
                  }))}
              />
            </section>
          );
        })}

      <h2 className="govuk-heading-m">{t("statistics.definitions.title")}</h2>
      <dl className="govuk-summary-list" id="definitions">
        {collection.items.map((item) => (
          <SummaryRow
            key={item.code}
            label={
              <>
                {pick(t.lang, item, "label")} <span className="govuk-body-s govuk-!-display-block">{item.code}</span>
              </>
            }
          >
            {pick(t.lang, item, "definition")}
          </SummaryRow>
        ))}
      </dl>

      <h2 className="govuk-heading-m">{t("statistics.legend.title")}</h2>
      <dl className="govuk-summary-list" id="legend">
        {MARK_ORDER.map((mark) => (
          <SummaryRow key={mark} label={MARKS[mark]}>
            {t(`mark.${mark}`, { max: smallCountMax })}
          </SummaryRow>
        ))}
      </dl>

      <h2 className="govuk-heading-m">{t("export.downloads.title")}</h2>
      <ul className="govuk-list" id="downloads">
        <li>
          <a className="govuk-link" href={`${base}/workbook.xlsx?lang=${t.lang}`}>
            {t("statistics.download.workbook")}
          </a>
        </li>
        <li>
          <a className="govuk-link" href={`${base}/values.csv?lang=${t.lang}`}>
            {t("statistics.download.csv")}
          </a>
        </li>
        <li>
          <a className="govuk-link" href={`${base}/statswales.csv`}>
            {t("statistics.download.statswales")}
          </a>
        </li>
        <li>
          <a className="govuk-link" href={`${base}/items.csv`}>
            {t("statistics.download.items")}
          </a>
        </li>
      </ul>
    </>
  );
}
