import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ChangesTable, changedItems, ValueDescription } from "#app/components/return-summary.tsx";
import { returnVersions } from "#app/models/return.server.ts";
import { formatDateTime, pick } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { returnPath, returnReference } from "#app/web/return-form.ts";
import { guard } from "#app/auth/guard.server.ts";
import { WrittenText } from "#app/components/written-text.tsx";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { ParagraphLink } from "#app/components/govuk.tsx";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("history.title"));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, collection, authority, scope } = await guard("routes/returns.$collectionCode.$authorityCode.history", "loader", {
    request,
    params,
  });
  return { collection, authority, versions: await returnVersions(db, scope) };
}

export default function History() {
  const { collection, authority, versions } = useLoaderData<typeof loader>();
  const t = useTranslation();
  const labels = Object.fromEntries(collection.items.map((i) => [i.code, pick(t.lang, i, "label")]));
  return (
    <>
      <span className="govuk-caption-l">{pick(t.lang, authority, "name")}</span>
      <h1 className="govuk-heading-l">{t("history.title")}</h1>
      <p className="govuk-body">{pick(t.lang, collection, "title")}</p>
      {versions.length === 0 ? <p className="govuk-body">{t("history.none")}</p> : null}
      {[...versions].reverse().map((version) => {
        const earlier = versions.find((v) => v.version === version.version - 1);
        const changed = earlier ? changedItems(collection.items, earlier.values, version.values) : [];
        return (
          <section key={version.version} className="govuk-!-margin-bottom-8" aria-labelledby={`version-${version.version}`}>
            <h2 className="govuk-heading-m" id={`version-${version.version}`}>
              {t("history.version", { version: version.version })}
            </h2>
            <dl className="govuk-summary-list">
              <div className="govuk-summary-list__row govuk-summary-list__row--no-actions">
                <dt className="govuk-summary-list__key">{t("history.reference")}</dt>
                <dd className="govuk-summary-list__value">{returnReference(collection.code, authority.code, version.version)}</dd>
              </div>
              <div className="govuk-summary-list__row govuk-summary-list__row--no-actions">
                <dt className="govuk-summary-list__key">{t("history.submittedAt")}</dt>
                <dd className="govuk-summary-list__value">{formatDateTime(t.lang, version.submitted_at)}</dd>
              </div>
              <div className="govuk-summary-list__row govuk-summary-list__row--no-actions">
                <dt className="govuk-summary-list__key">{t("history.signedOff")}</dt>
                <dd className="govuk-summary-list__value">
                  <WrittenText t={t} text={version.signed_off_name} lang={version.signed_off_lang} />,{" "}
                  <WrittenText t={t} text={version.signed_off_role} lang={version.signed_off_lang} />
                </dd>
              </div>
              {version.amendment_reason ? (
                <div className="govuk-summary-list__row govuk-summary-list__row--no-actions">
                  <dt className="govuk-summary-list__key">{t("history.amendmentReason")}</dt>
                  <dd className="govuk-summary-list__value">
                    <WrittenText t={t} text={version.amendment_reason} lang={version.amendment_reason_lang} />
                  </dd>
                </div>
              ) : null}
            </dl>
            {earlier ? (
              changed.length === 0 ? (
                <p className="govuk-body">{t("history.noChanges", { version: earlier.version })}</p>
              ) : (
                <ChangesTable
                  t={t}
                  items={changed}
                  labels={labels}
                  before={earlier.values}
                  after={version.values}
                  caption={t("history.changes", { version: earlier.version })}
                  beforeHeading={t("history.before", { version: earlier.version })}
                  afterHeading={t("history.after", { version: version.version })}
                />
              )
            ) : (
              <table className="govuk-table">
                <caption className="govuk-table__caption govuk-table__caption--s">{t("history.firstVersion")}</caption>
                <tbody className="govuk-table__body">
                  {collection.items.map((item) => (
                    <tr key={item.code} className="govuk-table__row">
                      <th scope="row" className="govuk-table__header">
                        {labels[item.code]}
                      </th>
                      <td className="govuk-table__cell">
                        <ValueDescription t={t} value={version.values[item.code]!} lang={version.textLangs[item.code]} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        );
      })}
      <ParagraphLink to={returnPath(collection.code, authority.code)}>{t("history.back")}</ParagraphLink>
    </>
  );
}
