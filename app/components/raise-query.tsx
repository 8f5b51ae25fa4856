import { Textarea } from "#app/components/govuk.tsx";
import type { MessageKey } from "#app/i18n/i18n.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { CSRF_FIELD } from "#app/web/forms.ts";

/** The coordinator's form for a question on one figure of a return; it posts to the return's queries/new. */
export function RaiseQuery({
  action,
  labels,
  csrfToken,
  input,
  errors,
  heading = "h2",
}: {
  /** On its own page the form's title is the page's heading. */
  heading?: "h1" | "h2";
  action: string;
  labels: Record<string, string>;
  csrfToken: string;
  input?: { itemCode?: string; message?: string };
  errors?: { itemCode?: MessageKey; message?: MessageKey };
}) {
  const t = useTranslation();
  const itemError = errors?.itemCode ? t(errors.itemCode) : undefined;
  const messageError = errors?.message ? t(errors.message) : undefined;
  return (
    <form method="post" action={action} noValidate className="govuk-!-margin-bottom-8">
      <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
      {heading === "h1" ? (
        <h1 className="govuk-heading-l">{t("queries.raiseTitle")}</h1>
      ) : (
        <h2 className="govuk-heading-m">{t("queries.raiseTitle")}</h2>
      )}
      <div className={`govuk-form-group${itemError ? " govuk-form-group--error" : ""}`}>
        <label className="govuk-label" htmlFor="raise-item">
          {t("queries.item")}
        </label>
        {itemError ? (
          <p id="raise-item-error" className="govuk-error-message">
            <span className="govuk-visually-hidden">{t("page.errorPrefix")}</span> {itemError}
          </p>
        ) : null}
        <select className="govuk-select" id="raise-item" name="itemCode" defaultValue={input?.itemCode ?? ""}>
          <option value="">{t("queries.chooseItem")}</option>
          {Object.entries(labels).map(([code, label]) => (
            <option key={code} value={code}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <Textarea
        id="raise-message"
        name="message"
        label={t("queries.question")}
        hint={t("queries.questionHint")}
        defaultValue={input?.message}
        error={messageError}
        errorPrefix={t("page.errorPrefix")}
      />
      <button type="submit" className="govuk-button govuk-button--secondary" data-module="govuk-button">
        {t("queries.raise")}
      </button>
    </form>
  );
}
