import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { NotificationBanner } from "#app/components/govuk.tsx";
import { AccountRows } from "#app/components/account-summary.tsx";
import { accountDetails, resendInvitation } from "#app/models/account.server.ts";
import { endAllSessions } from "#app/models/session.server.ts";
import { notFound, requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { deliverInBackground, publicBaseUrl } from "#app/email/mailer.server.ts";
import { CSRF_FIELD, field, readForm } from "#app/web/forms.ts";
import { userIdOf } from "#app/auth/admin-account.server.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => pageTitle(matches, (t) => data?.user.name ?? t("notFound.title"));

const DONE = { resent: "accounts.done.resent", sessionsEnded: "accounts.done.sessionsEnded" } as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user: admin, db } = await guard("routes/admin.users.$userId._index", "loader", { request, params });
  const user = await accountDetails(db, userIdOf(params));
  if (!user) throw notFound();
  const done = new URL(request.url).searchParams.get("done");
  return {
    user,
    isSelf: user.id === admin.id,
    csrfToken: admin.csrfToken,
    done: done === "resent" || done === "sessionsEnded" ? DONE[done] : null,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user: admin, db } = await guard("routes/admin.users.$userId._index", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(admin, form);
  const user = await accountDetails(db, userIdOf(params));
  if (!user) throw notFound();
  const actor = { userId: admin.id, isAdmin: admin.isAdmin };
  const intent = field(form, "intent");
  if (intent === "resend") {
    const result = await resendInvitation(db, user.id, actor, { baseUrl: publicBaseUrl() });
    if (result.ok) {
      deliverInBackground();
      throw redirect(`/admin/users/${user.id}?done=resent`);
    }
  } else if (intent === "endSessions") {
    await endAllSessions(db, user.id, actor);
    throw redirect(`/admin/users/${user.id}?done=sessionsEnded`);
  }
  // Nothing to do (an invitation already used, an unknown intent): the page as it is now.
  throw redirect(`/admin/users/${user.id}`);
}

export default function Person() {
  const { user, isSelf, csrfToken, done } = useLoaderData<typeof loader>();
  const t = useTranslation();
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <Link to="/admin/users" className="govuk-back-link">
          {t("common.back")}
        </Link>
        {done ? (
          <NotificationBanner title={t("banner.success")} success>
            <p className="govuk-notification-banner__heading">{t(done)}</p>
          </NotificationBanner>
        ) : null}
        <h1 className="govuk-heading-l">{user.name}</h1>
        <AccountRows user={user} isSelf={isSelf} />
        {user.active && !user.hasPassword ? (
          <form method="post" noValidate>
            <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
            <p className="govuk-body">{t("person.resendHint")}</p>
            <button type="submit" name="intent" value="resend" className="govuk-button govuk-button--secondary" data-module="govuk-button">
              {t("person.resend")}
            </button>
          </form>
        ) : null}
        {user.liveSessions > 0 && !isSelf ? (
          <form method="post" noValidate>
            <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
            <p className="govuk-body">{t("person.endSessionsHint")}</p>
            <button
              type="submit"
              name="intent"
              value="endSessions"
              className="govuk-button govuk-button--warning"
              data-module="govuk-button"
            >
              {t("person.endSessions")}
            </button>
          </form>
        ) : null}
      </div>
    </div>
  );
}
