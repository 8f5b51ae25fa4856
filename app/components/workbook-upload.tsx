/** A GOV.UK file upload for one .xlsx workbook (or another file `accept` names), in a plain multipart form that works without JavaScript. */
import type { ReactNode } from "react";
import { CSRF_FIELD } from "#app/web/forms.ts";
import { FILE_FIELD, uploadLimitText, XLSX_TYPE } from "#app/spreadsheets/spreadsheet.ts";
import type { Translator } from "#app/i18n/i18n.ts";
import { returnPath } from "#app/web/return-form.ts";
import { describedBy, FieldGroup } from "./govuk.tsx";

export function WorkbookUpload({
  action,
  csrfToken,
  label,
  hint,
  error,
  errorPrefix,
  submit,
  accept = `.xlsx,${XLSX_TYPE}`,
}: {
  action: string;
  csrfToken: string;
  label: ReactNode;
  hint: ReactNode;
  error?: string;
  errorPrefix: string;
  submit: string;
  accept?: string;
}) {
  const id = FILE_FIELD;
  return (
    <form method="post" action={action} encType="multipart/form-data" noValidate>
      <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
      <FieldGroup id={id} label={label} labelClassName="govuk-label govuk-label--s" hint={hint} error={error} errorPrefix={errorPrefix}>
        <input
          className={`govuk-file-upload${error ? " govuk-file-upload--error" : ""}`}
          id={id}
          name={FILE_FIELD}
          type="file"
          accept={accept}
          aria-describedby={describedBy(id, hint, error)}
        />
      </FieldGroup>
      <button type="submit" className="govuk-button govuk-button--secondary" data-module="govuk-button">
        {submit}
      </button>
    </form>
  );
}

/** An officer's return as a workbook: the lead, the template to fill in, and the form to upload it (on the return page and the upload page). */
export function ReturnUpload({
  t,
  collectionCode,
  authorityCode,
  csrfToken,
  error,
}: {
  t: Translator;
  collectionCode: string;
  authorityCode: string;
  csrfToken: string;
  error?: string;
}) {
  return (
    <>
      <p className="govuk-body">{t("upload.lead")}</p>
      <p className="govuk-body">
        <a className="govuk-link" href={returnPath(collectionCode, authorityCode, "template.xlsx")}>
          {t("upload.templateLink")}
        </a>
      </p>
      <WorkbookUpload
        action={returnPath(collectionCode, authorityCode, "upload")}
        csrfToken={csrfToken}
        label={t("upload.label")}
        hint={t("upload.hint", { limit: uploadLimitText(t.lang) })}
        error={error}
        errorPrefix={t("page.errorPrefix")}
        submit={t("upload.submit")}
      />
    </>
  );
}
