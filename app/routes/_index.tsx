import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listAllCollections, listCollections } from "#app/models/collection.server.ts";
import { returnsForAuthority } from "#app/models/return.server.ts";
import { findAuthority } from "#app/models/authority.server.ts";
import { itemLabels } from "#app/models/catalogue.server.ts";
import { openQueriesForAuthority } from "#app/models/value-query.server.ts";
import { queueSize, waitingForCoordinator } from "#app/models/desk.server.ts";
import { DeskQueue } from "#app/components/desk-queue.tsx";
import { NotificationList } from "#app/components/notification-list.tsx";
import { recentNotifications } from "#app/models/notification.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { may } from "#app/auth/policy.ts";
import { formatDate, formatDateTime, pick, type Translator } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { returnPath } from "#app/web/return-form.ts";
import { daysBetween, todayInWales } from "#app/domain/dates.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { Table } from "#app/components/govuk.tsx";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => t(data?.officer ? "home.officer.title" : "home.title"));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, reader } = await guard("routes/_index", "loader", { request, params });
  if (user.role === "officer") {
    const authorityCode = user.authorityCode!;
    const [authority, returns, queries, notifications] = await Promise.all([
      findAuthority(db, authorityCode),
      returnsForAuthority(db, authorityCode),
      openQueriesForAuthority(db, authorityCode),
      recentNotifications(db, user.id),
    ]);
    const labels = await itemLabels(db, [...new Set(queries.map((q) => q.item_code))]);
    return {
      officer: { authority: authority!, returns, queries, labels, today: todayInWales() },
      notifications,
      mayDesign: false,
      mayRunRounds: false,
      collections: [],
      queue: null,
    };
  }
  const mayDesign = may(user, "designCollections");
  // The coordinator lands on what is waiting for them.
  const queue = may(user, "reviewReturns") ? await waitingForCoordinator(db, reader, { today: todayInWales() }) : null;
  return {
    officer: null,
    notifications: await recentNotifications(db, user.id),
    mayDesign,
    mayRunRounds: may(user, "runRounds"),
    queue: queue ? { entries: queue, total: queueSize(queue) } : null,
    // Drafts are for those who design collections.
    collections: await (mayDesign ? listAllCollections(db) : listCollections(db)),
  };
}

function DueIn({ t, today, dueOn }: { t: Translator; today: string; dueOn: string }) {
  const days = daysBetween(today, dueOn);
  if (days < 0) return <strong className="govuk-tag govuk-tag--red">{t("home.overdue", { count: -days })}</strong>;
  if (days === 0) return <strong className="govuk-tag govuk-tag--orange">{t("home.dueToday")}</strong>;
  return <span>{t("home.daysLeft", { count: days })}</span>;
}

export default function Home() {
  const data = useLoaderData<typeof loader>();
  const t = useTranslation();
  if (data.officer) {
    const { authority, returns, queries, labels, today } = data.officer;
    const open = returns.filter((r) => r.collectionStatus === "open");
    const closed = returns.filter((r) => r.collectionStatus === "closed");
    return (
      <>
        <span className="govuk-caption-l">{pick(t.lang, authority, "name")}</span>
        <h1 className="govuk-heading-l">{t("home.officer.title")}</h1>
        {queries.length > 0 ? (
          <div className="govuk-notification-banner" role="region" aria-labelledby="queries-banner-title">
            <div className="govuk-notification-banner__header">
              <h2 className="govuk-notification-banner__title" id="queries-banner-title">
                {t("home.officer.queries")}
              </h2>
            </div>
            <div className="govuk-notification-banner__content">
              <ul className="govuk-list">
                {queries.map((q) => (
                  <li key={q.id}>
                    <Link className="govuk-notification-banner__link" to={`${returnPath(q.collectionCode, authority.code)}#query-${q.id}`}>
                      {t("home.officer.queryOn", {
                        item: labels[q.item_code] ? pick(t.lang, labels[q.item_code]!, "label") : q.item_code,
                        collection: pick(t.lang, q, "title"),
                      })}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          </div>
        ) : null}
        <NotificationList t={t} notifications={data.notifications} />
        <h2 className="govuk-heading-m">{t("home.officer.open")}</h2>
        {open.length === 0 ? <p className="govuk-body">{t("home.officer.noneOpen")}</p> : null}
        {open.map((r) => (
          <div key={r.code} className="govuk-summary-card">
            <div className="govuk-summary-card__title-wrapper">
              <h3 className="govuk-summary-card__title">
                <Link className="govuk-link" to={returnPath(r.code, authority.code)}>
                  {pick(t.lang, r, "title")}
                </Link>
              </h3>
            </div>
            <div className="govuk-summary-card__content">
              <dl className="govuk-summary-list">
                <div className="govuk-summary-list__row govuk-summary-list__row--no-actions">
                  <dt className="govuk-summary-list__key">{t("home.status")}</dt>
                  <dd className="govuk-summary-list__value">
                    <strong className="govuk-tag govuk-tag--blue">{t(`returnStatus.${r.returnStatus ?? "notStarted"}`)}</strong>
                  </dd>
                </div>
                <div className="govuk-summary-list__row govuk-summary-list__row--no-actions">
                  <dt className="govuk-summary-list__key">{t("collection.field.referenceDate")}</dt>
                  <dd className="govuk-summary-list__value">{formatDate(t.lang, r.reference_date)}</dd>
                </div>
                <div className="govuk-summary-list__row govuk-summary-list__row--no-actions">
                  <dt className="govuk-summary-list__key">{t("collection.field.dueOn")}</dt>
                  <dd className="govuk-summary-list__value">
                    <span className="app-with-tag">
                      <span>{formatDate(t.lang, r.due_on)}</span>
                      {r.returnStatus === null || r.returnStatus === "draft" ? <DueIn t={t} today={today} dueOn={r.due_on} /> : null}
                    </span>
                  </dd>
                </div>
              </dl>
            </div>
          </div>
        ))}
        <h2 className="govuk-heading-m">{t("home.officer.closed")}</h2>
        {closed.length === 0 ? (
          <p className="govuk-body">{t("home.officer.noneClosed")}</p>
        ) : (
          <Table
            caption={t("home.officer.closed")}
            captionClassName="govuk-visually-hidden"
            headings={[t("collection.field.title"), t("collection.field.referenceDate"), t("home.officer.submitted")]}
          >
            {closed.map((r) => (
              <tr key={r.code} className="govuk-table__row">
                <td className="govuk-table__cell">
                  <Link className="govuk-link" to={returnPath(r.code, authority.code)}>
                    {pick(t.lang, r, "title")}
                  </Link>
                  {r.mayCompare ? (
                    <Link className="govuk-link govuk-!-display-block govuk-!-margin-top-1" to={`/collections/${r.code}`}>
                      {t("home.officer.compare")}
                      <span className="govuk-visually-hidden">: {pick(t.lang, r, "title")}</span>
                    </Link>
                  ) : null}
                </td>
                <td className="govuk-table__cell">{formatDate(t.lang, r.reference_date)}</td>
                <td className="govuk-table__cell">
                  {r.submittedAt
                    ? t("home.officer.submittedVersion", {
                        version: r.submittedVersion ?? 0,
                        at: formatDateTime(t.lang, r.submittedAt),
                      })
                    : t("home.officer.noReturn")}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </>
    );
  }
  return (
    <>
      <h1 className="govuk-heading-l">{t("home.title")}</h1>
      <p className="govuk-body-l">{t("home.lead")}</p>
      {data.queue ? <DeskQueue t={t} queue={data.queue.entries} total={data.queue.total} /> : null}
      <NotificationList t={t} notifications={data.notifications} />
      {data.mayDesign ? (
        <Link className="govuk-button" to="/collections/new">
          {t("home.newCollection")}
        </Link>
      ) : null}
      {data.collections.length === 0 ? (
        <p className="govuk-body">{t("home.none")}</p>
      ) : (
        <Table
          caption={t("home.table.caption")}
          captionClassName="govuk-visually-hidden"
          stacked
          headings={[
            t("collection.field.title"),
            t("collection.field.referenceDate"),
            t("collection.field.dueOn"),
            t("collection.field.status"),
          ]}
        >
          {data.collections.map((c) => (
            <tr key={c.code} className="govuk-table__row">
              <td className="govuk-table__cell" data-label={t("collection.field.title")}>
                <Link className="govuk-link" to={`/collections/${c.code}${c.status === "draft" ? "/design" : ""}`}>
                  {pick(t.lang, c, "title")}
                </Link>
                {data.mayRunRounds && c.status !== "draft" ? (
                  <span className="govuk-!-display-block govuk-body-s govuk-!-margin-bottom-0">
                    <Link className="govuk-link" to={`/collections/${c.code}/board`}>
                      {t("board.link")}
                    </Link>{" "}
                    ·{" "}
                    <Link className="govuk-link" to={`/collections/${c.code}/design`}>
                      {t("design.title")}
                    </Link>
                  </span>
                ) : null}
              </td>
              <td className="govuk-table__cell" data-label={t("collection.field.referenceDate")}>
                {formatDate(t.lang, c.reference_date)}
              </td>
              <td className="govuk-table__cell" data-label={t("collection.field.dueOn")}>
                {formatDate(t.lang, c.due_on)}
              </td>
              <td className="govuk-table__cell" data-label={t("collection.field.status")}>
                <strong
                  className={`govuk-tag ${c.status === "open" ? "govuk-tag--green" : c.status === "draft" ? "govuk-tag--yellow" : "govuk-tag--grey"}`}
                >
                  {t(`collection.status.${c.status}`)}
                </strong>
              </td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
