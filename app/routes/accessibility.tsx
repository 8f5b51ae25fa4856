import type { MetaFunction } from "@remix-run/node";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("a11y.title"));

/** The accessibility statement, as UK public-sector websites publish: public, in both languages. */
export default function AccessibilityStatement() {
  const t = useTranslation();
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <h1 className="govuk-heading-l">{t("a11y.title")}</h1>
        <p className="govuk-body">{t("a11y.intro")}</p>
        <ul className="govuk-list govuk-list--bullet">
          <li>{t("a11y.can.zoom")}</li>
          <li>{t("a11y.can.keyboard")}</li>
          <li>{t("a11y.can.screenReader")}</li>
          <li>{t("a11y.can.noJs")}</li>
          <li>{t("a11y.can.welsh")}</li>
        </ul>
        <h2 className="govuk-heading-m">{t("a11y.status.title")}</h2>
        <p className="govuk-body">{t("a11y.status.body")}</p>
        <h2 className="govuk-heading-m">{t("a11y.known.title")}</h2>
        <ul className="govuk-list govuk-list--bullet">
          <li>{t("a11y.known.radios")}</li>
          <li>{t("a11y.known.tables")}</li>
          <li>{t("a11y.known.userText")}</li>
        </ul>
        <h2 className="govuk-heading-m">{t("a11y.testing.title")}</h2>
        <p className="govuk-body">{t("a11y.testing.body")}</p>
        <h2 className="govuk-heading-m">{t("a11y.contact.title")}</h2>
        <p className="govuk-body">{t("a11y.contact.body")}</p>
        <h2 className="govuk-heading-m">{t("a11y.enforcement.title")}</h2>
        <p className="govuk-body">{t("a11y.enforcement.body")}</p>
        <p className="govuk-body-s">{t("a11y.prepared")}</p>
      </div>
    </div>
  );
}
