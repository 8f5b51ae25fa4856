import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, NotificationBanner, Textarea } from "#app/components/govuk.tsx";
import {
  type FigureWords,
  figureNamed,
  publicationOf,
  publishStatistics,
  returnsAwaitingAcceptance,
  withdrawStatistics,
} from "#app/models/statistics.server.ts";
import { figureInWords } from "#app/components/figure-words.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/web/forms.ts";
import { formatDateTime, pick, sortForDisplay, type MessageKey } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => (data ? `${t("statistics.publish.title")}: ${pick(t.lang, data.collection, "title")}` : t("notFound.title")));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, collection } = await guard("routes/collections.$code.statistics", "loader", { request, params });
  const [publication, awaitingAcceptance] = await Promise.all([
    publicationOf(db, collection.id),
    returnsAwaitingAcceptance(db, collection.id),
  ]);
  return {
    collection: { code: collection.code, title_en: collection.title_en, title_cy: collection.title_cy, status: collection.status },
    smallCountMax: collection.rules.smallCountMax,
    publishedAt: publication?.published_at ?? null,
    awaitingAcceptance: sortForDisplay(user.language, awaitingAcceptance, (authority) => pick(user.language, authority, "name")),
    csrfToken: user.csrfToken,
    saved: new URL(request.url).searchParams.get("saved"),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, db, reader, collection } = await guard("routes/collections.$code.statistics", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const intent = field(form, "intent");
  const here = `/collections/${collection.code}/statistics`;
  if (intent === "publish") {
    const result = await publishStatistics(db, reader, collection, user.id);
    if (!result.ok && result.reason === "cannotProtect") {
      const figure = await figureNamed(db, collection, result.figure);
      return refuseForm(context, { problem: "disclosure.refused.cannotProtect" as MessageKey, figure }, 409);
    }
    if (!result.ok) return refuseForm(context, { problem: `statistics.refused.${result.reason}` as MessageKey }, 409);
    throw redirect(`${here}?saved=published`);
  }
  if (intent === "withdraw") {
    const reason = field(form, "reason").trim();
    if (reason.length === 0 || reason.length > 2000)
      return refuseForm(context, { problem: "statistics.withdraw.reasonMissing" as MessageKey });
    const result = await withdrawStatistics(db, collection, user.id, reason);
    if (!result.ok) return refuseForm(context, { problem: `statistics.refused.${result.reason}` as MessageKey }, 409);
    throw redirect(`${here}?saved=withdrawn`);
  }
  return refuseForm(context, { problem: "statistics.refused.intent" as MessageKey });
}

export default function PublishStatistics() {
  const { collection, smallCountMax, publishedAt, awaitingAcceptance, csrfToken, saved } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const problem = actionData?.problem;
  // The figure a refused release would have given away, when that is why.
  const figure = actionData && "figure" in actionData ? (actionData.figure as FigureWords | null) : null;
  const problemText = problem ? t(problem, figure ? { figure: figureInWords(t, figure) } : {}) : null;
  const publicPath = `/statistics/${collection.code}`;
  return (
    <>
      {problem ? (
        <ErrorSummary title={t("errorSummary.title")} errors={[{ href: publishedAt ? "#reason" : "#publish", text: problemText ?? "" }]} />
      ) : null}
      {saved === "published" || saved === "withdrawn" ? (
        <NotificationBanner title={t("banner.success")} success>
          <p className="govuk-notification-banner__heading">{t(saved === "published" ? "statistics.published" : "statistics.withdrawn")}</p>
        </NotificationBanner>
      ) : null}
      <span className="govuk-caption-l">{pick(t.lang, collection, "title")}</span>
      <h1 className="govuk-heading-l">{t("statistics.publish.title")}</h1>
      {publishedAt ? (
        <>
          <p className="govuk-body">
            {t("statistics.publish.isPublished", { when: formatDateTime(t.lang, new Date(publishedAt)) })}{" "}
            <Link className="govuk-link" to={publicPath}>
              {t("statistics.publish.view")}
            </Link>
          </p>
          <h2 className="govuk-heading-m">{t("statistics.withdraw.title")}</h2>
          <p className="govuk-body">{t("statistics.withdraw.what")}</p>
          <form method="post" noValidate>
            <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
            <input type="hidden" name="intent" value="withdraw" />
            <Textarea
              name="reason"
              id="reason"
              label={t("statistics.withdraw.reason")}
              error={problem === "statistics.withdraw.reasonMissing" ? t(problem) : undefined}
              errorPrefix={t("page.errorPrefix")}
            />
            <button type="submit" className="govuk-button govuk-button--warning" data-module="govuk-button">
              {t("statistics.withdraw.button")}
            </button>
          </form>
        </>
      ) : collection.status !== "closed" ? (
        <p className="govuk-body">{t("statistics.publish.notClosed")}</p>
      ) : awaitingAcceptance.length > 0 ? (
        <>
          <p className="govuk-body" id="publish">
            {t("statistics.publish.notAccepted")}
          </p>
          <ul className="govuk-list govuk-list--bullet">
            {awaitingAcceptance.map((authority) => (
              <li key={authority.code}>
                <Link className="govuk-link" to={`/returns/${collection.code}/${authority.code}`}>
                  {pick(t.lang, authority, "name")}
                </Link>
                {authority.amending ? `: ${t("statistics.publish.amending")}` : null}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <>
          <p className="govuk-body">{t("statistics.publish.what")}</p>
          <ul className="govuk-list govuk-list--bullet">
            <li>{t("statistics.publish.what.public", { path: publicPath })}</li>
            <li>{t("statistics.publish.what.suppressed", { max: smallCountMax })}</li>
            <li>{t("statistics.publish.what.fixed")}</li>
            <li>{t("statistics.publish.what.audited")}</li>
          </ul>
          <form method="post" noValidate>
            <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
            <input type="hidden" name="intent" value="publish" />
            <button type="submit" id="publish" className="govuk-button" data-module="govuk-button">
              {t("statistics.publish.button")}
            </button>
          </form>
        </>
      )}
    </>
  );
}
