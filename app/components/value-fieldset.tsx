import { useEffect, useState } from "react";
import type { Flag } from "#app/schema/return-values.ts";
import { DateInput, ErrorMessage, TextInput, Textarea, WarningText } from "#app/components/govuk.tsx";
import { WrittenText } from "#app/components/written-text.tsx";
import { CANNOT, fieldId, fieldName, MORE_FIELD, NOT_REPORTED_STATES, type FormValue } from "#app/web/return-form.ts";
import { formatDateTime, formatNumber, type Translator } from "#app/i18n/i18n.ts";
import type { ThreadView } from "#app/components/query-threads.tsx";

/** The return form's fields of a reference date, by the date input's boxes. */
const DATE_PARTS = { day: "refDay", month: "refMonth", year: "refYear" } as const;

export interface ItemView {
  code: string;
  /** The item's place in the round, from 1. */
  position: number;
  label: string;
  definition: string;
  ageFrom: number | null;
  ageTo: number | null;
  required: boolean;
}

/** An open query on the item: its thread, and the address of its reply form. */
export interface QueryView {
  thread: ThreadView;
  replyHref: string;
}

export interface PreviousView {
  /** The earlier round's reference date, as the page says dates. */
  date: string;
  text: string;
}

/**
 * One item of the return. The number box shows first, since a number is the common answer;
 * "I cannot give a number" reveals the other states and one reason box. Then any flags, and a
 * note and how it was counted: shown when anything is in them, otherwise behind "Add a note…",
 * a button of the item's form that comes back with them open (see `MORE_FIELD`).
 */
export function ValueFieldset({
  t,
  item,
  value,
  errors,
  previous,
  flags,
  queries,
  formAction,
  moreAsked,
}: {
  t: Translator;
  item: ItemView;
  value: FormValue;
  errors: Partial<Record<keyof FormValue, string>>;
  previous: PreviousView | null;
  /** The automatic checks' flags on this item, each to explain before submitting. */
  flags: Flag[];
  /** The coordinator's open queries on this item: the item is marked, each thread beside its answer. */
  queries: QueryView[];
  /** The address the item's form sends to, without a fragment ("" for the page's own). */
  formAction: string;
  /** "Add a note…" was pressed for this item: its note and how it was counted are shown. */
  moreAsked: boolean;
}) {
  // Whether "I cannot give a number" is ticked, so JavaScript can show its choices only then.
  // Without JavaScript every part shows. (govuk-frontend's own checkboxes script would do the
  // same; this keeps the reveal in React, where the rest of the page is.)
  const [cannot, setCannot] = useState(value.cannot === CANNOT);
  const id = (field: string) => fieldId(item.code, field);
  const name = (field: string) => fieldName(item.code, field);
  const errorPrefix = t("page.errorPrefix");
  const stateError = errors.state;
  const dateError = errors.refDay;
  // The note and how it was counted are left out unless something is in them or they were asked for.
  const [moreClicked, setMoreClicked] = useState(false);
  const moreOpen =
    moreAsked ||
    moreClicked ||
    Boolean(
      value.caveat ||
        value.ageFrom ||
        value.ageTo ||
        value.refDay ||
        value.refMonth ||
        value.refYear ||
        value.countingNote ||
        errors.caveat ||
        errors.ageFrom ||
        errors.ageTo ||
        dateError ||
        errors.countingNote,
    );
  // With JavaScript, "Add a note…" opens the fields where they are and moves to the first of them.
  const caveatId = id("caveat");
  useEffect(() => {
    if (moreClicked) document.getElementById(caveatId)?.focus();
  }, [moreClicked, caveatId]);
  const hintId = id("hint");
  return (
    <div
      className={`govuk-form-group${stateError ? " govuk-form-group--error" : ""} app-value${queries.length > 0 ? " app-value--queried" : ""}`}
      id={`item-${item.code}`}
    >
      <fieldset className="govuk-fieldset" aria-describedby={[hintId, stateError ? id("state-error") : null].filter(Boolean).join(" ")}>
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--m">
          <h2 className="govuk-fieldset__heading">{t("form.itemHeading", { position: item.position, label: item.label })}</h2>
        </legend>
        <div id={hintId} className="govuk-hint">
          <p className="govuk-body govuk-hint">{item.definition}</p>
          {previous ? (
            <p className="govuk-body govuk-hint govuk-!-margin-bottom-0">
              {t("form.previous", { date: previous.date, value: previous.text })}
            </p>
          ) : null}
          {item.required ? null : <p className="govuk-body govuk-hint govuk-!-margin-bottom-0">{t("form.optional")}</p>}
        </div>
        {stateError ? (
          <ErrorMessage id={id("state-error")} prefix={errorPrefix}>
            {stateError}
          </ErrorMessage>
        ) : null}
        <div className="app-value__answer-and-query">
          <div className="app-value__answer">
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
            <div className="govuk-checkboxes govuk-checkboxes--small">
              <div className="govuk-checkboxes__item">
                <input
                  className="govuk-checkboxes__input"
                  id={id("cannot")}
                  name={name("cannot")}
                  type="checkbox"
                  value={CANNOT}
                  defaultChecked={value.cannot === CANNOT}
                  onChange={(event) => setCannot(event.currentTarget.checked)}
                  aria-controls={`conditional-${id("cannot")}`}
                />
                <label className="govuk-label govuk-checkboxes__label" htmlFor={id("cannot")}>
                  {t("form.cannot")}
                </label>
              </div>
              <div
                className={`govuk-checkboxes__conditional${cannot ? "" : " govuk-checkboxes__conditional--hidden"}`}
                id={`conditional-${id("cannot")}`}
              >
                <div className="govuk-form-group">
                  <fieldset className="govuk-fieldset">
                    <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">{t("form.cannotWhy")}</legend>
                    <div className="govuk-radios govuk-radios--small">
                      {NOT_REPORTED_STATES.map((state, i) => (
                        <div key={state} className="govuk-radios__item">
                          <input
                            className="govuk-radios__input"
                            id={i === 0 ? id("state") : id(`state-${state}`)}
                            name={name("state")}
                            type="radio"
                            value={state}
                            defaultChecked={value.state === state}
                          />
                          <label className="govuk-label govuk-radios__label" htmlFor={i === 0 ? id("state") : id(`state-${state}`)}>
                            {t(`state.${state}`)}
                          </label>
                        </div>
                      ))}
                    </div>
                  </fieldset>
                </div>
                <Textarea
                  id={id("reason")}
                  name={name("reason")}
                  label={t("form.reason")}
                  hint={t("form.reasonHint")}
                  defaultValue={value.reason}
                  error={errors.reason}
                  errorPrefix={errorPrefix}
                  rows={2}
                />
              </div>
            </div>
          </div>
          {queries.map((query) => (
            <QueryBeside key={query.thread.id} t={t} query={query} itemLabel={item.label} />
          ))}
        </div>
      </fieldset>
      {flags.length > 0 ? (
        <div className="govuk-!-margin-top-4">
          {flags.map((flag) => (
            <WarningText key={flag.kind} assistive={t("form.flag.assistive")}>
              {t(`flag.explain.${flag.kind}`, formatParams(t, flag.params))}
            </WarningText>
          ))}
          <Textarea
            id={id("queryExplanation")}
            name={name("queryExplanation")}
            label={t("form.flag.explanation")}
            labelClassName="govuk-label govuk-label--s"
            hint={t("form.flag.explanationHint")}
            defaultValue={value.queryExplanation}
            error={errors.queryExplanation}
            errorPrefix={errorPrefix}
          />
        </div>
      ) : (
        <input type="hidden" name={name("queryExplanation")} value={value.queryExplanation} />
      )}
      {moreOpen ? (
        <div className="govuk-!-margin-top-4">
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
          <h3 className="govuk-heading-s">{t("form.deviation.summary")}</h3>
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
          <DateInput
            id={id("refDate")}
            legend={t("form.deviation.referenceDate")}
            hint={t("form.deviation.referenceDateHint")}
            error={dateError}
            errorPrefix={errorPrefix}
            value={{ day: value.refDay, month: value.refMonth, year: value.refYear }}
            labels={{ day: t("form.date.day"), month: t("form.date.month"), year: t("form.date.year") }}
            partId={(part) => id(DATE_PARTS[part])}
            partName={(part) => name(DATE_PARTS[part])}
          />
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
      ) : (
        // Without JavaScript it sends the form as typed, and the page comes back with these fields
        // open, scrolled to them: nothing typed is lost, nothing is saved.
        <button
          type="submit"
          name={MORE_FIELD}
          value={item.code}
          formAction={`${formAction}#${caveatId}`}
          className="govuk-button govuk-button--secondary govuk-!-margin-top-4 govuk-!-margin-bottom-0"
          data-module="govuk-button"
          onClick={(event) => {
            event.preventDefault();
            setMoreClicked(true);
          }}
        >
          {t("form.more.button")}
          <span className="govuk-visually-hidden">{` ${t("form.more.about", { label: item.label })}`}</span>
        </button>
      )}
    </div>
  );
}

/**
 * A form's default button, first in it: Enter in a text box presses the first submit button of its
 * form, which would otherwise be the first item's "Add a note…". Not shown (the same button is at
 * the end of the form), so neither focusable nor read out. Without a name it is disabled, and
 * Enter sends nothing (the preview).
 */
export function DefaultButton({ name, value }: { name?: string; value?: string }) {
  return <button type="submit" name={name} value={value} disabled={!name} hidden />;
}

/** A query's thread beside the figure it asks about, with the way to its reply form (a form cannot sit inside the return's). */
function QueryBeside({ t, query, itemLabel }: { t: Translator; query: QueryView; itemLabel: string }) {
  return (
    <div className="app-value__query" id={`item-query-${query.thread.id}`}>
      <h3 className="govuk-heading-s govuk-!-margin-bottom-2">{t("form.query.title")}</h3>
      {query.thread.messages.map((message) => (
        <div key={message.id}>
          <p className="govuk-body-s govuk-!-margin-bottom-1">
            {t("queries.byline", { name: message.author_name, at: formatDateTime(t.lang, message.at) })}
          </p>
          <WrittenText t={t} as="p" className="govuk-body app-preserve-lines" text={message.body} lang={message.lang} />
        </div>
      ))}
      <p className="govuk-body govuk-!-margin-bottom-0">
        <a className="govuk-link" href={query.replyHref}>
          {t("form.query.reply")}
          <span className="govuk-visually-hidden"> {t("form.query.replyAbout", { label: itemLabel })}</span>
        </a>
      </p>
    </div>
  );
}

function formatParams(t: Translator, params: Record<string, string | number>) {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === "number" ? formatNumber(t.lang, v, { maximumFractionDigits: 1 }) : v]),
  );
}
