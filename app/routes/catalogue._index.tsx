import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, NotificationBanner, SummaryRow } from "#app/components/govuk.tsx";
import { deleteDataItem, itemsInUse, listCatalogue } from "#app/models/catalogue.server.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { may } from "#app/auth/policy.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/web/forms.ts";
import { pick } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("catalogue.title"));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db } = await guard("routes/catalogue._index", "loader", { request, params });
  const [items, inUse] = await Promise.all([listCatalogue(db), itemsInUse(db)]);
  return {
    items: items.map((item) => ({ ...item, inUse: inUse.has(item.code) })),
    mayEdit: may(user, "editCatalogue"),
    csrfToken: user.csrfToken,
    deleted: new URL(request.url).searchParams.get("deleted"),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, db } = await guard("routes/catalogue._index", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const code = field(form, "code");
  const result = await deleteDataItem(db, code, user.id);
  if (!result.ok) return refuseForm(context, { refused: code }, 409);
  throw redirect(`/catalogue?deleted=${encodeURIComponent(code)}`);
}

export default function Catalogue() {
  const { items, mayEdit, csrfToken, deleted } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  return (
    <>
      <ErrorSummary
        title={t("errorSummary.title")}
        errors={actionData?.refused ? [{ href: `#item-${actionData.refused}`, text: t("catalogue.inUse") }] : []}
      />
      {deleted && !actionData ? (
        <NotificationBanner title={t("banner.success")} success>
          <p className="govuk-notification-banner__heading">{t("catalogue.deleted", { code: deleted })}</p>
        </NotificationBanner>
      ) : null}
      <h1 className="govuk-heading-l">{t("catalogue.title")}</h1>
      <p className="govuk-body">{t("catalogue.lead")}</p>
      {mayEdit ? (
        <p className="govuk-body">
          <Link className="govuk-button govuk-!-margin-bottom-0" to="/catalogue/new">
            {t("catalogue.add")}
          </Link>{" "}
          <Link className="govuk-link" to="/denominators">
            {t("denominators.link")}
          </Link>
        </p>
      ) : null}
      {items.map((item) => (
        <div key={item.code} className="govuk-summary-card" id={`item-${item.code}`}>
          <div className="govuk-summary-card__title-wrapper">
            <h2 className="govuk-summary-card__title">{pick(t.lang, item, "label")}</h2>
            {mayEdit && !item.inUse ? (
              <form method="post">
                <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
                <input type="hidden" name="code" value={item.code} />
                <button type="submit" className="govuk-button govuk-button--warning govuk-!-margin-bottom-0" data-module="govuk-button">
                  {t("catalogue.delete")}
                  <span className="govuk-visually-hidden"> {pick(t.lang, item, "label")}</span>
                </button>
              </form>
            ) : null}
          </div>
          <div className="govuk-summary-card__content">
            <dl className="govuk-summary-list">
              <SummaryRow label={t("catalogue.code")}>{item.code}</SummaryRow>
              <SummaryRow label={t("catalogue.definition")}>{pick(t.lang, item, "definition")}</SummaryRow>
              <SummaryRow label={t("catalogue.otherLanguage")} lang={t.lang === "cy" ? "en" : "cy"}>
                {t.lang === "cy" ? item.label_en : item.label_cy}
              </SummaryRow>
              <SummaryRow label={t("catalogue.bounds")}>
                {item.max_value === null
                  ? t("catalogue.boundsFrom", { min: item.min_value })
                  : t("catalogue.boundsRange", { min: item.min_value, max: item.max_value })}
              </SummaryRow>
              {item.age_from !== null || item.age_to !== null ? (
                <SummaryRow label={t("catalogue.ageBand")}>
                  {t("value.ageBand", { from: item.age_from ?? 0, to: item.age_to ?? 120 })}
                </SummaryRow>
              ) : null}
              {item.parent_code ? <SummaryRow label={t("catalogue.parent")}>{item.parent_code}</SummaryRow> : null}
            </dl>
          </div>
        </div>
      ))}
    </>
  );
}
