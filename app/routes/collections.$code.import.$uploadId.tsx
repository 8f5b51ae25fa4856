import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, NotificationBanner } from "#app/components/govuk.tsx";
import { ImportPreview } from "#app/components/import-preview.tsx";
import { applyImport, findImportUpload, planImport } from "#app/models/import.server.ts";
import { notFound, requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { CSRF_FIELD, readForm, refuseForm } from "#app/web/forms.ts";
import { formatDateTime, pick, translator } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { issueText } from "#app/spreadsheets/spreadsheet.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => (data ? `${t("import.preview.title")}: ${data.upload.file_name}` : t("notFound.title")));

async function loadUpload(method: "loader" | "action", { request, params }: { request: Request; params: LoaderFunctionArgs["params"] }) {
  const { user, db, collection } = await guard("routes/collections.$code.import.$uploadId", method, { request, params });
  const id = Number(params.uploadId);
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
  const upload = await findImportUpload(db, { collectionId: collection.id, id });
  if (!upload) throw notFound();
  return { user, db, collection, upload };
}

/** The stored workbook, read again as it stands now: what applying it would load, and any problem. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, collection, upload } = await loadUpload("loader", { request, params });
  const { bytes: _bytes, ...about } = upload;
  const plan = upload.applied_at ? null : await planImport(db, collection, upload.bytes, translator(user.language), todayInWales());
  return { collection, upload: about, plan, csrfToken: user.csrfToken };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, db, collection, upload } = await loadUpload("action", { request, params });
  requireCsrf(user, await readForm(request));
  const result = await applyImport(db, collection, upload, {
    importedBy: user.id,
    signedOffName: user.name,
    lang: user.language,
    today: todayInWales(),
  });
  if (!result.ok) return refuseForm(context, { issues: result.issues }, 409);
  throw redirect(`/collections/${collection.code}/import/${upload.id}`);
}

export default function ImportPreviewPage() {
  const { collection, upload, plan, csrfToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const labels = Object.fromEntries(collection.items.map((i) => [i.code, pick(t.lang, i, "label")]));
  const issues = [...(actionData?.issues ?? []), ...(plan?.issues ?? [])].map((issue) => issueText(t, issue, labels));
  return (
    <>
      <ErrorSummary title={t("errorSummary.title")} errors={issues.map((text) => ({ href: "#preview", text }))} />
      <span className="govuk-caption-l">{pick(t.lang, collection, "title")}</span>
      <h1 className="govuk-heading-l">{t("import.preview.title")}</h1>
      <p className="govuk-body">
        {t("import.preview.file", {
          file: upload.file_name,
          name: upload.uploaded_by_name,
          at: formatDateTime(t.lang, upload.uploaded_at),
        })}
      </p>
      {upload.applied_at ? (
        <NotificationBanner title={t("banner.success")} success>
          <p className="govuk-notification-banner__heading">
            {t("import.applied", { name: upload.applied_by_name ?? "", at: formatDateTime(t.lang, upload.applied_at) })}
          </p>
          <p className="govuk-body">
            <Link className="govuk-link" to={`/collections/${collection.code}`}>
              {t("import.back")}
            </Link>
          </p>
        </NotificationBanner>
      ) : plan ? (
        <div id="preview">
          {plan.ignoredColumns.length > 0 ? (
            <p className="govuk-body">{t("import.preview.ignored", { columns: plan.ignoredColumns.join(", ") })}</p>
          ) : null}
          <ImportPreview t={t} authorities={plan.authorities} items={collection.items} />
          <p className="govuk-inset-text">{t("import.preview.explained")}</p>
          {plan.issues.length === 0 ? (
            <form method="post" noValidate>
              <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
              <p className="govuk-body">{t("import.preview.applyLead", { count: plan.authorities.length })}</p>
              <button type="submit" className="govuk-button" data-module="govuk-button">
                {t("import.preview.apply")}
              </button>
            </form>
          ) : (
            <p className="govuk-body">
              <Link className="govuk-link" to={`/collections/${collection.code}/import`}>
                {t("import.preview.again")}
              </Link>
            </p>
          )}
        </div>
      ) : null}
    </>
  );
}
