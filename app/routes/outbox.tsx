import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { NotificationBanner, Table } from "#app/components/govuk.tsx";
import { composeReminders } from "#app/models/notification.server.ts";
import { idempotencyKey, listOutbox, listUncertain, OUTBOX_PAGE_SIZE, sendPending } from "#app/models/outbox.server.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { UNCERTAIN_DECISIONS } from "#app/schema/outbox.ts";
import { guard } from "#app/auth/guard.server.ts";
import { may } from "#app/auth/policy.ts";
import { CSRF_FIELD, field, readForm } from "#app/web/forms.ts";
import { formatDateTime } from "#app/i18n/i18n.ts";
import { deliverInBackground, mailTransport, publicBaseUrl } from "#app/email/mailer.server.ts";
import { pageTitle } from "#app/web/meta.ts";
import { readConfig } from "#app/config.server.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("outbox.title"));

const DUE_SOON_DAYS = 7;

const UNCERTAIN_COLUMNS = [
  "outbox.uncertain.handedOver",
  "outbox.to",
  "outbox.subject",
  "outbox.uncertain.reference",
  "outbox.uncertain.decision",
] as const;

/** How many were queued or sent, from the address the last action redirected to; null if none. */
function countParam(url: URL, name: string) {
  const value = url.searchParams.get(name);
  return value !== null && /^\d{1,6}$/.test(value) ? Number(value) : null;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db } = await guard("routes/outbox", "loader", { request, params });
  const emails = await listOutbox(db);
  const uncertain = await listUncertain(db);
  const url = new URL(request.url);
  const sent = countParam(url, "sent");
  const failed = countParam(url, "failed");
  const uncertainAfterSending = countParam(url, "uncertain") ?? 0;
  const decided = url.searchParams.get("decided");
  return {
    decided: decided === null ? null : (UNCERTAIN_DECISIONS.find((d) => d === decided) ?? ("none" as const)),
    uncertain: uncertain.map((email) => ({
      id: email.id,
      to_email: email.to_email,
      subject: email.subject,
      language: email.language,
      handed_over_at: email.handed_over_at,
      reference: idempotencyKey(email),
    })),
    csrfToken: user.csrfToken,
    canSend: mailTransport() !== null,
    dueSoonDays: DUE_SOON_DAYS,
    composed: countParam(url, "composed"),
    delivery: sent !== null && failed !== null ? { sent, failed, uncertain: uncertainAfterSending } : null,
    retried: countParam(url, "retried"),
    // Only the latest page is shown; say so when there may be more.
    showingLatest: emails.length === OUTBOX_PAGE_SIZE ? OUTBOX_PAGE_SIZE : null,
    emails: emails.map((email) => ({
      ...email,
      // An invitation's link sets a password: only an admin, who could invite anyone anyway, reads it.
      // A forgotten-password link sets the password of an account someone already uses: nobody reads it here.
      body: email.kind === "password_reset" ? null : email.kind === "invitation" && !may(user, "manageAccounts") ? null : email.body,
      hiddenBody: email.kind === "password_reset" ? ("outbox.hiddenResetBody" as const) : ("outbox.hiddenBody" as const),
    })),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, db } = await guard("routes/outbox", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const intent = field(form, "intent");
  if (intent === "compose") {
    const { queued } = await composeReminders(db, { dueSoonDays: DUE_SOON_DAYS, baseUrl: publicBaseUrl(), actorUserId: user.id });
    if (queued > 0) deliverInBackground();
    throw redirect(`/outbox?composed=${queued}`);
  }
  const transport = mailTransport();
  if (intent === "send" && transport) {
    const { sent, failed, uncertain } = await sendPending(db, transport, {
      workerId: `outbox-page:${user.id}`,
      leaseMs: readConfig().WORKER_LEASE_SECONDS * 1000,
    });
    throw redirect(`/outbox?sent=${sent}&failed=${failed}&uncertain=${uncertain}`);
  }
  throw redirect("/outbox");
}

export default function Outbox() {
  const data = useLoaderData<typeof loader>();
  const t = useTranslation();
  return (
    <>
      {data.composed !== null ? (
        <NotificationBanner title={t("banner.success")} success>
          <p className="govuk-notification-banner__heading">{t("outbox.composed", { count: data.composed })}</p>
        </NotificationBanner>
      ) : null}
      {data.delivery ? (
        <NotificationBanner
          title={t(data.delivery.failed === 0 && data.delivery.uncertain === 0 ? "banner.success" : "common.important")}
          success={data.delivery.failed === 0 && data.delivery.uncertain === 0}
        >
          <p className="govuk-notification-banner__heading">{t("outbox.sent", data.delivery)}</p>
          {data.delivery.uncertain > 0 ? (
            <p className="govuk-body">{t("outbox.sentUncertain", { count: data.delivery.uncertain })}</p>
          ) : null}
        </NotificationBanner>
      ) : null}
      {data.retried !== null ? (
        <NotificationBanner title={t(data.retried ? "banner.success" : "common.important")} success={data.retried > 0}>
          <p className="govuk-notification-banner__heading">{t(data.retried ? "outbox.retried" : "outbox.notRetried")}</p>
        </NotificationBanner>
      ) : null}
      {data.decided !== null ? (
        <NotificationBanner title={t(data.decided === "none" ? "common.important" : "banner.success")} success={data.decided !== "none"}>
          <p className="govuk-notification-banner__heading">
            {t(data.decided === "none" ? "outbox.notDecided" : `outbox.decided.${data.decided}`)}
          </p>
        </NotificationBanner>
      ) : null}
      <h1 className="govuk-heading-l">{t("outbox.title")}</h1>
      <p className="govuk-body">{t(data.canSend ? "outbox.leadServer" : "outbox.leadNoServer")}</p>
      <form method="post">
        <input type="hidden" name={CSRF_FIELD} value={data.csrfToken} />
        <p className="govuk-body">{t("outbox.composeHint", { days: data.dueSoonDays })}</p>
        <div className="govuk-button-group">
          <button type="submit" name="intent" value="compose" className="govuk-button" data-module="govuk-button">
            {t("outbox.compose")}
          </button>
          {data.canSend ? (
            <button type="submit" name="intent" value="send" className="govuk-button govuk-button--secondary" data-module="govuk-button">
              {t("outbox.send")}
            </button>
          ) : null}
        </div>
      </form>
      {data.uncertain.length > 0 ? (
        <>
          <h2 className="govuk-heading-m">{t("outbox.uncertain.title")}</h2>
          <p className="govuk-body">{t("outbox.uncertain.lead")}</p>
          <Table
            caption={t("outbox.uncertain.caption")}
            captionClassName="govuk-table__caption--s"
            headings={UNCERTAIN_COLUMNS.map((key) => t(key))}
          >
            {data.uncertain.map((email) => (
              <tr key={email.id} className="govuk-table__row">
                <td className="govuk-table__cell">{email.handed_over_at ? formatDateTime(t.lang, email.handed_over_at) : null}</td>
                <td className="govuk-table__cell govuk-!-text-break-word">{email.to_email}</td>
                <td className="govuk-table__cell" lang={email.language ?? undefined}>
                  {email.subject}
                </td>
                <td className="govuk-table__cell govuk-!-text-break-word">
                  <code>{email.reference}</code>
                </td>
                <td className="govuk-table__cell">
                  <form method="post" action={`/outbox/${email.id}/decide`}>
                    <input type="hidden" name={CSRF_FIELD} value={data.csrfToken} />
                    <div className="govuk-button-group govuk-!-margin-bottom-0">
                      {UNCERTAIN_DECISIONS.map((decision) => (
                        <button
                          key={decision}
                          type="submit"
                          name="decision"
                          value={decision}
                          className={`govuk-button ${decision === "send_again" ? "govuk-button--warning" : "govuk-button--secondary"} govuk-!-margin-bottom-0`}
                          data-module="govuk-button"
                        >
                          {t(`outbox.decision.${decision}`)}
                          <span className="govuk-visually-hidden">: {t(`outbox.decision.${decision}.for`, { to: email.to_email })}</span>
                        </button>
                      ))}
                    </div>
                  </form>
                </td>
              </tr>
            ))}
          </Table>
        </>
      ) : null}
      {data.emails.length === 0 ? (
        <p className="govuk-body">{t("outbox.none")}</p>
      ) : (
        <Table
          caption={t("outbox.caption")}
          captionClassName="govuk-table__caption--m"
          headings={[t("outbox.created"), t("outbox.kind"), t("outbox.to"), t("outbox.subject"), t("outbox.state")]}
        >
          {data.emails.map((email) => (
            <tr key={email.id} className="govuk-table__row">
              <td className="govuk-table__cell">{formatDateTime(t.lang, email.created_at)}</td>
              <td className="govuk-table__cell">{t(`outbox.kind.${email.kind}`)}</td>
              <td className="govuk-table__cell govuk-!-text-break-word">{email.to_email}</td>
              <td className="govuk-table__cell">
                <span lang={email.language ?? undefined}>{email.subject}</span>
                <details className="govuk-details govuk-!-margin-top-2 govuk-!-margin-bottom-0">
                  <summary className="govuk-details__summary">
                    <span className="govuk-details__summary-text">{t("outbox.showBody")}</span>
                  </summary>
                  <div className="govuk-details__text">
                    {email.body === null ? (
                      <p className="govuk-body">{t(email.hiddenBody)}</p>
                    ) : (
                      <div className="govuk-body app-preserve-lines govuk-!-text-break-word" lang={email.language ?? undefined}>
                        {email.body}
                      </div>
                    )}
                  </div>
                </details>
              </td>
              <td className="govuk-table__cell">
                {email.sent_at ? (
                  <strong className="govuk-tag govuk-tag--green">
                    {t("outbox.state.sent", { at: formatDateTime(t.lang, email.sent_at) })}
                  </strong>
                ) : email.dead_at ? (
                  <>
                    <strong className="govuk-tag govuk-tag--red">{t("outbox.state.dead")}</strong>
                    <p className="govuk-body-s govuk-!-margin-top-2">
                      {t("outbox.state.deadHint", { attempts: email.attempts, error: email.last_error ?? "" })}
                    </p>
                    <form method="post" action={`/outbox/${email.id}/retry`}>
                      <input type="hidden" name={CSRF_FIELD} value={data.csrfToken} />
                      <button
                        type="submit"
                        className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                        data-module="govuk-button"
                      >
                        {t("outbox.retry")}
                        <span className="govuk-visually-hidden">: {t("outbox.retryFor", { to: email.to_email })}</span>
                      </button>
                    </form>
                  </>
                ) : email.uncertain_at ? (
                  <>
                    <strong className="govuk-tag govuk-tag--yellow">{t("outbox.state.uncertain")}</strong>
                    <p className="govuk-body-s govuk-!-margin-top-2">{t("outbox.state.uncertainHint")}</p>
                  </>
                ) : (
                  <>
                    <strong className="govuk-tag govuk-tag--grey">{t("outbox.state.waiting")}</strong>
                    {email.last_error ? (
                      <p className="govuk-body-s govuk-!-margin-top-2">
                        {t("outbox.state.failed", { error: email.last_error })}{" "}
                        {t("outbox.state.nextAttempt", { at: formatDateTime(t.lang, email.next_attempt_at) })}
                      </p>
                    ) : null}
                  </>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
      {data.showingLatest ? <p className="govuk-body">{t("outbox.recent", { count: data.showingLatest })}</p> : null}
    </>
  );
}
