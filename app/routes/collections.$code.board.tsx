import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { boardCounts, completenessBoard, lastChase } from "#app/models/board.server.ts";
import { findAuthority } from "#app/models/authority.server.ts";
import { BOARD_STATUSES, boardSearch, boardStatusOf, filterBoard, readBoardFilter, type BoardSort } from "#app/domain/board.ts";
import { guard } from "#app/auth/guard.server.ts";
import { NotificationBanner } from "#app/components/govuk.tsx";
import { formatDate, formatDateTime, pick, type MessageKey } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { returnPath } from "#app/web/return-form.ts";
import { daysBetween, todayInWales } from "#app/domain/dates.ts";
import { WrittenText } from "#app/components/written-text.tsx";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => (data ? `${t("board.title")}: ${pick(t.lang, data.collection, "title")}` : t("notFound.title")));

const CHASE_REFUSALS = ["notOpen", "submitted", "noOfficers"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, collection } = await guard("routes/collections.$code.board", "loader", { request, params });
  const today = todayInWales();
  const rows = await completenessBoard(db, { collectionId: collection.id, today });
  const url = new URL(request.url);
  const regions = [
    ...new Map(rows.map((r) => [r.region_code, { code: r.region_code, name_en: r.region_en, name_cy: r.region_cy }])).values(),
  ];
  const filter = readBoardFilter(
    url.searchParams,
    regions.map((r) => r.code),
  );
  // After "Send a chase": what was sent, to whom (or why nothing was).
  const chasedAuthority = url.searchParams.get("chased") ? await findAuthority(db, url.searchParams.get("chased") ?? "") : null;
  const refusal = url.searchParams.get("refused");
  const chased = chasedAuthority
    ? {
        authority: chasedAuthority,
        refused: (CHASE_REFUSALS as readonly string[]).includes(refusal ?? "") ? (refusal as (typeof CHASE_REFUSALS)[number]) : null,
        chase: await lastChase(db, collection.id, chasedAuthority.code),
      }
    : null;
  return {
    collection: {
      code: collection.code,
      title_en: collection.title_en,
      title_cy: collection.title_cy,
      status: collection.status,
      opens_on: collection.opens_on,
      due_on: collection.due_on,
      itemCount: collection.items.length,
    },
    counts: boardCounts(rows),
    rows: filterBoard(rows, filter, user.language),
    regions,
    filter,
    today,
    accepted: Number(url.searchParams.get("accepted")) || 0,
    chased,
  };
}

const SORTABLE: { sort: BoardSort; label: MessageKey }[] = [
  { sort: "authority", label: "collection.authorities.authority" },
  { sort: "region", label: "board.filter.region" },
  { sort: "status", label: "collection.field.status" },
];

/** One of the board's filters: a choice of its options, or all of them (the empty value). */
function BoardFilter({
  name,
  label,
  all,
  value,
  options,
}: {
  name: string;
  label: string;
  all: string;
  value: string | null | undefined;
  options: { value: string; text: string }[];
}) {
  return (
    <div className="govuk-form-group app-inline-field">
      <label className="govuk-label" htmlFor={name}>
        {label}
      </label>
      <select className="govuk-select" id={name} name={name} defaultValue={value ?? ""}>
        <option value="">{all}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.text}
          </option>
        ))}
      </select>
    </div>
  );
}

export default function Board() {
  const { collection, counts, rows, regions, filter, today, accepted, chased } = useLoaderData<typeof loader>();
  const t = useTranslation();
  const daysToDue = daysBetween(today, collection.due_on);
  const here = `/collections/${collection.code}/board`;
  const sortHeader = (sort: BoardSort, label: string, className = "govuk-table__header") => {
    const current = filter.sort === sort;
    const dir = current && filter.dir === "asc" ? "desc" : "asc";
    return (
      <th
        key={sort}
        scope="col"
        className={`${className} app-sortable`}
        aria-sort={current ? (filter.dir === "asc" ? "ascending" : "descending") : "none"}
      >
        <Link className="govuk-link app-sortable__link" to={boardSearch(filter, { sort, dir }) || "?"}>
          {label}
          <span className="app-sortable__arrow" aria-hidden="true">
            {current ? (filter.dir === "asc" ? "\u00a0▲" : "\u00a0▼") : "\u00a0▲▼"}
          </span>
        </Link>
      </th>
    );
  };
  const chaseSent = chased?.chase && !chased.refused;
  // The check page's way back to the board as it is now (its filters and sort).
  const chasePath = (authorityCode: string) =>
    `/collections/${collection.code}/chase/${authorityCode}${boardSearch(filter) ? `?${new URLSearchParams({ returnTo: `${here}${boardSearch(filter)}` })}` : ""}`;
  return (
    <>
      {accepted > 0 ? (
        <NotificationBanner title={t("banner.success")} success>
          <p className="govuk-notification-banner__heading">{t("bulk.done", { count: accepted })}</p>
        </NotificationBanner>
      ) : null}
      {chased ? (
        <NotificationBanner title={chaseSent ? t("banner.success") : t("banner.important")} success={Boolean(chaseSent)}>
          <p className="govuk-notification-banner__heading">
            {chased.refused
              ? t(`board.chaseRefused.${chased.refused}`, { authority: pick(t.lang, chased.authority, "name") })
              : chased.chase && chased.chase.queued > 0
                ? t("board.chaseSent", {
                    authority: pick(t.lang, chased.authority, "name"),
                    recipients: chased.chase.recipients.join(", "),
                  })
                : t("board.chaseAlreadySent", { authority: pick(t.lang, chased.authority, "name") })}
          </p>
          {chaseSent && chased.chase?.subject ? (
            <p className="govuk-body">{t("board.chaseSubject", { subject: chased.chase.subject })}</p>
          ) : null}
        </NotificationBanner>
      ) : null}
      <span className="govuk-caption-l">{pick(t.lang, collection, "title")}</span>
      <h1 className="govuk-heading-l">{t("board.title")}</h1>
      <p className="govuk-body">
        {t("board.opensOn", { date: formatDate(t.lang, collection.opens_on) })} {t("collection.field.dueOn")}:{" "}
        {formatDate(t.lang, collection.due_on)}.{" "}
        {collection.status === "closed"
          ? t("board.closed", { date: formatDate(t.lang, collection.due_on) })
          : daysToDue >= 0
            ? t("home.daysLeft", { count: daysToDue })
            : t("home.overdue", { count: -daysToDue })}
      </p>
      <ul className="govuk-list app-board-counts">
        {BOARD_STATUSES.map((status) => (
          <li key={status}>
            <Link
              className="govuk-link"
              to={boardSearch(filter, { status: filter.status === status ? null : status }) || "?"}
              aria-current={filter.status === status ? "true" : undefined}
            >
              <span className="govuk-!-font-weight-bold govuk-!-font-size-36 govuk-!-display-block">{counts[status]}</span>
              {t(`board.count.${status}`)}
            </Link>
          </li>
        ))}
      </ul>
      <form method="get" className="app-board-filter">
        <BoardFilter
          name="status"
          label={t("board.filter.status")}
          all={t("board.filter.all")}
          value={filter.status}
          options={BOARD_STATUSES.map((status) => ({ value: status, text: t(`board.count.${status}`) }))}
        />
        <BoardFilter
          name="region"
          label={t("board.filter.region")}
          all={t("board.filter.all")}
          value={filter.region}
          options={regions.map((region) => ({ value: region.code, text: pick(t.lang, region, "name") }))}
        />
        {filter.sort !== "authority" ? <input type="hidden" name="sort" value={filter.sort} /> : null}
        {filter.dir !== "asc" ? <input type="hidden" name="dir" value={filter.dir} /> : null}
        <button type="submit" className="govuk-button govuk-button--secondary" data-module="govuk-button">
          {t("board.filter.apply")}
        </button>
      </form>
      <ul className="govuk-list">
        <li>
          <a className="govuk-link" href={`/collections/${collection.code}/chase-list.csv${boardSearch(filter)}`}>
            {t(filter.status || filter.region ? "board.chaseListFiltered" : "board.chaseList")}
          </a>
        </li>
        {counts.submitted > 0 ? (
          <li>
            <Link className="govuk-link" to={`/collections/${collection.code}/accept`}>
              {t("bulk.link")}
            </Link>
          </li>
        ) : null}
      </ul>
      {rows.length === 0 ? (
        <p className="govuk-body">{t("board.noneMatch")}</p>
      ) : (
        <table className="govuk-table govuk-!-font-size-16 app-responsive-table app-board-table">
          <caption className="govuk-table__caption govuk-table__caption--m">
            {t("board.tableCaption", {
              count: rows.length,
              total: counts.notStarted + counts.draft + counts.submitted + counts.queried + counts.accepted,
            })}
          </caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              {SORTABLE.map(({ sort, label }) => sortHeader(sort, t(label)))}
              <th scope="col" className="govuk-table__header">
                {t("board.submittedBy")}
              </th>
              {sortHeader("lastActivity", t("board.lastActivity"))}
              {sortHeader("lastChased", t("board.lastChased"))}
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
            {rows.map((row) => (
              <tr key={row.code} className="govuk-table__row">
                <th scope="row" className="govuk-table__header" data-label={t("collection.authorities.authority")}>
                  <Link className="govuk-link" to={returnPath(collection.code, row.code)}>
                    {pick(t.lang, row, "name")}
                  </Link>
                </th>
                <td className="govuk-table__cell" data-label={t("board.filter.region")}>
                  {pick(t.lang, { name_en: row.region_en, name_cy: row.region_cy }, "name")}
                </td>
                <td className="govuk-table__cell" data-label={t("collection.field.status")}>
                  <span className="app-with-tag">
                    <strong className="govuk-tag govuk-tag--blue">{t(`returnStatus.${boardStatusOf(row)}`)}</strong>
                    {row.overdue ? <strong className="govuk-tag govuk-tag--red">{t("board.count.overdue")}</strong> : null}
                    {row.changedAfterAcceptance ? (
                      <strong className="govuk-tag govuk-tag--orange">{t("board.changedAfterAcceptance")}</strong>
                    ) : null}
                  </span>
                </td>
                <td className="govuk-table__cell" data-label={t("board.submittedBy")}>
                  {row.submittedAt ? (
                    <>
                      {row.submittedByName ?? <WrittenText t={t} text={row.signedOffName ?? ""} lang={row.signedOffLang} />},{" "}
                      {formatDateTime(t.lang, row.submittedAt)}
                    </>
                  ) : (
                    "–"
                  )}
                </td>
                <td className="govuk-table__cell" data-label={t("board.lastActivity")}>
                  {row.lastActivity ? formatDateTime(t.lang, row.lastActivity) : "–"}
                </td>
                <td className="govuk-table__cell" data-label={t("board.lastChased")}>
                  {row.lastChasedAt
                    ? t("board.chasedBy", {
                        at: formatDateTime(t.lang, row.lastChasedAt),
                        name: row.lastChasedBy ?? t("board.chasedByPortal"),
                      })
                    : "–"}
                </td>
                <td className="govuk-table__cell app-numeric" data-label={t("board.openQueries")}>
                  {row.openQueries}
                </td>
                <td className="govuk-table__cell app-numeric" data-label={t("board.filled")}>
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
                <td className="govuk-table__cell" data-label={t("board.actions")}>
                  {collection.status === "open" && !row.submittedVersion ? (
                    // A link to the check page, which shows who the chase goes to and what it says before it is sent.
                    <Link className="govuk-link" to={chasePath(row.code)}>
                      {t("board.chase")}
                      <span className="govuk-visually-hidden"> {pick(t.lang, row, "name")}</span>
                    </Link>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
