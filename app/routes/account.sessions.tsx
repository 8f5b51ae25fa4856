import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { NotificationBanner, SummaryList } from "#app/components/govuk.tsx";
import { endSession, listSessions } from "#app/models/session.server.ts";
import { clearSessionCookieHeader, requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { CSRF_FIELD, field, readForm } from "#app/web/forms.ts";
import { formatDateTime } from "#app/i18n/i18n.ts";
import { describeDevice } from "#app/web/user-agent.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("sessions.title"));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db } = await guard("routes/account.sessions", "loader", { request, params });
  const sessions = await listSessions(db, user.id);
  return {
    csrfToken: user.csrfToken,
    ended: new URL(request.url).searchParams.get("done") === "ended",
    sessions: sessions.map((session) => ({
      id: session.id,
      device: describeDevice(session.userAgent),
      address: session.address,
      startedAt: session.createdAt,
      lastUsedAt: session.lastUsedAt ?? session.createdAt,
      current: session.id === user.sessionId,
    })),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, db } = await guard("routes/account.sessions", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const ended = await endSession(db, user, field(form, "session"));
  // Ending the session this browser is using is signing out.
  if (ended === "current") throw redirect("/login", { headers: { "Set-Cookie": await clearSessionCookieHeader() } });
  throw redirect(ended === "ended" ? "/account/sessions?done=ended" : "/account/sessions");
}

export default function Sessions() {
  const { csrfToken, ended, sessions } = useLoaderData<typeof loader>();
  const t = useTranslation();
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        {ended ? (
          <NotificationBanner title={t("banner.success")} success>
            <p className="govuk-notification-banner__heading">{t("sessions.done.ended")}</p>
          </NotificationBanner>
        ) : null}
        <h1 className="govuk-heading-l">{t("sessions.title")}</h1>
        <p className="govuk-body">{t("sessions.lead")}</p>
        {sessions.map((session, i) => {
          const device = session.device ? t("sessions.deviceOn", session.device) : t("sessions.unknownDevice");
          return (
            <div key={session.id} className="govuk-summary-card">
              <div className="govuk-summary-card__title-wrapper">
                <h2 className="govuk-summary-card__title app-with-tag">
                  <span>{device}</span>
                  {session.current ? <strong className="govuk-tag govuk-tag--blue">{t("sessions.thisDevice")}</strong> : null}
                </h2>
              </div>
              <div className="govuk-summary-card__content">
                <SummaryList
                  rows={[
                    { key: t("sessions.address"), value: session.address ?? t("sessions.notKnown") },
                    { key: t("sessions.started"), value: formatDateTime(t.lang, session.startedAt) },
                    { key: t("sessions.lastUsed"), value: formatDateTime(t.lang, session.lastUsedAt) },
                  ]}
                />
                <form method="post" noValidate>
                  <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
                  <input type="hidden" name="session" value={session.id} />
                  <button
                    type="submit"
                    id={`end-${i + 1}`}
                    className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                    data-module="govuk-button"
                  >
                    {t("sessions.end")}
                    <span className="govuk-visually-hidden">: {device}</span>
                  </button>
                </form>
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
