import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { DefaultButton, ValueFieldset } from "#app/components/value-fieldset.tsx";
import { BLANK_VALUE } from "#app/schema/return-values.ts";
import { guard } from "#app/auth/guard.server.ts";
import { formatDate, pick } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { MORE_FIELD, toFormValue } from "#app/web/return-form.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("design.previewTitle"));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { collection } = await guard("routes/collections.$code.preview", "loader", { request, params });
  // An item whose "Add a note…" was pressed: the preview shows its note and how it was counted.
  return { collection, more: new URL(request.url).searchParams.get(MORE_FIELD) };
}

/** The return form exactly as an officer will meet it, with nothing to send. */
export default function Preview() {
  const { collection, more } = useLoaderData<typeof loader>();
  const t = useTranslation();
  const blank = toFormValue(BLANK_VALUE);
  return (
    <>
      <div className="govuk-inset-text">
        {t("design.previewNote")}{" "}
        <Link className="govuk-link" to={`/collections/${collection.code}/design`}>
          {t("design.backToDesign")}
        </Link>
      </div>
      <h1 className="govuk-heading-l">{pick(t.lang, collection, "title")}</h1>
      <p className="govuk-body">
        {t("form.asAt", { date: formatDate(t.lang, collection.reference_date) })}{" "}
        {t("form.due", { date: formatDate(t.lang, collection.due_on) })}
      </p>
      <p className="govuk-body">{pick(t.lang, collection, "guidance")}</p>
      <form>
        <DefaultButton />
        {collection.items.map((item, index) => (
          <ValueFieldset
            key={item.code}
            t={t}
            item={{
              code: item.code,
              position: index + 1,
              label: pick(t.lang, item, "label"),
              definition: pick(t.lang, item, "definition"),
              ageFrom: item.age_from,
              ageTo: item.age_to,
              required: item.required,
            }}
            value={blank}
            errors={{}}
            previous={null}
            flags={[]}
            queries={[]}
            formAction=""
            moreAsked={more === item.code}
          />
        ))}
      </form>
    </>
  );
}
