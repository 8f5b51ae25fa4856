import { useState } from "react";
import type { QueryFinding } from "#app/schema/return-values.ts";
import { ErrorMessage, TextInput, Textarea, WarningText } from "#app/components/govuk.tsx";
import { fieldId, fieldName, NOT_REPORTED_STATES, reasonField, type FormValue } from "#app/web/return-form.ts";
import { formatNumber, type Translator } from "#app/i18n/i18n.ts";

export interface ItemView {
  code: string;
  label: string;
  definition: string;
  ageFrom: number | null;
  ageTo: number | null;
  required: boolean;
}

export interface PreviousView {
  collectionTitle: string;
  text: string;
}

/** One item of the return: its state, number or reason, how it was counted, a caveat, and any queries. */
export function ValueFieldset({
  t,
  item,
  value,
  errors,
  previous,
  queries,
}: {
  t: Translator;
  item: ItemView;
  value: FormValue;
  errors: Partial<Record<keyof FormValue, string>>;
  previous: PreviousView | null;
  queries: QueryFinding[];
}) {
  // The state chosen, so JavaScript can show just the fields that go with it. Without JavaScript
  // every part shows. (govuk-frontend's own radios script would add aria-expanded to the radios,
  // which ARIA does not allow there; this reveals the same way without it.)
  const [chosen, setChosen] = useState(value.state);
  const id = (field: string) => fieldId(item.code, field);
  const name = (field: string) => fieldName(item.code, field);
  const errorPrefix = t("page.errorPrefix");
  const stateError = errors.state;
  const deviationOpen = Boolean(value.ageFrom || value.ageTo || value.refDay || value.refMonth || value.refYear || value.countingNote);
  const dateError = errors.refDay;
  const hintId = id("hint");
  return (
    <div className={`govuk-form-group${stateError ? " govuk-form-group--error" : ""} app-value`} id={`item-${item.code}`}>
      <fieldset className="govuk-fieldset" aria-describedby={[hintId, stateError ? id("state-error") : null].filter(Boolean).join(" ")}>
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--m">
          <h2 className="govuk-fieldset__heading">{item.label}</h2>
        </legend>
        <div id={hintId} className="govuk-hint">
          <p className="govuk-body govuk-hint">{item.definition}</p>
          {previous ? (
            <p className="govuk-body govuk-hint govuk-!-margin-bottom-0">
              {t("form.previous", { round: previous.collectionTitle, value: previous.text })}
            </p>
          ) : null}
          {item.required ? null : <p className="govuk-body govuk-hint govuk-!-margin-bottom-0">{t("form.optional")}</p>}
        </div>
        {stateError ? (
          <ErrorMessage id={id("state-error")} prefix={errorPrefix}>
            {stateError}
          </ErrorMessage>
        ) : null}
        <div className="govuk-radios">
          <div className="govuk-radios__item">
            <input
              className="govuk-radios__input"
              id={id("state")}
              name={name("state")}
              type="radio"
              value="reported"
              defaultChecked={value.state === "reported"}
              onChange={() => setChosen("reported")}
              aria-controls={`conditional-${id("reported")}`}
            />
            <label className="govuk-label govuk-radios__label" htmlFor={id("state")}>
              {t("state.reported")}
            </label>
          </div>
          <div
            className={`govuk-radios__conditional${chosen === "reported" ? "" : " govuk-radios__conditional--hidden"}`}
            id={`conditional-${id("reported")}`}
          >
            <TextInput
              id={id("number")}
              name={name("number")}
              label={t("form.number")}
              hint={t("form.numberHint")}
              inputMode="numeric"
              spellCheck={false}
              width={10}
              defaultValue={value.number}
              error={errors.number}
              errorPrefix={errorPrefix}
            />
            <details
              className="govuk-details"
              open={deviationOpen || Boolean(errors.ageFrom || errors.ageTo || dateError || errors.countingNote)}
            >
              <summary className="govuk-details__summary">
                <span className="govuk-details__summary-text">{t("form.deviation.summary")}</span>
              </summary>
              <div className="govuk-details__text">
                <p className="govuk-body">{t("form.deviation.lead")}</p>
                {item.ageFrom !== null || item.ageTo !== null ? (
                  <p className="govuk-body">{t("form.deviation.standardBand", { from: item.ageFrom ?? "", to: item.ageTo ?? "" })}</p>
                ) : null}
                <TextInput
                  id={id("ageFrom")}
                  name={name("ageFrom")}
                  label={t("form.deviation.ageFrom")}
                  inputMode="numeric"
                  width={3}
                  defaultValue={value.ageFrom}
                  error={errors.ageFrom}
                  errorPrefix={errorPrefix}
                />
                <TextInput
                  id={id("ageTo")}
                  name={name("ageTo")}
                  label={t("form.deviation.ageTo")}
                  inputMode="numeric"
                  width={3}
                  defaultValue={value.ageTo}
                  error={errors.ageTo}
                  errorPrefix={errorPrefix}
                />
                <div className={`govuk-form-group${dateError ? " govuk-form-group--error" : ""}`}>
                  <fieldset
                    className="govuk-fieldset"
                    role="group"
                    aria-describedby={`${id("refDate")}-hint${dateError ? ` ${id("refDate")}-error` : ""}`}
                  >
                    <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">{t("form.deviation.referenceDate")}</legend>
                    <div id={`${id("refDate")}-hint`} className="govuk-hint">
                      {t("form.deviation.referenceDateHint")}
                    </div>
                    {dateError ? (
                      <ErrorMessage id={`${id("refDate")}-error`} prefix={errorPrefix}>
                        {dateError}
                      </ErrorMessage>
                    ) : null}
                    <div className="govuk-date-input">
                      {(
                        [
                          ["refDay", "form.date.day", 2],
                          ["refMonth", "form.date.month", 2],
                          ["refYear", "form.date.year", 4],
                        ] as const
                      ).map(([part, labelKey, width]) => (
                        <div key={part} className="govuk-date-input__item">
                          <div className="govuk-form-group">
                            <label className="govuk-label govuk-date-input__label" htmlFor={id(part)}>
                              {t(labelKey)}
                            </label>
                            <input
                              className={`govuk-input govuk-date-input__input govuk-input--width-${width}${dateError ? " govuk-input--error" : ""}`}
                              id={id(part)}
                              name={name(part)}
                              type="text"
                              inputMode="numeric"
                              defaultValue={value[part]}
                            />
                          </div>
                        </div>
                      ))}
                    </div>
                  </fieldset>
                </div>
                <Textarea
                  id={id("countingNote")}
                  name={name("countingNote")}
                  label={t("form.deviation.countingNote")}
                  hint={t("form.deviation.countingNoteHint")}
                  defaultValue={value.countingNote}
                  error={errors.countingNote}
                  errorPrefix={errorPrefix}
                />
              </div>
            </details>
          </div>
          {NOT_REPORTED_STATES.map((state) => (
            <StateOption
              key={state}
              t={t}
              state={state}
              itemCode={item.code}
              value={value}
              revealed={chosen === state}
              onChoose={() => setChosen(state)}
              error={errors.reason}
            />
          ))}
        </div>
      </fieldset>
      {queries.length > 0 ? (
        <div className="app-queries govuk-!-margin-top-4">
          {queries.map((query) => (
            <WarningText key={query.kind} assistive={t("form.query.assistive")}>
              {t(`query.${query.kind}`, formatParams(t, query.params))}
            </WarningText>
          ))}
          <Textarea
            id={id("queryExplanation")}
            name={name("queryExplanation")}
            label={t("form.query.explanation")}
            labelClassName="govuk-label govuk-label--s"
            hint={t("form.query.explanationHint")}
            defaultValue={value.queryExplanation}
            error={errors.queryExplanation}
            errorPrefix={errorPrefix}
          />
        </div>
      ) : (
        <input type="hidden" name={name("queryExplanation")} value={value.queryExplanation} />
      )}
      <Textarea
        id={id("caveat")}
        name={name("caveat")}
        label={t("form.caveat")}
        labelClassName="govuk-label govuk-label--s"
        hint={t("form.caveatHint")}
        defaultValue={value.caveat}
        error={errors.caveat}
        errorPrefix={errorPrefix}
        rows={2}
      />
    </div>
  );
}

function formatParams(t: Translator, params: Record<string, string | number>) {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === "number" ? formatNumber(t.lang, v, { maximumFractionDigits: 1 }) : v]),
  );
}

function StateOption({
  t,
  state,
  itemCode,
  value,
  revealed,
  onChoose,
  error,
}: {
  t: Translator;
  state: (typeof NOT_REPORTED_STATES)[number];
  itemCode: string;
  value: FormValue;
  revealed: boolean;
  onChoose: () => void;
  error: string | undefined;
}) {
  const chosen = value.state === state;
  const reasonId = fieldId(itemCode, reasonField(state));
  return (
    <>
      <div className="govuk-radios__item">
        <input
          className="govuk-radios__input"
          id={fieldId(itemCode, `state-${state}`)}
          name={fieldName(itemCode, "state")}
          type="radio"
          value={state}
          defaultChecked={chosen}
          onChange={onChoose}
          aria-controls={`conditional-${reasonId}`}
        />
        <label className="govuk-label govuk-radios__label" htmlFor={fieldId(itemCode, `state-${state}`)}>
          {t(`state.${state}`)}
        </label>
      </div>
      <div className={`govuk-radios__conditional${revealed ? "" : " govuk-radios__conditional--hidden"}`} id={`conditional-${reasonId}`}>
        <Textarea
          id={reasonId}
          name={fieldName(itemCode, reasonField(state))}
          label={t(`form.reason.${state}`)}
          defaultValue={chosen ? value.reason : ""}
          error={chosen ? error : undefined}
          errorPrefix={t("page.errorPrefix")}
          rows={2}
        />
      </div>
    </>
  );
}
