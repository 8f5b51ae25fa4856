import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { CollectionForm, collectionErrors } from "#app/components/collection-form.tsx";
import { ErrorSummary, NotificationBanner, SummaryRow } from "#app/components/govuk.tsx";
import { listCatalogue } from "#app/models/catalogue.server.ts";
import { setOfficersMayCompare, updateCollection } from "#app/models/collection.server.ts";
import { nextStep } from "#app/domain/round.ts";
import { validateCollection, type CollectionProblems } from "#app/schema/collection-form.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { collectionToInput, readCollectionForm } from "#app/web/collection-form.server.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/web/forms.ts";
import { formatDate, pick, type MessageKey } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => (data ? `${t("design.title")}: ${pick(t.lang, data.collection, "title")}` : t("notFound.title")));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, collection } = await guard("routes/collections.$code.design", "loader", { request, params });
  return {
    collection,
    catalogue: await listCatalogue(db),
    input: collectionToInput(collection),
    csrfToken: user.csrfToken,
    saved: new URL(request.url).searchParams.get("saved"),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, db, collection } = await guard("routes/collections.$code.design", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const here = `/collections/${collection.code}/design`;
  const intent = field(form, "intent");
  if (intent === "compare") {
    await setOfficersMayCompare(db, collection, field(form, "officersMayCompare") === "yes", user.id);
    throw redirect(`${here}?saved=compare`);
  }
  const catalogue = (await listCatalogue(db)).map((i) => i.code);
  const input = { ...readCollectionForm(form, catalogue), code: collection.code };
  // "Add another rule": the form comes back as entered, with a new empty rule row; nothing is saved or checked yet.
  if (intent === "addRule") return { input, problems: {} as CollectionProblems, refusal: null };
  const checked = validateCollection(input, catalogue);
  if (!checked.ok) return refuseForm(context, { input, problems: checked.problems, refusal: null });
  const result = await updateCollection(db, collection, checked.draft, user.id);
  if (!result.ok) {
    const refusal: MessageKey = result.reason === "hasSubmittedData" ? "design.refused.submittedData" : "design.refused.status";
    return refuseForm(context, { input, problems: {} as CollectionProblems, refusal }, 409);
  }
  throw redirect(`${here}?saved=details`);
}

const SAVED = {
  publish: "design.published",
  close: "design.closed",
  reopen: "design.reopened",
  compare: "design.compare.saved",
  details: "design.saved",
} as const satisfies Record<string, MessageKey>;
const STEP_HINT = { publish: "design.publishHint", close: "design.closeHint", reopen: "design.reopenHint" } as const;
const STEP_LABEL = { publish: "design.publish", close: "design.close", reopen: "design.reopen" } as const;

export default function DesignCollection() {
  const { collection, catalogue, input, csrfToken, saved } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const problems = actionData?.problems ?? {};
  const step = nextStep(collection.status);
  const errors = [
    ...collectionErrors(t, problems, catalogue),
    ...(actionData?.refusal ? [{ href: "#details", text: t(actionData.refusal) }] : []),
  ];
  return (
    <>
      <ErrorSummary title={t("errorSummary.title")} errors={errors} />
      {saved && !actionData ? (
        <NotificationBanner title={t("banner.success")} success>
          <p className="govuk-notification-banner__heading">{t(SAVED[saved as keyof typeof SAVED] ?? "design.saved")}</p>
        </NotificationBanner>
      ) : null}
      <span className="govuk-caption-l">{t("design.title")}</span>
      <h1 className="govuk-heading-l">{pick(t.lang, collection, "title")}</h1>
      <dl className="govuk-summary-list">
        <SummaryRow label={t("collection.field.status")}>
          <strong className="govuk-tag">{t(`collection.status.${collection.status}`)}</strong>
        </SummaryRow>
        <SummaryRow label={t("collection.field.opensOn")}>{formatDate(t.lang, collection.opens_on)}</SummaryRow>
        <SummaryRow label={t("collection.field.dueOn")}>{formatDate(t.lang, collection.due_on)}</SummaryRow>
      </dl>
      <ul className="govuk-list">
        <li>
          <Link className="govuk-link" to={`/collections/${collection.code}/preview`}>
            {t("design.preview")}
          </Link>
        </li>
        {collection.status !== "draft" ? (
          <li>
            <Link className="govuk-link" to={`/collections/${collection.code}/board`}>
              {t("board.link")}
            </Link>
          </li>
        ) : null}
        <li>
          <Link className="govuk-link" to={`/collections/new?from=${collection.code}`}>
            {t("design.copy")}
          </Link>
        </li>
      </ul>
      <p className="govuk-body">{t(STEP_HINT[step])}</p>
      <Link
        to={`/collections/${collection.code}/status`}
        role="button"
        draggable={false}
        className={`govuk-button${step === "close" ? " govuk-button--warning" : step === "reopen" ? " govuk-button--secondary" : ""}`}
        data-module="govuk-button"
      >
        {t(STEP_LABEL[step])}
      </Link>
      <form method="post" className="govuk-!-margin-bottom-6">
        <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
        <div className="govuk-form-group">
          <fieldset className="govuk-fieldset" aria-describedby="compare-hint">
            <legend className="govuk-fieldset__legend govuk-fieldset__legend--m">{t("design.compare.title")}</legend>
            <div id="compare-hint" className="govuk-hint">
              {t("design.compare.hint")}
            </div>
            <div className="govuk-checkboxes govuk-checkboxes--small">
              <div className="govuk-checkboxes__item">
                <input
                  className="govuk-checkboxes__input"
                  id="officersMayCompare"
                  name="officersMayCompare"
                  type="checkbox"
                  value="yes"
                  defaultChecked={collection.officers_may_compare}
                />
                <label className="govuk-label govuk-checkboxes__label" htmlFor="officersMayCompare">
                  {t("design.compare.label")}
                </label>
              </div>
            </div>
          </fieldset>
        </div>
        <button type="submit" name="intent" value="compare" className="govuk-button govuk-button--secondary" data-module="govuk-button">
          {t("design.compare.save")}
        </button>
      </form>
      <h2 className="govuk-heading-m" id="details">
        {t("design.details")}
      </h2>
      {collection.status === "closed" ? (
        <p className="govuk-body">{t("design.refused.status")}</p>
      ) : (
        <CollectionForm
          t={t}
          csrfToken={csrfToken}
          catalogue={catalogue}
          input={actionData?.input ?? input}
          problems={problems}
          codeEditable={false}
          submitLabel={t("design.save")}
        />
      )}
    </>
  );
}
