import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listCollections } from "#app/models/collection.server.ts";
import { getDb } from "#app/utils/db.server.ts";
import { formatDate, pick } from "#app/utils/i18n.ts";
import { metaTranslator, pageTitle } from "#app/utils/meta.ts";
import { useTranslation } from "#app/utils/use-translation.ts";

export const meta: MetaFunction = ({ matches }) => {
  const t = metaTranslator(matches);
  return pageTitle(t, t("home.title"));
};

export async function loader(_: LoaderFunctionArgs) {
  const db = await getDb();
  return { collections: await listCollections(db) };
}

export default function Home() {
  const { collections } = useLoaderData<typeof loader>();
  const t = useTranslation();
  return (
    <>
      <h1 className="govuk-heading-l">{t("home.title")}</h1>
      <p className="govuk-body-l">{t("home.lead")}</p>
      {collections.length === 0 ? (
        <p className="govuk-body">{t("home.none")}</p>
      ) : (
        <table className="govuk-table">
          <caption className="govuk-table__caption govuk-visually-hidden">{t("home.table.caption")}</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              <th scope="col" className="govuk-table__header">{t("collection.field.title")}</th>
              <th scope="col" className="govuk-table__header">{t("collection.field.referenceDate")}</th>
              <th scope="col" className="govuk-table__header">{t("collection.field.dueOn")}</th>
              <th scope="col" className="govuk-table__header">{t("collection.field.status")}</th>
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {collections.map((c) => (
              <tr key={c.code} className="govuk-table__row">
                <td className="govuk-table__cell">
                  <Link className="govuk-link" to={`/collections/${c.code}`}>
                    {pick(t.lang, c, "title")}
                  </Link>
                </td>
                <td className="govuk-table__cell">{formatDate(t.lang, c.reference_date)}</td>
                <td className="govuk-table__cell">{formatDate(t.lang, c.due_on)}</td>
                <td className="govuk-table__cell">
                  <strong className={`govuk-tag ${c.status === "open" ? "govuk-tag--green" : "govuk-tag--grey"}`}>
                    {t(`collection.status.${c.status}`)}
                  </strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
