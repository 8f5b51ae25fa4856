import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, Select, TextInput, Textarea } from "#app/components/govuk.tsx";
import { DenominatorSelect } from "#app/components/denominator-select.tsx";
import { createDataItem, listCatalogue } from "#app/models/catalogue.server.ts";
import { listDenominators } from "#app/models/denominator.server.ts";
import { DATA_ITEM_FIELDS, validateDataItem, type DataItemField, type DataItemInput } from "#app/schema/data-item.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { CSRF_FIELD, field, readForm, refuseForm } from "#app/web/forms.ts";
import { pick, type MessageKey } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("catalogue.add"));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, db } = await guard("routes/catalogue.new", "loader", { request, params });
  const [items, denominators] = await Promise.all([listCatalogue(db), listDenominators(db)]);
  return {
    parents: items.map(({ code, label_en, label_cy }) => ({ code, label_en, label_cy })),
    denominators: denominators.map(({ code, label_en, label_cy }) => ({ code, label_en, label_cy })),
    csrfToken: user.csrfToken,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, db } = await guard("routes/catalogue.new", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const input = Object.fromEntries(DATA_ITEM_FIELDS.map((f) => [f, field(form, f)])) as DataItemInput;
  const checked = validateDataItem(
    input,
    (await listCatalogue(db)).map((i) => i.code),
    (await listDenominators(db)).map((d) => d.code),
  );
  if (!checked.ok) return refuseForm(context, { input, problems: checked.problems });
  const created = await createDataItem(db, checked.draft, user.id);
  if (!created.ok)
    return refuseForm(context, { input, problems: { code: "itemForm.error.codeTaken" } as Partial<Record<DataItemField, MessageKey>> });
  throw redirect(`/catalogue#item-${checked.draft.code}`);
}

export default function NewItem() {
  const { parents, denominators, csrfToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useTranslation();
  const problems = actionData?.problems ?? {};
  const input = actionData?.input;
  const prefix = t("page.errorPrefix");
  const error = (f: keyof typeof problems) => (problems[f] ? t(problems[f]!) : undefined);
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary
          title={t("errorSummary.title")}
          errors={Object.entries(problems).map(([name, key]) => ({ href: `#${name}`, text: t(key) }))}
        />
        <h1 className="govuk-heading-l">{t("catalogue.add")}</h1>
        <form method="post" noValidate>
          <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
          <TextInput
            id="code"
            name="code"
            label={t("catalogue.code")}
            hint={t("itemForm.codeHint")}
            defaultValue={input?.code}
            error={error("code")}
            errorPrefix={prefix}
            spellCheck={false}
          />
          <TextInput
            id="label_en"
            name="label_en"
            label={t("itemForm.labelEn")}
            defaultValue={input?.label_en}
            error={error("label_en")}
            errorPrefix={prefix}
          />
          <TextInput
            id="label_cy"
            name="label_cy"
            label={t("itemForm.labelCy")}
            defaultValue={input?.label_cy}
            error={error("label_cy")}
            errorPrefix={prefix}
          />
          <Textarea
            id="definition_en"
            name="definition_en"
            label={t("itemForm.definitionEn")}
            defaultValue={input?.definition_en}
            error={error("definition_en")}
            errorPrefix={prefix}
          />
          <Textarea
            id="definition_cy"
            name="definition_cy"
            label={t("itemForm.definitionCy")}
            defaultValue={input?.definition_cy}
            error={error("definition_cy")}
            errorPrefix={prefix}
          />
          <TextInput
            id="min_value"
            name="min_value"
            label={t("itemForm.min")}
            width={10}
            inputMode="numeric"
            defaultValue={input?.min_value ?? "0"}
            error={error("min_value")}
            errorPrefix={prefix}
          />
          <TextInput
            id="max_value"
            name="max_value"
            label={t("itemForm.max")}
            width={10}
            inputMode="numeric"
            defaultValue={input?.max_value}
            error={error("max_value")}
            errorPrefix={prefix}
          />
          <TextInput
            id="age_from"
            name="age_from"
            label={t("itemForm.ageFrom")}
            width={3}
            inputMode="numeric"
            defaultValue={input?.age_from}
            error={error("age_from")}
            errorPrefix={prefix}
          />
          <TextInput
            id="age_to"
            name="age_to"
            label={t("itemForm.ageTo")}
            width={3}
            inputMode="numeric"
            defaultValue={input?.age_to}
            error={error("age_to")}
            errorPrefix={prefix}
          />
          <Select
            id="parent_code"
            name="parent_code"
            label={t("itemForm.parent")}
            options={[
              { value: "", text: t("itemForm.noParent") },
              ...parents.map((p) => ({ value: p.code, text: pick(t.lang, p, "label") })),
            ]}
            defaultValue={input?.parent_code ?? ""}
            error={error("parent_code")}
            errorPrefix={prefix}
          />
          <DenominatorSelect
            id="denominator_code"
            name="denominator_code"
            label={t("itemForm.denominator")}
            hint={t("itemForm.denominatorHint")}
            denominators={denominators}
            defaultValue={input?.denominator_code ?? ""}
            error={error("denominator_code")}
          />
          <button type="submit" className="govuk-button" data-module="govuk-button">
            {t("itemForm.submit")}
          </button>
        </form>
      </div>
    </div>
  );
}
