import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { NotificationBanner } from "#app/components/govuk.tsx";
import { AccountRows } from "#app/components/account-summary.tsx";
import { listUsers } from "#app/models/account.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("accounts.title"));

const DONE = {
  invited: "accounts.done.invited",
  deactivated: "accounts.done.deactivated",
  deactivatedWithTokens: "accounts.done.deactivatedWithTokens",
  reactivated: "accounts.done.reactivated",
  twoFactorReset: "accounts.done.twoFactorReset",
  twoFactorResetWithTokens: "accounts.done.twoFactorResetWithTokens",
} as const;

const isDone = (value: string | null): value is keyof typeof DONE => value !== null && Object.hasOwn(DONE, value);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user: admin, db } = await guard("routes/admin.users._index", "loader", { request, params });
  const done = new URL(request.url).searchParams.get("done");
  return {
    users: await listUsers(db),
    selfId: admin.id,
    done: isDone(done) ? DONE[done] : null,
  };
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
      <h2 className="govuk-heading-m">{t("accounts.caption")}</h2>
      {/* One summary card per person: a table of accounts scrolled sideways at 320 px (808 px wide). */}
      {users.map((user) => (
        <div key={user.id} className="govuk-summary-card">
          <div className="govuk-summary-card__title-wrapper">
            <h3 className="govuk-summary-card__title">{user.name}</h3>
            <ul className="govuk-summary-card__actions">
              <li className="govuk-summary-card__action">
                <Link className="govuk-link" to={`/admin/users/${user.id}`}>
                  {t("accounts.manage")}
                  <span className="govuk-visually-hidden"> {user.name}</span>
                </Link>
              </li>
            </ul>
          </div>
          <div className="govuk-summary-card__content">
            <AccountRows user={user} isSelf={user.id === selfId} />
          </div>
        </div>
      ))}
    </>
  );
}
