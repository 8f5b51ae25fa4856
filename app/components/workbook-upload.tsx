/** A GOV.UK file upload for one .xlsx workbook (or another file `accept` names), in a plain multipart form that works without JavaScript. */
import type { ReactNode } from "react";
import { CSRF_FIELD } from "#app/web/forms.ts";
import { FILE_FIELD, XLSX_TYPE } from "#app/spreadsheets/spreadsheet.ts";
import { ErrorMessage } from "./govuk.tsx";

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
      <div className={`govuk-form-group${error ? " govuk-form-group--error" : ""}`}>
        <label className="govuk-label govuk-label--s" htmlFor={id}>
          {label}
        </label>
        <div id={`${id}-hint`} className="govuk-hint">
          {hint}
        </div>
        {error ? (
          <ErrorMessage id={`${id}-error`} prefix={errorPrefix}>
            {error}
          </ErrorMessage>
        ) : null}
        <input
          className={`govuk-file-upload${error ? " govuk-file-upload--error" : ""}`}
          id={id}
          name={FILE_FIELD}
          type="file"
          accept={accept}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
        />
      </div>
      <button type="submit" className="govuk-button govuk-button--secondary" data-module="govuk-button">
        {submit}
      </button>
    </form>
  );
}
