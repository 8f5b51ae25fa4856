import { useTranslation } from "#app/i18n/use-translation.ts";
import { CSRF_FIELD } from "#app/web/forms.ts";

/** The coordinator's form to accept the submitted version of a return; it posts to the return's accept address. */
export function AcceptReturn({
  action,
  csrfToken,
  lockVersion,
  submittedVersion,
  heading = "h2",
}: {
  action: string;
  csrfToken: string;
  lockVersion: number;
  submittedVersion: number;
  /** On its own page the form's title is the page's heading. */
  heading?: "h1" | "h2";
}) {
  const t = useTranslation();
  return (
    <form method="post" action={action} noValidate id="accept">
      <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
      <input type="hidden" name="lockVersion" value={lockVersion} />
      {heading === "h1" ? (
        <h1 className="govuk-heading-l">{t("accept.title")}</h1>
      ) : (
        <h2 className="govuk-heading-m">{t("accept.title")}</h2>
      )}
      <p className="govuk-body">{t("accept.body", { version: submittedVersion })}</p>
      <button type="submit" className="govuk-button" data-module="govuk-button">
        {t("accept.submit")}
      </button>
    </form>
  );
}
