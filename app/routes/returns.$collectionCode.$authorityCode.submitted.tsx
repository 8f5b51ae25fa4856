import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { findReturn } from "#app/models/return.server.ts";
import { notFound } from "#app/auth/auth.server.ts";
import { pick } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { returnPath, returnReference } from "#app/web/return-form.ts";
import { guard } from "#app/auth/guard.server.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";
import { ParagraphLink } from "#app/components/govuk.tsx";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("submitted.title"));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, collection, authority, scope } = await guard("routes/returns.$collectionCode.$authorityCode.submitted", "loader", {
    request,
    params,
  });
  const ret = await findReturn(db, scope);
  if (!ret?.submitted_version) throw notFound();
  return {
    collection,
    authority,
    reference: returnReference(collection.code, authority.code, ret.submitted_version),
    version: ret.submitted_version,
  };
}

export default function Submitted() {
  const { collection, authority, reference, version } = useLoaderData<typeof loader>();
  const t = useTranslation();
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <div className="govuk-panel govuk-panel--confirmation">
          <h1 className="govuk-panel__title">{t("submitted.title")}</h1>
          <div className="govuk-panel__body">
            {t("submitted.reference")}
            <br />
            <strong>{reference}</strong>
          </div>
        </div>
        <p className="govuk-body">
          {t("submitted.body", {
            authority: pick(t.lang, authority, "name"),
            collection: pick(t.lang, collection, "title"),
            version,
          })}
        </p>
        <h2 className="govuk-heading-m">{t("submitted.nextTitle")}</h2>
        <p className="govuk-body">{t("submitted.next")}</p>
        <ParagraphLink to={returnPath(collection.code, authority.code)}>{t("submitted.viewReturn")}</ParagraphLink>
        <ParagraphLink to="/">{t("submitted.home")}</ParagraphLink>
      </div>
    </div>
  );
}
