import { Fragment, useState } from "react";
import { DateInput, ErrorMessage, TextInput, Textarea, type ErrorItem } from "#app/components/govuk.tsx";
import { DATE_FIELDS, type CollectionInput, type CollectionProblems, type RuleInput } from "#app/schema/collection-form.ts";
import { CSRF_FIELD } from "#app/web/forms.ts";
import { pick, sortForDisplay, type Translator } from "#app/i18n/i18n.ts";

export interface CatalogueEntry {
  code: string;
  label_en: string;
  label_cy: string;
  parent_code: string | null;
}

const RULE_PATH = /^rules\.(\d+)\.(kind|item|parts|limit)$/;
const POSITION_PATH = /^items\.([a-z0-9_]+)\.position$/;

/** The problem's path for an item's place in the order. */
const positionPath = (code: string) => `items.${code}.position`;

/** The id of the control a problem's path is about: a date's day box, a rule's own control, an item's order box. */
function controlId(path: string) {
  const rule = RULE_PATH.exec(path);
  if (rule) return `rule-${rule[1]}-${rule[2]}`;
  const position = POSITION_PATH.exec(path);
  if (position) return `position-${position[1]}`;
  return (DATE_FIELDS as readonly string[]).includes(path) ? `${path}-day` : path;
}

/** A problem's words: a rule's say which rule, an item's order which item. */
function problemText(t: Translator, path: string, problems: CollectionProblems, catalogue: CatalogueEntry[]) {
  const message = t(problems[path]!);
  const rule = RULE_PATH.exec(path);
  if (rule) return t("collectionForm.rule.problem", { n: Number(rule[1]) + 1, message });
  const position = POSITION_PATH.exec(path);
  if (position) {
    const item = catalogue.find((c) => c.code === position[1]);
    return t("collectionForm.position.problem", { label: item ? pick(t.lang, item, "label") : position[1]!, message });
  }
  return message;
}

/** The form's problems for the GOV.UK error summary, each linking to its control. */
export function collectionErrors(t: Translator, problems: CollectionProblems, catalogue: CatalogueEntry[]): ErrorItem[] {
  return Object.keys(problems).map((path) => ({ href: `#${controlId(path)}`, text: problemText(t, path, problems, catalogue) }));
}

const BLANK_RULE: RuleInput = { kind: "", item: "", parts: [], limit: "" };

/** The coordinator's form for a collection's details, items (chosen, ordered, required), rules and thresholds. */
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
  problems: CollectionProblems;
  codeEditable: boolean;
  submitLabel: string;
}) {
  const error = (path: string) => (problems[path] ? problemText(t, path, problems, catalogue) : undefined);
  const prefix = t("page.errorPrefix");
  const chosen = new Map(input.items.map((i) => [i.code, i]));
  // The items asked for first, in their order; then the rest of the catalogue, by name.
  const listed = [
    ...[...input.items].sort((a, b) => a.position - b.position).flatMap((i) => catalogue.filter((c) => c.code === i.code)),
    ...sortForDisplay(
      t.lang,
      catalogue.filter((c) => !chosen.has(c.code)),
      (c) => pick(t.lang, c, "label"),
    ),
  ];
  const rules = input.rules.some((r) => r.kind === "") ? input.rules : [...input.rules, BLANK_RULE];
  const dateLabels = { day: t("form.date.day"), month: t("form.date.month"), year: t("form.date.year") };
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
      {DATE_FIELDS.map((field) => (
        <DateInput
          key={field}
          id={field}
          legend={t(`collectionForm.${field}`)}
          hint={t("collectionForm.dateHint")}
          value={input[field]}
          labels={dateLabels}
          error={error(field)}
          errorPrefix={prefix}
        />
      ))}
      <div className={`govuk-form-group${problems.items ? " govuk-form-group--error" : ""}`}>
        <fieldset className="govuk-fieldset" aria-describedby={`items-hint${problems.items ? " items-error" : ""}`}>
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--m">{t("collectionForm.items")}</legend>
          <div id="items-hint" className="govuk-hint">
            {t("collectionForm.itemsHint")}
          </div>
          {problems.items ? (
            <ErrorMessage id="items-error" prefix={prefix}>
              {t(problems.items)}
            </ErrorMessage>
          ) : null}
          <ol className="govuk-list app-design-items" id="items">
            {listed.map((item, index) => {
              const current = chosen.get(item.code);
              const label = pick(t.lang, item, "label");
              const positionError = error(positionPath(item.code));
              return (
                <li key={item.code} className={`app-design-item${positionError ? " govuk-form-group--error" : ""}`}>
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
                        {label}
                      </label>
                    </div>
                  </div>
                  {positionError ? (
                    <div className="app-design-item__error">
                      <ErrorMessage id={`position-${item.code}-error`} prefix={prefix}>
                        {positionError}
                      </ErrorMessage>
                    </div>
                  ) : null}
                  <div className="app-design-item__details">
                    <label className="govuk-label govuk-body-s app-design-item__order" htmlFor={`position-${item.code}`}>
                      {t("collectionForm.position")}
                      <span className="govuk-visually-hidden"> {label}</span>
                    </label>
                    <input
                      className={`govuk-input govuk-input--width-2${positionError ? " govuk-input--error" : ""}`}
                      id={`position-${item.code}`}
                      name={`position.${item.code}`}
                      inputMode="numeric"
                      defaultValue={String(current?.position ?? index + 1)}
                      aria-describedby={positionError ? `position-${item.code}-error` : undefined}
                    />
                    <div className="govuk-checkboxes govuk-checkboxes--small app-design-item__required">
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
                          {t("collectionForm.required")}
                          <span className="govuk-visually-hidden"> {label}</span>
                        </label>
                      </div>
                    </div>
                  </div>
                </li>
              );
            })}
          </ol>
        </fieldset>
      </div>
      <h2 className="govuk-heading-m">{t("collectionForm.rules")}</h2>
      <p className="govuk-body">{t("collectionForm.rulesHint")}</p>
      {rules.map((rule, i) => (
        <RuleRow
          // biome-ignore lint/suspicious/noArrayIndexKey: a rule row is its position on the form; its fields are named by it
          key={i}
          t={t}
          index={i}
          rule={rule}
          items={listed}
          error={error}
          prefix={prefix}
        />
      ))}
      <button type="submit" name="intent" value="addRule" className="govuk-button govuk-button--secondary" data-module="govuk-button">
        {t("collectionForm.rule.add")}
      </button>
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
      <h3 className="govuk-heading-s">{t("collectionForm.outliers")}</h3>
      <p className="govuk-body">{t("collectionForm.outliersHint")}</p>
      <TextInput
        id="outlierScore"
        name="outlierScore"
        label={t("collectionForm.outlierScore")}
        hint={t("collectionForm.outlierScoreHint")}
        width={4}
        defaultValue={input.outlierScore}
        error={error("outlierScore")}
        errorPrefix={prefix}
      />
      <TextInput
        id="outlierMinPeers"
        name="outlierMinPeers"
        label={t("collectionForm.outlierMinPeers")}
        width={4}
        inputMode="numeric"
        defaultValue={input.outlierMinPeers}
        error={error("outlierMinPeers")}
        errorPrefix={prefix}
      />
      <h2 className="govuk-heading-m">{t("collectionForm.publication")}</h2>
      <TextInput
        id="smallCountMax"
        name="smallCountMax"
        label={t("collectionForm.smallCountMax")}
        hint={t("collectionForm.smallCountMaxHint")}
        width={2}
        inputMode="numeric"
        defaultValue={input.smallCountMax}
        error={error("smallCountMax")}
        errorPrefix={prefix}
      />
      <button type="submit" name="intent" value="save" className="govuk-button" data-module="govuk-button">
        {submitLabel}
      </button>
    </form>
  );
}

/**
 * One rule, built by choosing items: "[item] must equal the sum of [parts]" or "[item] must not
 * exceed [limit]". The kind's radios reveal its own choices, as GOV.UK's conditional reveals do
 * (all shown without JavaScript).
 */
function RuleRow({
  t,
  index,
  rule,
  items,
  error,
  prefix,
}: {
  t: Translator;
  index: number;
  rule: RuleInput;
  items: CatalogueEntry[];
  error: (path: string) => string | undefined;
  prefix: string;
}) {
  const [kind, setKind] = useState(rule.kind);
  const id = (part: string) => `rule-${index}-${part}`;
  const name = (part: string) => `rule.${index}.${part}`;
  const itemError = error(`rules.${index}.item`);
  const partsError = error(`rules.${index}.parts`);
  const limitError = error(`rules.${index}.limit`);
  const kindError = error(`rules.${index}.kind`);
  const anyError = Boolean(kindError || itemError || partsError || limitError);
  const options = (
    <>
      <option value="">{t("collectionForm.rule.choose")}</option>
      {items.map((item) => (
        <option key={item.code} value={item.code}>
          {pick(t.lang, item, "label")}
        </option>
      ))}
    </>
  );
  const kinds = [
    { value: "", label: t("collectionForm.rule.none") },
    { value: "sum_equals", label: t("collectionForm.rule.sum") },
    { value: "not_greater_than", label: t("collectionForm.rule.limit") },
  ];
  return (
    <div className={`govuk-form-group app-rule${anyError ? " govuk-form-group--error" : ""}`}>
      <fieldset className="govuk-fieldset">
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">{t("collectionForm.rule.legend", { n: index + 1 })}</legend>
        <div className={`govuk-form-group${itemError ? " govuk-form-group--error" : ""}`}>
          <label className="govuk-label" htmlFor={id("item")}>
            {t("collectionForm.rule.item")}
          </label>
          {itemError ? (
            <ErrorMessage id={`${id("item")}-error`} prefix={prefix}>
              {itemError}
            </ErrorMessage>
          ) : null}
          <select
            className={`govuk-select${itemError ? " govuk-select--error" : ""}`}
            id={id("item")}
            name={name("item")}
            defaultValue={rule.item}
            aria-describedby={itemError ? `${id("item")}-error` : undefined}
          >
            {options}
          </select>
        </div>
        {kindError ? (
          <ErrorMessage id={`${id("kind")}-error`} prefix={prefix}>
            {kindError}
          </ErrorMessage>
        ) : null}
        <div className="govuk-radios govuk-radios--small">
          {kinds.map((k, i) => (
            <Fragment key={k.value}>
              <div className="govuk-radios__item">
                <input
                  className="govuk-radios__input"
                  id={i === 0 ? id("kind") : id(`kind-${k.value}`)}
                  name={name("kind")}
                  type="radio"
                  value={k.value}
                  defaultChecked={rule.kind === k.value}
                  onChange={() => setKind(k.value)}
                  aria-controls={k.value ? id(`conditional-${k.value}`) : undefined}
                />
                <label className="govuk-label govuk-radios__label" htmlFor={i === 0 ? id("kind") : id(`kind-${k.value}`)}>
                  {k.label}
                </label>
              </div>
              {k.value === "sum_equals" ? (
                <div
                  className={`govuk-radios__conditional${kind === k.value ? "" : " govuk-radios__conditional--hidden"}`}
                  id={id("conditional-sum_equals")}
                >
                  <div className={`govuk-form-group${partsError ? " govuk-form-group--error" : ""}`}>
                    <fieldset className="govuk-fieldset" aria-describedby={partsError ? `${id("parts")}-error` : undefined}>
                      <legend className="govuk-fieldset__legend">{t("collectionForm.rule.parts")}</legend>
                      {partsError ? (
                        <ErrorMessage id={`${id("parts")}-error`} prefix={prefix}>
                          {partsError}
                        </ErrorMessage>
                      ) : null}
                      <div className="govuk-checkboxes govuk-checkboxes--small">
                        {items.map((item, j) => (
                          <div key={item.code} className="govuk-checkboxes__item">
                            <input
                              className="govuk-checkboxes__input"
                              id={j === 0 ? id("parts") : id(`parts-${item.code}`)}
                              name={name("parts")}
                              type="checkbox"
                              value={item.code}
                              defaultChecked={rule.parts.includes(item.code)}
                            />
                            <label
                              className="govuk-label govuk-checkboxes__label"
                              htmlFor={j === 0 ? id("parts") : id(`parts-${item.code}`)}
                            >
                              {pick(t.lang, item, "label")}
                            </label>
                          </div>
                        ))}
                      </div>
                    </fieldset>
                  </div>
                </div>
              ) : k.value === "not_greater_than" ? (
                <div
                  className={`govuk-radios__conditional${kind === k.value ? "" : " govuk-radios__conditional--hidden"}`}
                  id={id("conditional-not_greater_than")}
                >
                  <div className={`govuk-form-group${limitError ? " govuk-form-group--error" : ""}`}>
                    <label className="govuk-label" htmlFor={id("limit")}>
                      {t("collectionForm.rule.limitItem")}
                    </label>
                    {limitError ? (
                      <ErrorMessage id={`${id("limit")}-error`} prefix={prefix}>
                        {limitError}
                      </ErrorMessage>
                    ) : null}
                    <select
                      className={`govuk-select${limitError ? " govuk-select--error" : ""}`}
                      id={id("limit")}
                      name={name("limit")}
                      defaultValue={rule.limit}
                      aria-describedby={limitError ? `${id("limit")}-error` : undefined}
                    >
                      {options}
                    </select>
                  </div>
                </div>
              ) : null}
            </Fragment>
          ))}
        </div>
      </fieldset>
    </div>
  );
}
