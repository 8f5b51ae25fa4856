import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { boardCounts, completenessBoard } from "#app/models/board.server.ts";
import { BOARD_STATUSES, boardStatusOf, type BoardStatus } from "#app/domain/board.ts";
import { guard } from "#app/auth/guard.server.ts";
import { NotificationBanner } from "#app/components/govuk.tsx";
import { CSRF_FIELD } from "#app/web/forms.ts";
import { formatDate, formatDateTime, pick } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { returnPath } from "#app/web/return-form.ts";
import { daysBetween, todayInWales } from "#app/domain/dates.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => (data ? `${t("board.title")}: ${pick(t.lang, data.collection, "title")}` : t("notFound.title")));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, collection } = await guard("routes/collections.$code.board", "loader", { request, params });
  const today = todayInWales();
  const rows = await completenessBoard(db, { collectionId: collection.id, today });
  const url = new URL(request.url);
  const status = url.searchParams.get("status");
  const region = url.searchParams.get("region");
  const statusFilter = (BOARD_STATUSES as readonly string[]).includes(status ?? "") ? (status as BoardStatus) : null;
  const regions = [
    ...new Map(rows.map((r) => [r.region_code, { code: r.region_code, name_en: r.region_en, name_cy: r.region_cy }])).values(),
  ];
  const regionFilter = regions.some((r) => r.code === region) ? region : null;
  const shown = rows.filter(
    (r) =>
      (!statusFilter || (statusFilter === "overdue" ? r.overdue : boardStatusOf(r) === statusFilter)) &&
      (!regionFilter || r.region_code === regionFilter),
  );
  return {
    collection: { ...collection, itemCount: collection.items.length },
    counts: boardCounts(rows),
    rows: shown,
    regions,
    filter: { status: statusFilter, region: regionFilter },
    today,
    csrfToken: user.csrfToken,
    accepted: Number(url.searchParams.get("accepted")) || 0,
  };
}

export default function Board() {
  const { collection, counts, rows, regions, filter, today, csrfToken, accepted } = useLoaderData<typeof loader>();
  const t = useTranslation();
  const daysToDue = daysBetween(today, collection.due_on);
  const byRegion = regions
    .map((region) => ({ region, rows: rows.filter((r) => r.region_code === region.code) }))
    .filter((group) => group.rows.length > 0);
  return (
    <>
      {accepted > 0 ? (
        <NotificationBanner title={t("banner.success")} success>
          <p className="govuk-notification-banner__heading">{t("bulk.done", { count: accepted })}</p>
        </NotificationBanner>
      ) : null}
      <span className="govuk-caption-l">{pick(t.lang, collection, "title")}</span>
      <h1 className="govuk-heading-l">{t("board.title")}</h1>
      <p className="govuk-body">
        {collection.status === "closed" ? (
          t("board.closed", { date: formatDate(t.lang, collection.due_on) })
        ) : (
          <>
            {t("collection.field.dueOn")}: {formatDate(t.lang, collection.due_on)}.{" "}
            {daysToDue >= 0 ? t("home.daysLeft", { count: daysToDue }) : t("home.overdue", { count: -daysToDue })}
          </>
        )}
      </p>
      <ul className="govuk-list app-board-counts">
        {BOARD_STATUSES.map((status) => (
          <li key={status}>
            <Link className="govuk-link" to={`?status=${status}`} aria-current={filter.status === status ? "true" : undefined}>
              <span className="govuk-!-font-weight-bold govuk-!-font-size-36 govuk-!-display-block">{counts[status]}</span>
              {t(`board.count.${status}`)}
            </Link>
          </li>
        ))}
      </ul>
      <form method="get" className="app-board-filter">
        <div className="govuk-form-group app-inline-field">
          <label className="govuk-label" htmlFor="status">
            {t("board.filter.status")}
          </label>
          <select className="govuk-select" id="status" name="status" defaultValue={filter.status ?? ""}>
            <option value="">{t("board.filter.all")}</option>
            {BOARD_STATUSES.map((status) => (
              <option key={status} value={status}>
                {t(`board.count.${status}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="govuk-form-group app-inline-field">
          <label className="govuk-label" htmlFor="region">
            {t("board.filter.region")}
          </label>
          <select className="govuk-select" id="region" name="region" defaultValue={filter.region ?? ""}>
            <option value="">{t("board.filter.all")}</option>
            {regions.map((region) => (
              <option key={region.code} value={region.code}>
                {pick(t.lang, region, "name")}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="govuk-button govuk-button--secondary" data-module="govuk-button">
          {t("board.filter.apply")}
        </button>
      </form>
      <p className="govuk-body">
        <a className="govuk-link" href={`/collections/${collection.code}/chase-list.csv`}>
          {t("board.chaseList")}
        </a>
      </p>
      {counts.submitted > 0 ? (
        <p className="govuk-body">
          <Link className="govuk-link" to={`/collections/${collection.code}/accept`}>
            {t("bulk.link")}
          </Link>
        </p>
      ) : null}
      {byRegion.length === 0 ? <p className="govuk-body">{t("board.noneMatch")}</p> : null}
      {byRegion.map(({ region, rows: regionRows }) => (
        <table key={region.code} className="govuk-table">
          <caption className="govuk-table__caption govuk-table__caption--m">{pick(t.lang, region, "name")}</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              <th scope="col" className="govuk-table__header">
                {t("collection.authorities.authority")}
              </th>
              <th scope="col" className="govuk-table__header">
                {t("collection.field.status")}
              </th>
              <th scope="col" className="govuk-table__header">
                {t("board.submittedBy")}
              </th>
              <th scope="col" className="govuk-table__header">
                {t("board.lastActivity")}
              </th>
              <th scope="col" className="govuk-table__header app-numeric">
                {t("board.openQueries")}
              </th>
              <th scope="col" className="govuk-table__header app-numeric">
                {t("board.filled")}
              </th>
              <th scope="col" className="govuk-table__header">
                <span className="govuk-visually-hidden">{t("board.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {regionRows.map((row) => (
              <tr key={row.code} className="govuk-table__row">
                <th scope="row" className="govuk-table__header">
                  <Link className="govuk-link" to={returnPath(collection.code, row.code)}>
                    {pick(t.lang, row, "name")}
                  </Link>
                </th>
                <td className="govuk-table__cell">
                  <strong className="govuk-tag govuk-tag--blue">{t(`returnStatus.${boardStatusOf(row)}`)}</strong>
                  {row.overdue ? <strong className="govuk-tag govuk-tag--red">{t("board.count.overdue")}</strong> : null}
                  {row.changedAfterAcceptance ? (
                    <strong className="govuk-tag govuk-tag--orange">{t("board.changedAfterAcceptance")}</strong>
                  ) : null}
                </td>
                <td className="govuk-table__cell">
                  {row.submittedAt ? `${row.submittedByName ?? row.signedOffName}, ${formatDateTime(t.lang, row.submittedAt)}` : "–"}
                </td>
                <td className="govuk-table__cell">{row.lastActivity ? formatDateTime(t.lang, row.lastActivity) : "–"}</td>
                <td className="govuk-table__cell app-numeric">{row.openQueries}</td>
                <td className="govuk-table__cell app-numeric">
                  {t("board.filledOf", { filled: row.filled, total: collection.itemCount })}
                  {row.filled > 0 ? (
                    <span className="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0">
                      {[
                        t("board.figures", { count: row.figures }),
                        ...(row.filled > row.figures ? [t("board.reasons", { count: row.filled - row.figures })] : []),
                      ].join(", ")}
                    </span>
                  ) : null}
                </td>
                <td className="govuk-table__cell">
                  {collection.status === "open" && !row.submittedVersion ? (
                    <form method="post" action={`/collections/${collection.code}/chase/${row.code}`}>
                      <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
                      <button
                        type="submit"
                        className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                        data-module="govuk-button"
                      >
                        {t("board.chase")}
                        <span className="govuk-visually-hidden"> {pick(t.lang, row, "name")}</span>
                      </button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </>
  );
}
