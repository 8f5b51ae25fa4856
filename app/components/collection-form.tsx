import { ErrorMessage, TextInput, Textarea } from "#app/components/govuk.tsx";
import type { CollectionField, CollectionInput } from "#app/schema/collection-form.ts";
import { CSRF_FIELD } from "#app/web/forms.ts";
import { pick, type MessageKey, type Translator } from "#app/i18n/i18n.ts";

export interface CatalogueEntry {
  code: string;
  label_en: string;
  label_cy: string;
  parent_code: string | null;
}

/** The coordinator's form for a collection's details, items (chosen, ordered, required) and rules. */
export function CollectionForm({
  t,
  csrfToken,
  catalogue,
  input,
  problems,
  codeEditable,
  submitLabel,
}: {
  t: Translator;
  csrfToken: string;
  catalogue: CatalogueEntry[];
  input: CollectionInput;
  problems: Partial<Record<CollectionField, MessageKey>>;
  codeEditable: boolean;
  submitLabel: string;
}) {
  const error = (field: CollectionField) => (problems[field] ? t(problems[field]!) : undefined);
  const prefix = t("page.errorPrefix");
  const chosen = new Map(input.items.map((i) => [i.code, i]));
  return (
    <form method="post" noValidate>
      <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
      {codeEditable ? (
        <TextInput
          id="code"
          name="code"
          label={t("collectionForm.code")}
          hint={t("collectionForm.codeHint")}
          defaultValue={input.code}
          error={error("code")}
          errorPrefix={prefix}
          spellCheck={false}
        />
      ) : (
        <input type="hidden" name="code" value={input.code} />
      )}
      <TextInput
        id="title_en"
        name="title_en"
        label={t("collectionForm.titleEn")}
        defaultValue={input.title_en}
        error={error("title_en")}
        errorPrefix={prefix}
      />
      <TextInput
        id="title_cy"
        name="title_cy"
        label={t("collectionForm.titleCy")}
        defaultValue={input.title_cy}
        error={error("title_cy")}
        errorPrefix={prefix}
      />
      <Textarea
        id="guidance_en"
        name="guidance_en"
        label={t("collectionForm.guidanceEn")}
        defaultValue={input.guidance_en}
        error={error("guidance_en")}
        errorPrefix={prefix}
      />
      <Textarea
        id="guidance_cy"
        name="guidance_cy"
        label={t("collectionForm.guidanceCy")}
        defaultValue={input.guidance_cy}
        error={error("guidance_cy")}
        errorPrefix={prefix}
      />
      {(["reference_date", "opens_on", "due_on"] as const).map((field) => (
        <TextInput
          key={field}
          id={field}
          name={field}
          label={t(`collectionForm.${field}`)}
          hint={t("collectionForm.dateHint")}
          width={10}
          defaultValue={input[field]}
          error={error(field)}
          errorPrefix={prefix}
        />
      ))}
      <div className={`govuk-form-group${problems.items ? " govuk-form-group--error" : ""}`} id="items">
        <fieldset className="govuk-fieldset">
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--m">{t("collectionForm.items")}</legend>
          <div className="govuk-hint">{t("collectionForm.itemsHint")}</div>
          {problems.items ? (
            <ErrorMessage id="items-error" prefix={prefix}>
              {t(problems.items)}
            </ErrorMessage>
          ) : null}
          <table className="govuk-table">
            <caption className="govuk-table__caption govuk-visually-hidden">{t("collectionForm.items")}</caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                <th scope="col" className="govuk-table__header">
                  {t("collectionForm.item")}
                </th>
                <th scope="col" className="govuk-table__header">
                  {t("collectionForm.position")}
                </th>
                <th scope="col" className="govuk-table__header">
                  {t("collectionForm.required")}
                </th>
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {catalogue.map((item, index) => {
                const current = chosen.get(item.code);
                return (
                  <tr key={item.code} className="govuk-table__row">
                    <td className="govuk-table__cell">
                      <div className="govuk-checkboxes govuk-checkboxes--small">
                        <div className="govuk-checkboxes__item">
                          <input
                            className="govuk-checkboxes__input"
                            id={`item-${item.code}`}
                            name={`item.${item.code}`}
                            type="checkbox"
                            value="yes"
                            defaultChecked={Boolean(current)}
                          />
                          <label className="govuk-label govuk-checkboxes__label" htmlFor={`item-${item.code}`}>
                            {pick(t.lang, item, "label")} <span className="govuk-hint govuk-!-display-block">{item.code}</span>
                          </label>
                        </div>
                      </div>
                    </td>
                    <td className="govuk-table__cell">
                      <label className="govuk-visually-hidden" htmlFor={`position-${item.code}`}>
                        {t("collectionForm.positionOf", { item: pick(t.lang, item, "label") })}
                      </label>
                      <input
                        className="govuk-input govuk-input--width-2"
                        id={`position-${item.code}`}
                        name={`position.${item.code}`}
                        inputMode="numeric"
                        defaultValue={String(current?.position ?? index + 1)}
                      />
                    </td>
                    <td className="govuk-table__cell">
                      <div className="govuk-checkboxes govuk-checkboxes--small">
                        <div className="govuk-checkboxes__item">
                          <input
                            className="govuk-checkboxes__input"
                            id={`required-${item.code}`}
                            name={`required.${item.code}`}
                            type="checkbox"
                            value="yes"
                            defaultChecked={current ? current.required : item.parent_code === null}
                          />
                          <label className="govuk-label govuk-checkboxes__label" htmlFor={`required-${item.code}`}>
                            <span className="govuk-visually-hidden">
                              {t("collectionForm.requiredOf", { item: pick(t.lang, item, "label") })}
                            </span>
                            <span aria-hidden="true">{t("collectionForm.required")}</span>
                          </label>
                        </div>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </fieldset>
      </div>
      <Textarea
        id="rules"
        name="rules"
        label={t("collectionForm.rules")}
        labelClassName="govuk-label govuk-label--m"
        hint={t("collectionForm.rulesHint")}
        defaultValue={input.rules}
        error={error("rules")}
        errorPrefix={prefix}
        rows={4}
      />
      <h2 className="govuk-heading-m">{t("collectionForm.thresholds")}</h2>
      <p className="govuk-body">{t("collectionForm.thresholdsHint")}</p>
      <TextInput
        id="changePercent"
        name="changePercent"
        label={t("collectionForm.changePercent")}
        width={4}
        inputMode="numeric"
        defaultValue={input.changePercent}
        error={error("changePercent")}
        errorPrefix={prefix}
      />
      <TextInput
        id="changeAbsolute"
        name="changeAbsolute"
        label={t("collectionForm.changeAbsolute")}
        width={4}
        inputMode="numeric"
        defaultValue={input.changeAbsolute}
        error={error("changeAbsolute")}
        errorPrefix={prefix}
      />
      <button type="submit" name="intent" value="save" className="govuk-button" data-module="govuk-button">
        {submitLabel}
      </button>
    </form>
  );
}
