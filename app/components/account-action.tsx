import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { ErrorSummary, Textarea } from "#app/components/govuk.tsx";
import { useTranslation } from "#app/i18n/use-translation.ts";

/** The reason field's id and name on each page: the error summary links to it. */
export const REASON_FIELD = "reason";

/**
 * An admin's page that does one thing to one account (deactivate, reactivate, reset two-factor):
 * back link, the error (linked to `errorHref`, the reason field unless given), the account's email
 * over the title, then the page's own explanation or form.
 */
export function AccountActionPage({
  back,
  email,
  title,
  error,
  errorHref = `#${REASON_FIELD}`,
  children,
}: {
  back: string;
  email: string;
  title: string;
  error: string | null | undefined;
  errorHref?: string;
  children: ReactNode;
}) {
  const t = useTranslation();
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <Link to={back} className="govuk-back-link">
          {t("common.back")}
        </Link>
        <ErrorSummary title={t("errorSummary.title")} errors={error ? [{ href: errorHref, text: error }] : []} />
        <span className="govuk-caption-l app-code-inline">{email}</span>
        <h1 className="govuk-heading-l">{title}</h1>
        {children}
      </div>
    </div>
  );
}

/** The form's button and a way out without doing it. */
export function SubmitOrCancel({ label, cancelTo, warning, id }: { label: string; cancelTo: string; warning?: boolean; id?: string }) {
  const t = useTranslation();
  return (
    <div className="govuk-button-group">
      <button type="submit" id={id} className={warning ? "govuk-button govuk-button--warning" : "govuk-button"} data-module="govuk-button">
        {label}
      </button>
      <Link to={cancelTo} className="govuk-link">
        {t("common.cancel")}
      </Link>
    </div>
  );
}

/**
 * Why the admin is doing it: the same field on each of the three pages, checked by one schema
 * (AccountReasonSchema), its error the page's one error. The label asks the page's question.
 */
export function ReasonField({ label, hint, defaultValue, error }: { label: string; hint?: string; defaultValue?: string; error?: string }) {
  const t = useTranslation();
  return (
    <Textarea
      id={REASON_FIELD}
      name={REASON_FIELD}
      label={label}
      labelClassName="govuk-label govuk-label--s"
      hint={hint}
      defaultValue={defaultValue}
      error={error}
      errorPrefix={t("page.errorPrefix")}
    />
  );
}
