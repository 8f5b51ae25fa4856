import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary } from "#app/components/govuk.tsx";
import { WorkbookUpload } from "#app/components/workbook-upload.tsx";
import { listImportUploads, planImport, storeImportUpload, type ImportAuthority } from "#app/models/import.server.ts";
import { ImportPreview } from "#app/components/import-preview.tsx";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { todayInWales } from "#app/domain/dates.ts";
import { refuseForm } from "#app/web/forms.ts";
import { formatDateTime, pick, translator } from "#app/i18n/i18n.ts";
import { IMPORT_COLUMNS } from "#app/spreadsheets/bulk-import.server.ts";
import { pageTitle } from "#app/web/meta.ts";
import { issueText, uploadLimitText, type UploadIssue } from "#app/spreadsheets/spreadsheet.ts";
import { readUploadForm } from "#app/spreadsheets/upload.server.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => (data ? `${t("import.title")}: ${pick(t.lang, data.collection, "title")}` : t("notFound.title")));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db, collection } = await guard("routes/collections.$code.import._index", "loader", { request, params });
  return {
    collection,
    columns: [...IMPORT_COLUMNS],
    uploads: await listImportUploads(db, collection.id),
    csrfToken: user.csrfToken,
  };
}

/** Reads and checks the workbook; one that reads cleanly is kept and previewed, nothing is loaded yet. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, db, collection } = await guard("routes/collections.$code.import._index", "action", { request, params });
  const refuse = (issues: UploadIssue[], status = 400, authorities: ImportAuthority[] = []) =>
    refuseForm(context, { issues, authorities }, status);
  const upload = await readUploadForm(request);
  if (!upload.ok) return refuse([upload.issue], upload.status);
  requireCsrf(user, upload.form);
  if (collection.status !== "open") return refuse([{ kind: "message", key: "import.error.notOpen" }], 409);
  if (!upload.file) return refuse([{ kind: "message", key: "upload.error.noFile" }]);
  const plan = await planImport(db, collection, upload.file.bytes, translator(user.language), todayInWales());
  if (plan.issues.length > 0) return refuse(plan.issues, 400, plan.authorities);
  const id = await storeImportUpload(db, { collectionId: collection.id, userId: user.id, file: upload.file });
  throw redirect(`/collections/${collection.code}/import/${id}`);
}

export default function ImportPage() {
  const { collection, columns, uploads, csrfToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const labels = Object.fromEntries(collection.items.map((i) => [i.code, pick(t.lang, i, "label")]));
  const texts = (actionData?.issues ?? []).map((issue) => issueText(t, issue, labels));
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary title={t("errorSummary.title")} errors={texts.map((text) => ({ href: "#workbook", text }))} />
        <span className="govuk-caption-l">{pick(t.lang, collection, "title")}</span>
        <h1 className="govuk-heading-l">{t("import.title")}</h1>
        <p className="govuk-body">{t("import.lead")}</p>
        {collection.status === "open" ? (
          <>
            <p className="govuk-body">{t("import.columnsLead")}</p>
            <ul className="govuk-list govuk-list--bullet">
              {columns.map((column) => (
                <li key={column}>{t(`import.column.${column}`)}</li>
              ))}
            </ul>
            <p className="govuk-body">{t("import.matching")}</p>
            <ul className="govuk-list govuk-list--bullet">
              {collection.items.map((item) => (
                <li key={item.code}>
                  <code className="app-code-inline">{item.code}</code>: {pick(t.lang, item, "label")}
                </li>
              ))}
            </ul>
            <WorkbookUpload
              action={`/collections/${collection.code}/import`}
              csrfToken={csrfToken}
              label={t("import.label")}
              hint={t("import.hint", { limit: uploadLimitText(t.lang) })}
              error={texts.length === 0 ? undefined : texts.length === 1 ? texts[0] : t("upload.error.count", { count: texts.length })}
              errorPrefix={t("page.errorPrefix")}
              submit={t("import.submit")}
            />
          </>
        ) : (
          <p className="govuk-inset-text">{t("import.error.notOpen")}</p>
        )}
        {uploads.length > 0 ? (
          <>
            <h2 className="govuk-heading-m">{t("import.earlier")}</h2>
            <ul className="govuk-list">
              {uploads.map((upload) => (
                <li key={upload.id}>
                  <Link className="govuk-link" to={`/collections/${collection.code}/import/${upload.id}`}>
                    {upload.file_name}
                  </Link>{" "}
                  {t(upload.applied_at ? "import.earlierApplied" : "import.earlierPending", {
                    name: upload.uploaded_by_name,
                    at: formatDateTime(t.lang, upload.uploaded_at),
                  })}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {actionData && actionData.authorities.length > 0 ? (
          <>
            <p className="govuk-body">{t("import.partial")}</p>
            <ImportPreview t={t} authorities={actionData.authorities} items={collection.items} />
          </>
        ) : null}
        <p className="govuk-body">
          <Link className="govuk-link" to={`/collections/${collection.code}`}>
            {t("import.back")}
          </Link>
        </p>
      </div>
    </div>
  );
}
