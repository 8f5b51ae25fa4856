import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { authorityCells, coverageTotals } from "#app/models/aggregation.server.ts";
import { listAuthorities } from "#app/models/authority.server.ts";
import { collectionHeading, itemsShown } from "#app/models/collection.server.ts";
import { cellsByAuthority, pageCell } from "#app/domain/cells.ts";
import { coverageParts, isFullCoverage, totalFigure, totalSentence } from "#app/domain/coverage.ts";
import { guard } from "#app/auth/guard.server.ts";
import { may } from "#app/auth/policy.ts";
import { formatDate, pick, sortAuthorities } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { ItemTable, RegionTotalsTable, AuthorityFigure } from "#app/components/item-table.tsx";
import { WithheldNote } from "#app/components/withheld-note.tsx";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { describeValue } from "#app/domain/values.ts";
import { roundStage } from "#app/domain/round.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { ErrorMessage, ErrorSummary, SummaryRow } from "#app/components/govuk.tsx";
import { figureInWords } from "#app/components/figure-words.ts";
import { figureNamed, type FigureWords } from "#app/models/statistics.server.ts";
import { CSRF_FIELD } from "#app/web/forms.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => (data ? pick(t.lang, data.collection, "title") : t("notFound.title")), {
    errors: Boolean(data?.unprotectable),
  });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, reader, collection } = await guard("routes/collections.$code._index", "loader", { request, params });
  const [totals, cells, authorities] = await Promise.all([
    coverageTotals(db, reader, collection.id),
    authorityCells(db, reader, collection.id),
    listAuthorities(db),
  ]);
  const shown = new Set(cells.map((c) => c.authorityCode));
  // A workbook for publication refused: the small count no plan could protect (its key, from the form's action).
  const unprotectable = new URL(request.url).searchParams.get("unprotectable");
  return {
    unprotectable: unprotectable && may(user, "exportFigures") ? await figureNamed(db, collection, unprotectable) : null,
    mayRunRounds: may(user, "runRounds"),
    mayExport: may(user, "exportFigures"),
    // The workbook for publication is asked for by a form: it records a release of the round.
    csrfToken: may(user, "exportFigures") ? user.csrfToken : null,
    seesGaps: may(user, "readEveryFigure"),
    collection: {
      ...collectionHeading(collection),
      status: collection.status,
      smallCountMax: collection.rules.smallCountMax,
      opens_on: collection.opens_on,
      due_on: collection.due_on,
      items: itemsShown(collection),
    },
    stage: roundStage(collection, todayInWales()),
    walesTotals: totals.filter((row) => row.regionCode === null),
    // A region's cell shows its figure and how many authorities it is from, not the rest of its coverage.
    regionTotals: totals
      .filter((row) => row.regionCode !== null)
      .map(({ itemCode, regionCode, total, withheld, comparable, expected }) => ({
        itemCode,
        regionCode,
        total,
        withheld,
        comparable,
        expected,
      })),
    regions: [
      ...new Map(authorities.map((a) => [a.region_code, { code: a.region_code, name_en: a.region_en, name_cy: a.region_cy }])).values(),
    ],
    /** Each shown authority's cells, in the items' order, with the caveat the table shows under a figure. */
    cells: cellsByAuthority(cells, collection.items, (c) => ({ ...pageCell(c), caveat: c.caveat, textLang: c.textLang })),
    authorities: authorities
      .filter((a) => shown.has(a.code))
      .map(({ code, name_en, name_cy, region_en, region_cy }) => ({ code, name_en, name_cy, region_en, region_cy })),
  };
}

export default function CollectionPage() {
  const { mayRunRounds, seesGaps, collection, stage, walesTotals, regionTotals, regions, cells, authorities, unprotectable } =
    useLoaderData<typeof loader>();
  const t = useTranslation();
  const refused = unprotectable ? t("disclosure.refused.cannotProtect", { figure: figureInWords(t, unprotectable as FigureWords) }) : null;
  return (
    <>
      {refused ? <ErrorSummary title={t("errorSummary.title")} errors={[{ href: "#publication", text: refused }]} /> : null}
      <span className="govuk-caption-l">
        {t("collection.field.referenceDate")} {formatDate(t.lang, collection.reference_date)}
      </span>
      <h1 className="govuk-heading-l">{pick(t.lang, collection, "title")}</h1>
      <ul className="govuk-list">
        {seesGaps ? (
          <li>
            <Link className="govuk-link" to={`/collections/${collection.code}/gaps`}>
              {t("gaps.link")}
            </Link>
          </li>
        ) : null}
        {mayRunRounds ? (
          <li>
            <Link className="govuk-link" to={`/collections/${collection.code}/board`}>
              {t("board.link")}
            </Link>
          </li>
        ) : null}
      </ul>
      <dl className="govuk-summary-list">
        <SummaryRow label={t("collection.field.status")}>{t(`collection.status.${collection.status}`)}</SummaryRow>
        <SummaryRow label={t("collection.field.opensOn")}>{formatDate(t.lang, collection.opens_on)}</SummaryRow>
        <SummaryRow label={t("collection.field.dueOn")}>{formatDate(t.lang, collection.due_on)}</SummaryRow>
        <SummaryRow label={t("collection.guidance")}>{pick(t.lang, collection, "guidance")}</SummaryRow>
      </dl>

      <h2 className="govuk-heading-m">{t("collection.totals.title")}</h2>
      <WithheldNote t={t} totals={[...walesTotals, ...regionTotals]} />
      {collection.items.map((item) => {
        const total = walesTotals.find((row) => row.itemCode === item.code)!;
        return (
          <div key={item.code} className="govuk-summary-card" id={`total-${item.code}`}>
            <div className="govuk-summary-card__title-wrapper">
              <h3 className="govuk-summary-card__title">{pick(t.lang, item, "label")}</h3>
              <ul className="govuk-summary-card__actions">
                <li className="govuk-summary-card__action">
                  <Link className="govuk-link" to={`/collections/${collection.code}/items/${item.code}`}>
                    {t("item.link")}
                    <span className="govuk-visually-hidden"> {pick(t.lang, item, "label")}</span>
                  </Link>
                </li>
                <li className="govuk-summary-card__action">
                  <Link className="govuk-link" to={`/items/${item.code}`}>
                    {t("trend.link")}
                    <span className="govuk-visually-hidden"> {pick(t.lang, item, "label")}</span>
                  </Link>
                </li>
              </ul>
            </div>
            <div className="govuk-summary-card__content">
              <p className="govuk-body govuk-!-font-weight-bold">{totalSentence(t, total)}</p>
              {isFullCoverage(total) ? (
                <p className="govuk-body">{t("coverage.full")}</p>
              ) : (
                <>
                  <p className="govuk-body">{t("coverage.incomplete")}</p>
                  <ul className="govuk-list govuk-list--bullet">
                    {coverageParts(t, total, stage).map((part) => (
                      <li key={part}>{part}</li>
                    ))}
                  </ul>
                </>
              )}
            </div>
          </div>
        );
      })}

      <h2 className="govuk-heading-m">{t("collection.regions.title")}</h2>
      <RegionTotalsTable t={t} items={collection.items} regions={regions} totals={regionTotals} figure={(total) => totalFigure(t, total)} />

      <h2 className="govuk-heading-m">{t("collection.authorities.title")}</h2>
      <ItemTable
        t={t}
        caption={t("collection.authorities.caption")}
        firstColumn={t("collection.authorities.authority")}
        rowColumns={[{ header: t("collection.authorities.region"), cell: (authority) => pick(t.lang, authority, "region") }]}
        items={collection.items}
        rows={sortAuthorities(t.lang, authorities)}
        cell={(authority, _item, column) => {
          const value = cells[authority.code]![column]!;
          return <AuthorityFigure t={t} value={value} text={describeValue(t, value, value.returnStatus !== null)} />;
        }}
      />
      <Downloads />
    </>
  );
}

/** The exports of this collection, and the bulk import, for those who may take the figures away. */
function Downloads() {
  const { mayExport, mayRunRounds, collection, csrfToken, unprotectable } = useLoaderData<typeof loader>();
  const t = useTranslation();
  if (!mayExport) return null;
  const base = `/collections/${collection.code}`;
  const otherLanguage = t.lang === "cy" ? "en" : "cy";
  return (
    <>
      <h2 className="govuk-heading-m">{t("export.downloads.title")}</h2>
      <ul className="govuk-list">
        <li>
          <a className="govuk-link" href={`${base}/export.xlsx`}>
            {t("export.link.workbook")}
          </a>
        </li>
        <li>
          <a className="govuk-link" href={`${base}/export.xlsx?lang=${otherLanguage}`} hrefLang={otherLanguage}>
            {t("export.link.workbookOtherLanguage")}
          </a>
        </li>
        <li>
          <a className="govuk-link" href={`${base}/values.csv`}>
            {t("export.link.csv")}
          </a>
        </li>
        <li>
          <a className="govuk-link" href="/exports/all-collections.xlsx">
            {t("export.link.all")}
          </a>
        </li>
        {mayRunRounds ? (
          <li>
            <Link className="govuk-link" to={`${base}/import`}>
              {t("import.link")}
            </Link>
          </li>
        ) : null}
      </ul>
      <h3 className="govuk-heading-s" id="publication">
        {t("export.publication.title")}
      </h3>
      <p className="govuk-body">{t("export.publication.what", { max: collection.smallCountMax })}</p>
      {unprotectable ? (
        <ErrorMessage id="publication-error" prefix={t("page.errorPrefix")}>
          {t("disclosure.refused.cannotProtect", { figure: figureInWords(t, unprotectable as FigureWords) })}
        </ErrorMessage>
      ) : null}
      <form method="post" action={`${base}/export.xlsx`}>
        <input type="hidden" name={CSRF_FIELD} value={csrfToken ?? ""} />
        <button type="submit" className="govuk-button govuk-button--secondary" data-module="govuk-button">
          {t("export.publication.button")}
        </button>
      </form>
    </>
  );
}
