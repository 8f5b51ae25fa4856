import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, Textarea } from "#app/components/govuk.tsx";
import { changeCollectionStatus, roundProgress } from "#app/models/collection.server.ts";
import { nextStep } from "#app/domain/round.ts";
import { publicationOf } from "#app/models/statistics.server.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/web/forms.ts";
import { formatDate, pick, type MessageKey } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) =>
    data ? `${t(`lifecycle.${data.step}.title`)}: ${pick(t.lang, data.collection, "title")}` : t("notFound.title"),
  );

/** The confirmation of the one step the round can take now: publish a draft, close an open round, reopen a closed one. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, collection } = await guard("routes/collections.$code.status", "loader", { request, params });
  const [progress, publication] = await Promise.all([roundProgress(db, collection.id), publicationOf(db, collection.id)]);
  return {
    collection: {
      code: collection.code,
      title_en: collection.title_en,
      title_cy: collection.title_cy,
      opens_on: collection.opens_on,
      due_on: collection.due_on,
    },
    step: nextStep(collection.status),
    progress,
    statisticsPublished: publication !== null,
    csrfToken: user.csrfToken,
  };
}

const REASON_LIMIT = 2000;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, db, collection } = await guard("routes/collections.$code.status", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const step = field(form, "step");
  // The page asked about one step; if the round has moved on since, that step is not taken.
  if (step !== nextStep(collection.status)) return refuseForm(context, { problem: "lifecycle.refused.moved" as MessageKey }, 409);
  let reason: string | null = null;
  if (step === "reopen") {
    reason = field(form, "reason").trim();
    if (!reason) return refuseForm(context, { problem: "lifecycle.reopen.reasonMissing" as MessageKey });
    if (reason.length > REASON_LIMIT) return refuseForm(context, { problem: "lifecycle.reopen.reasonTooLong" as MessageKey });
  }
  const result = await changeCollectionStatus(db, collection, step, user.id, reason);
  if (!result.ok) {
    const problem: MessageKey =
      result.reason === "statisticsPublished" ? "lifecycle.reopen.statisticsPublished" : "lifecycle.refused.moved";
    return refuseForm(context, { problem }, 409);
  }
  throw redirect(`/collections/${collection.code}/design?saved=${step}`);
}

export default function RoundLifecycle() {
  const { collection, step, progress, statisticsPublished, csrfToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const problem = actionData?.problem;
  const dates = { opens: formatDate(t.lang, collection.opens_on), due: formatDate(t.lang, collection.due_on) };
  const consequences: Record<typeof step, string[]> = {
    publish: [
      t("lifecycle.publish.what.officers", { ...dates, count: progress.authorities }),
      t("lifecycle.publish.what.told", dates),
      t("lifecycle.publish.what.design"),
      t("lifecycle.what.audited"),
    ],
    close: [
      t("lifecycle.close.what.officers"),
      t("lifecycle.close.what.told", { count: progress.authorities - progress.submitted }),
      t("lifecycle.close.what.review"),
      t("lifecycle.what.audited"),
    ],
    reopen: [t("lifecycle.reopen.what.officers"), t("lifecycle.reopen.what.told"), t("lifecycle.reopen.what.audited")],
  };
  const blocked = step === "reopen" && statisticsPublished;
  return (
    <>
      {problem ? (
        <ErrorSummary title={t("errorSummary.title")} errors={[{ href: step === "reopen" ? "#reason" : "#confirm", text: t(problem) }]} />
      ) : null}
      <Link className="govuk-back-link" to={`/collections/${collection.code}/design`}>
        {t("design.backToDesign")}
      </Link>
      <span className="govuk-caption-l">{pick(t.lang, collection, "title")}</span>
      <h1 className="govuk-heading-l">{t(`lifecycle.${step}.title`)}</h1>
      {step === "close" ? (
        <p className="govuk-body">{t("lifecycle.close.progress", { submitted: progress.submitted, count: progress.authorities })}</p>
      ) : null}
      {blocked ? (
        <p className="govuk-body">
          {t("lifecycle.reopen.statisticsPublished")}{" "}
          <Link className="govuk-link" to={`/collections/${collection.code}/statistics`}>
            {t("statistics.publish.title")}
          </Link>
        </p>
      ) : (
        <>
          <p className="govuk-body">{t(`lifecycle.${step}.what`)}</p>
          <ul className="govuk-list govuk-list--bullet">
            {consequences[step].map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <form method="post" noValidate>
            <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
            <input type="hidden" name="step" value={step} />
            {step === "reopen" ? (
              <Textarea
                id="reason"
                name="reason"
                label={t("lifecycle.reopen.reason")}
                labelClassName="govuk-label govuk-label--s"
                hint={t("lifecycle.reopen.reasonHint")}
                error={
                  problem === "lifecycle.reopen.reasonMissing" || problem === "lifecycle.reopen.reasonTooLong" ? t(problem) : undefined
                }
                errorPrefix={t("page.errorPrefix")}
              />
            ) : null}
            <div className="govuk-button-group">
              <button
                type="submit"
                id="confirm"
                className={`govuk-button${step === "close" ? " govuk-button--warning" : ""}`}
                data-module="govuk-button"
              >
                {t(`lifecycle.${step}.button`)}
              </button>
              <Link className="govuk-link" to={`/collections/${collection.code}/design`}>
                {t("lifecycle.cancel")}
              </Link>
            </div>
          </form>
        </>
      )}
    </>
  );
}
