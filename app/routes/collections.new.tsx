import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { CollectionForm, collectionErrors } from "#app/components/collection-form.tsx";
import { ErrorSummary } from "#app/components/govuk.tsx";
import { listCatalogue } from "#app/models/catalogue.server.ts";
import { createCollection, getCollection } from "#app/models/collection.server.ts";
import { validateCollection, type CollectionProblems } from "#app/schema/collection-form.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { collectionToInput, EMPTY_COLLECTION, readCollectionForm } from "#app/web/collection-form.server.ts";
import { field, readForm, refuseForm } from "#app/web/forms.ts";
import type { MessageKey } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("collectionForm.newTitle"));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db } = await guard("routes/collections.new", "loader", { request, params });
  // "Copy as a new collection": a published collection's questions change only in a new one.
  const from = new URL(request.url).searchParams.get("from");
  const source = from ? await getCollection(db, from) : null;
  return {
    catalogue: await listCatalogue(db),
    input: source ? collectionToInput(source, { code: "" }) : EMPTY_COLLECTION,
    csrfToken: user.csrfToken,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, db } = await guard("routes/collections.new", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const catalogue = (await listCatalogue(db)).map((i) => i.code);
  const input = readCollectionForm(form, catalogue);
  // "Add another rule": the form comes back as entered, with a new empty rule row; nothing is created or checked yet.
  if (field(form, "intent") === "addRule") return { input, problems: {} as CollectionProblems };
  const checked = validateCollection(input, catalogue);
  if (!checked.ok) return refuseForm(context, { input, problems: checked.problems });
  const created = await createCollection(db, checked.draft, user.id);
  if (!created.ok)
    return refuseForm(context, {
      input,
      problems: { code: "collectionForm.error.codeTaken" as MessageKey } as CollectionProblems,
    });
  throw redirect(`/collections/${checked.draft.code}/design`);
}

export default function NewCollection() {
  const { catalogue, input, csrfToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const problems = actionData?.problems ?? {};
  return (
    <>
      <ErrorSummary title={t("errorSummary.title")} errors={collectionErrors(t, problems, catalogue)} />
      <h1 className="govuk-heading-l">{t("collectionForm.newTitle")}</h1>
      <CollectionForm
        t={t}
        csrfToken={csrfToken}
        catalogue={catalogue}
        input={actionData?.input ?? input}
        problems={problems}
        codeEditable
        submitLabel={t("collectionForm.create")}
      />
    </>
  );
}
