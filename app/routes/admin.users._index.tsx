import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { NotificationBanner } from "#app/components/govuk.tsx";
import { listUsers, type UserSummary } from "#app/models/account.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import type { Translator } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("accounts.title"));

const DONE = {
  invited: "accounts.done.invited",
  deactivated: "accounts.done.deactivated",
  twoFactorReset: "accounts.done.twoFactorReset",
} as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user: admin, db } = await guard("routes/admin.users._index", "loader", { request, params });
  const done = new URL(request.url).searchParams.get("done");
  return {
    users: await listUsers(db),
    selfId: admin.id,
    done: done === "invited" || done === "deactivated" || done === "twoFactorReset" ? DONE[done] : null,
  };
}

function StatusTag({ t, user }: { t: Translator; user: UserSummary }) {
  if (!user.active) return <strong className="govuk-tag govuk-tag--grey">{t("accounts.status.deactivated")}</strong>;
  if (!user.hasPassword) return <strong className="govuk-tag govuk-tag--yellow">{t("accounts.status.invited")}</strong>;
  return <strong className="govuk-tag govuk-tag--green">{t("accounts.status.active")}</strong>;
}

export default function Accounts() {
  const { users, selfId, done } = useLoaderData<typeof loader>();
  const t = useTranslation();
  return (
    <>
      {done ? (
        <NotificationBanner title={t("banner.success")} success>
          <p className="govuk-notification-banner__heading">{t(done)}</p>
        </NotificationBanner>
      ) : null}
      <h1 className="govuk-heading-l">{t("accounts.title")}</h1>
      <p className="govuk-body">{t("accounts.lead")}</p>
      <Link to="/admin/users/new" className="govuk-button" role="button" draggable={false} data-module="govuk-button">
        {t("accounts.invite")}
      </Link>
      <div className="app-table-wrapper">
        <table className="govuk-table">
          <caption className="govuk-table__caption govuk-table__caption--m">{t("accounts.caption")}</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              <th scope="col" className="govuk-table__header">
                {t("accounts.name")}
              </th>
              <th scope="col" className="govuk-table__header">
                {t("accounts.role")}
              </th>
              <th scope="col" className="govuk-table__header">
                {t("accounts.authority")}
              </th>
              <th scope="col" className="govuk-table__header">
                {t("accounts.status")}
              </th>
              <th scope="col" className="govuk-table__header">
                {t("accounts.actions")}
              </th>
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {users.map((user) => (
              <tr key={user.id} className="govuk-table__row">
                <th scope="row" className="govuk-table__header">
                  {user.name}
                  <br />
                  <span className="govuk-body-s govuk-!-font-weight-regular">{user.email}</span>
                </th>
                <td className="govuk-table__cell">
                  {t(`accounts.role.${user.role}`)}
                  {user.isAdmin ? (
                    <>
                      {" "}
                      <strong className="govuk-tag govuk-tag--purple">{t("accounts.admin")}</strong>
                    </>
                  ) : null}
                </td>
                <td className="govuk-table__cell">
                  {user.authority_en && user.authority_cy ? (t.lang === "cy" ? user.authority_cy : user.authority_en) : null}
                </td>
                <td className="govuk-table__cell">
                  <StatusTag t={t} user={user} />
                  {user.hasTwoFactor ? (
                    <>
                      {" "}
                      <strong className="govuk-tag govuk-tag--blue">{t("accounts.twoFactorOn")}</strong>
                    </>
                  ) : null}
                </td>
                <td className="govuk-table__cell">
                  {user.active && user.id !== selfId ? (
                    <Link className="govuk-link" to={`/admin/users/${user.id}/deactivate`}>
                      {t("accounts.deactivate")}
                      <span className="govuk-visually-hidden"> {user.name}</span>
                    </Link>
                  ) : null}
                  {user.hasTwoFactor && user.id !== selfId ? (
                    <>
                      {user.active ? <br /> : null}
                      <Link className="govuk-link" to={`/admin/users/${user.id}/two-factor`}>
                        {t("accounts.resetTwoFactor")}
                        <span className="govuk-visually-hidden"> {user.name}</span>
                      </Link>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
