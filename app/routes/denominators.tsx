import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, NotificationBanner, ParagraphLink } from "#app/components/govuk.tsx";
import { WorkbookUpload } from "#app/components/workbook-upload.tsx";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { denominatorSource } from "#app/domain/denominators.ts";
import { listDenominators, loadDenominatorTable } from "#app/models/denominator.server.ts";
import { DENOMINATOR_COLUMNS } from "#app/spreadsheets/denominator-table.server.ts";
import { issueText, type UploadIssue } from "#app/spreadsheets/spreadsheet.ts";
import { readUploadForm } from "#app/spreadsheets/upload.server.ts";
import { refuseForm } from "#app/web/forms.ts";
import { pageTitle } from "#app/web/meta.ts";
import { formatNumber, pick } from "#app/i18n/i18n.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("denominators.title"));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db } = await guard("routes/denominators", "loader", { request, params });
  const loaded = new URL(request.url).searchParams.get("loaded");
  return {
    denominators: await listDenominators(db),
    columns: [...DENOMINATOR_COLUMNS],
    loaded: loaded ? loaded.slice(0, 500) : null,
    csrfToken: user.csrfToken,
  };
}

/** A table is loaded whole or refused whole, with every problem found said at once. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, db } = await guard("routes/denominators", "action", { request, params });
  const refuse = (issues: UploadIssue[], status = 400) => refuseForm(context, { issues }, status);
  const upload = await readUploadForm(request);
  if (!upload.ok) return refuse([upload.issue], upload.status);
  requireCsrf(user, upload.form);
  if (!upload.file) return refuse([{ kind: "message", key: "denominators.error.noFile" }]);
  const loaded = await loadDenominatorTable(db, upload.file.bytes, user.id);
  if (!loaded.ok) return refuse(loaded.issues);
  throw redirect(`/denominators?loaded=${encodeURIComponent(loaded.codes.join(" "))}`);
}

export default function Denominators() {
  const { denominators, columns, loaded, csrfToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const texts = (actionData?.issues ?? []).map((issue) => issueText(t, issue, {}));
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-full">
        <ErrorSummary title={t("errorSummary.title")} errors={texts.map((text) => ({ href: "#workbook", text }))} />
        {loaded && !actionData ? (
          <NotificationBanner title={t("banner.success")} success>
            <p className="govuk-notification-banner__heading">{t("denominators.loaded", { codes: loaded })}</p>
          </NotificationBanner>
        ) : null}
        <h1 className="govuk-heading-l">{t("denominators.title")}</h1>
        <p className="govuk-body">{t("denominators.lead")}</p>
        {denominators.length === 0 ? (
          <p className="govuk-body">{t("denominators.none")}</p>
        ) : (
          <table className="govuk-table app-responsive-table">
            <caption className="govuk-table__caption govuk-table__caption--m">{t("denominators.tableCaption")}</caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                <th scope="col" className="govuk-table__header">
                  {t("denominators.column.denominator")}
                </th>
                <th scope="col" className="govuk-table__header">
                  {t("denominators.column.source")}
                </th>
                <th scope="col" className="govuk-table__header">
                  {t("denominators.column.year")}
                </th>
                <th scope="col" className="govuk-table__header govuk-table__header--numeric">
                  {t("denominators.column.authorities")}
                </th>
                <th scope="col" className="govuk-table__header">
                  {t("denominators.column.items")}
                </th>
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {denominators.map((d) => (
                <tr key={d.code} className="govuk-table__row">
                  <th scope="row" className="govuk-table__header" data-label={t("denominators.column.denominator")}>
                    {t("denominators.per", { label: pick(t.lang, d, "label") })}
                    <br />
                    <code className="govuk-body-s app-code-inline">{d.code}</code>
                  </th>
                  <td className="govuk-table__cell" data-label={t("denominators.column.source")}>
                    {denominatorSource(t.lang, d)}
                  </td>
                  <td className="govuk-table__cell" data-label={t("denominators.column.year")}>
                    {String(d.year)}
                  </td>
                  <td className="govuk-table__cell govuk-table__cell--numeric" data-label={t("denominators.column.authorities")}>
                    {formatNumber(t.lang, d.authorities)}
                  </td>
                  <td className="govuk-table__cell app-code-inline" data-label={t("denominators.column.items")}>
                    {d.items.length > 0 ? d.items.join(", ") : t("denominators.noItems")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <ParagraphLink to="/denominators/items">{t("itemDenominators.link")}</ParagraphLink>
        <h2 className="govuk-heading-m">{t("denominators.uploadHeading")}</h2>
        <p className="govuk-body">{t("denominators.layout")}</p>
        <ul className="govuk-list govuk-list--bullet">
          {columns.map((column) => (
            <li key={column}>
              <code>{column}</code>: {t(`denominators.layout.${column}`)}
            </li>
          ))}
          <li>{t("denominators.layout.authorities")}</li>
        </ul>
        <p className="govuk-body">{t("denominators.replaces")}</p>
        <WorkbookUpload
          action="/denominators"
          csrfToken={csrfToken}
          label={t("denominators.label")}
          hint={t("denominators.hint")}
          error={texts.length === 0 ? undefined : texts.length === 1 ? texts[0] : t("denominators.error.count", { count: texts.length })}
          errorPrefix={t("page.errorPrefix")}
          submit={t("denominators.submit")}
          accept=".csv,text/csv"
        />
        <ParagraphLink to="/catalogue">{t("denominators.back")}</ParagraphLink>
      </div>
    </div>
  );
}
