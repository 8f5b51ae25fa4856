/** GOV.UK Design System components, as govuk-frontend's own templates render them. */
import { Link, useActionData } from "@remix-run/react";
import { useEffect, useId, useRef, type ReactNode } from "react";

/** A paragraph that is one link: on to another page, or back to the one the person came from. */
export function ParagraphLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <p className="govuk-body">
      <Link className="govuk-link" to={to}>
        {children}
      </Link>
    </p>
  );
}

export interface ErrorItem {
  href: string;
  text: string;
}

export function ErrorSummary({ title, errors }: { title: string; errors: ErrorItem[] }) {
  const ref = useRef<HTMLDivElement>(null);
  // Focus moves here when the problems change or a form comes back refused again, not whenever the
  // page renders: choosing a radio button re-renders it, and must leave focus on that button.
  const problems = errors.map((error) => `${error.href} ${error.text}`).join("\n");
  const refusal = useActionData();
  // biome-ignore lint/correctness/useExhaustiveDependencies: a refusal is a new object each time a form comes back, which is when focus should move.
  useEffect(() => {
    if (problems === "") return;
    // Arriving from another page's error link (the check page's, say) at a field: that field, not
    // this summary, is where the person was sent, as a page without scripts would leave them.
    const target = window.location.hash ? document.getElementById(decodeURIComponent(window.location.hash.slice(1))) : null;
    if (target && !ref.current?.contains(target)) {
      (target.closest(".govuk-form-group") ?? target).scrollIntoView();
      target.focus({ preventScroll: true });
    } else ref.current?.focus();
  }, [problems, refusal]);
  if (errors.length === 0) return null;
  // Focus is this component's to give (above), so govuk-frontend's script does not take it too.
  return (
    <div className="govuk-error-summary" data-module="govuk-error-summary" data-disable-auto-focus="true" ref={ref} tabIndex={-1}>
      <div role="alert">
        <h2 className="govuk-error-summary__title">{title}</h2>
        <div className="govuk-error-summary__body">
          <ul className="govuk-list govuk-error-summary__list">
            {errors.map((error) => (
              <li key={`${error.href}:${error.text}`}>
                <a href={error.href}>{error.text}</a>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}

export function ErrorMessage({ id, prefix, children }: { id: string; prefix: string; children: ReactNode }) {
  return (
    <p id={id} className="govuk-error-message">
      <span className="govuk-visually-hidden">{prefix}</span> {children}
    </p>
  );
}

interface FieldProps {
  id: string;
  name: string;
  label: ReactNode;
  labelClassName?: string;
  hint?: ReactNode;
  error?: string;
  errorPrefix: string;
  defaultValue?: string;
}

/** A form group's label, hint and error message, around the control itself. */
export function FieldGroup({
  id,
  label,
  labelClassName = "govuk-label",
  hint,
  error,
  errorPrefix,
  children,
}: Pick<FieldProps, "id" | "label" | "labelClassName" | "hint" | "error" | "errorPrefix"> & { children: ReactNode }) {
  return (
    <div className={`govuk-form-group${error ? " govuk-form-group--error" : ""}`}>
      <label className={labelClassName} htmlFor={id}>
        {label}
      </label>
      {hint ? (
        <div id={`${id}-hint`} className="govuk-hint">
          {hint}
        </div>
      ) : null}
      {error ? (
        <ErrorMessage id={`${id}-error`} prefix={errorPrefix}>
          {error}
        </ErrorMessage>
      ) : null}
      {children}
    </div>
  );
}

export function describedBy(id: string, hint: unknown, error: unknown) {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
}

/** What every field's control carries: its id and name, its value, and its hint and error for screen readers. */
function controlProps({ id, name, hint, error, defaultValue }: FieldProps) {
  return { id, name, defaultValue, "aria-describedby": describedBy(id, hint, error) };
}

export function TextInput({
  type = "text",
  autoComplete,
  inputMode,
  width,
  spellCheck,
  ...field
}: FieldProps & {
  type?: string;
  autoComplete?: string;
  inputMode?: "numeric" | "text" | "email";
  width?: 2 | 3 | 4 | 5 | 10 | 20 | 30;
  spellCheck?: boolean;
}) {
  return (
    <FieldGroup {...field}>
      <input
        className={`govuk-input${width ? ` govuk-input--width-${width}` : ""}${field.error ? " govuk-input--error" : ""}`}
        {...controlProps(field)}
        type={type}
        autoComplete={autoComplete}
        inputMode={inputMode}
        spellCheck={spellCheck}
      />
    </FieldGroup>
  );
}

export function Textarea({ rows = 3, ...field }: FieldProps & { rows?: number }) {
  return (
    <FieldGroup {...field}>
      <textarea className={`govuk-textarea${field.error ? " govuk-textarea--error" : ""}`} {...controlProps(field)} rows={rows} />
    </FieldGroup>
  );
}

export function Select({ options, ...field }: FieldProps & { options: { value: string; text: string }[] }) {
  return (
    <FieldGroup {...field}>
      <select className={`govuk-select${field.error ? " govuk-select--error" : ""}`} {...controlProps(field)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.text}
          </option>
        ))}
      </select>
    </FieldGroup>
  );
}

/** One row of a summary list without actions: a key and its value (`lang` where the value is in the other language). */
export function SummaryRow({ label, id, lang, children }: { label: ReactNode; id?: string; lang?: string; children: ReactNode }) {
  return (
    <div className="govuk-summary-list__row" id={id}>
      <dt className="govuk-summary-list__key">{label}</dt>
      <dd className="govuk-summary-list__value" lang={lang}>
        {children}
      </dd>
    </div>
  );
}

export function SummaryList({ rows }: { rows: { key: ReactNode; value: ReactNode; action?: ReactNode; id?: string; error?: boolean }[] }) {
  return (
    <dl className="govuk-summary-list">
      {rows.map((row, i) => (
        <div
          key={row.id ?? i}
          id={row.id}
          className={`govuk-summary-list__row${row.action ? "" : " govuk-summary-list__row--no-actions"}${row.error ? " app-summary-list__row--error" : ""}`}
        >
          <dt className="govuk-summary-list__key">{row.key}</dt>
          <dd className="govuk-summary-list__value">{row.value}</dd>
          {row.action ? <dd className="govuk-summary-list__actions">{row.action}</dd> : null}
        </div>
      ))}
    </dl>
  );
}

/** A column heading: its text, whether the column holds numbers (aligned right), and its sort state where it sorts. */
export interface TableHeading {
  text: ReactNode;
  numeric?: boolean;
  ariaSort?: "ascending" | "descending" | "none";
  key?: string;
}

/**
 * The box a table scrolls sideways in when it is wider than the page: a region named by the table's
 * caption and in the tab order, so that it can be scrolled from the keyboard too (WCAG 2.1.1).
 */
export function TableWrapper({ captionId, children }: { captionId: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus for the keyboard to scroll it.
    <div className="app-table-wrapper" role="region" aria-labelledby={captionId} tabIndex={0}>
      {children}
    </div>
  );
}

/** A GOV.UK table in the wrapper that scrolls it on a narrow screen: its caption, its column headings, then the rows given. */
export function Table({
  caption,
  captionClassName,
  headings,
  stacked = false,
  children,
}: {
  caption: ReactNode;
  /** The caption's size (`govuk-table__caption--m`), or `govuk-visually-hidden` where a heading says it already. */
  captionClassName: string;
  headings: (ReactNode | TableHeading)[];
  /** On a narrow screen each row is stacked, each cell under its column's name (the cells' `data-label`). */
  stacked?: boolean;
  children: ReactNode;
}) {
  const captionId = useId();
  return (
    <TableWrapper captionId={captionId}>
      <table className={stacked ? "govuk-table app-responsive-table" : "govuk-table"}>
        <caption id={captionId} className={`govuk-table__caption ${captionClassName}`}>
          {caption}
        </caption>
        <thead className="govuk-table__head">
          <tr className="govuk-table__row">
            {headings.map((heading, i) => {
              const { text, numeric, ariaSort, key } = isHeading(heading) ? heading : { text: heading };
              return (
                <th
                  key={key ?? i}
                  scope="col"
                  className={numeric ? "govuk-table__header app-numeric" : "govuk-table__header"}
                  aria-sort={ariaSort}
                >
                  {text}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="govuk-table__body">{children}</tbody>
      </table>
    </TableWrapper>
  );
}

function isHeading(heading: ReactNode | TableHeading): heading is TableHeading {
  return typeof heading === "object" && heading !== null && "text" in heading;
}

export function WarningText({ assistive, children }: { assistive: string; children: ReactNode }) {
  return (
    <div className="govuk-warning-text">
      <span className="govuk-warning-text__icon" aria-hidden="true">
        !
      </span>
      <strong className="govuk-warning-text__text">
        <span className="govuk-visually-hidden">{assistive}</span>
        {children}
      </strong>
    </div>
  );
}

export function NotificationBanner({ title, success = false, children }: { title: string; success?: boolean; children: ReactNode }) {
  return (
    <div
      className={`govuk-notification-banner${success ? " govuk-notification-banner--success" : ""}`}
      role={success ? "alert" : "region"}
      aria-labelledby="notification-banner-title"
      data-module="govuk-notification-banner"
    >
      <div className="govuk-notification-banner__header">
        <h2 className="govuk-notification-banner__title" id="notification-banner-title">
          {title}
        </h2>
      </div>
      <div className="govuk-notification-banner__content">{children}</div>
    </div>
  );
}

/** GOV.UK's date input: day, month and year boxes in a fieldset, named `<name>-day` and so on. */
export function DateInput({
  id,
  legend,
  hint,
  error,
  errorPrefix,
  value,
  labels,
  partId = (part) => `${id}-${part}`,
  partName = partId,
}: {
  id: string;
  legend: ReactNode;
  hint: ReactNode;
  error?: string;
  errorPrefix: string;
  value: { day: string; month: string; year: string };
  labels: { day: string; month: string; year: string };
  /** Each box's id and name, where a form names them its own way (the return form's `<item>.refDay`). */
  partId?: (part: "day" | "month" | "year") => string;
  partName?: (part: "day" | "month" | "year") => string;
}) {
  return (
    <div className={`govuk-form-group${error ? " govuk-form-group--error" : ""}`}>
      <fieldset className="govuk-fieldset" role="group" aria-describedby={describedBy(id, hint, error)}>
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
        <div id={`${id}-hint`} className="govuk-hint">
          {hint}
        </div>
        {error ? (
          <ErrorMessage id={`${id}-error`} prefix={errorPrefix}>
            {error}
          </ErrorMessage>
        ) : null}
        <div className="govuk-date-input" id={id}>
          {(["day", "month", "year"] as const).map((part) => (
            <div key={part} className="govuk-date-input__item">
              <div className="govuk-form-group">
                <label className="govuk-label govuk-date-input__label" htmlFor={partId(part)}>
                  {labels[part]}
                </label>
                <input
                  className={`govuk-input govuk-date-input__input govuk-input--width-${part === "year" ? 4 : 2}${error ? " govuk-input--error" : ""}`}
                  id={partId(part)}
                  name={partName(part)}
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
  );
}

/** Radios in a fieldset with its legend and error message. */
export function RadioGroup({
  name,
  legend,
  error,
  errorPrefix,
  inline = false,
  hint,
  children,
}: {
  name: string;
  legend: string;
  error?: string;
  errorPrefix: string;
  inline?: boolean;
  hint?: string;
  children: ReactNode;
}) {
  const describedBy = [hint ? `${name}-hint` : null, error ? `${name}-error` : null].filter(Boolean).join(" ");
  return (
    <div className={`govuk-form-group${error ? " govuk-form-group--error" : ""}`}>
      <fieldset className="govuk-fieldset" aria-describedby={describedBy || undefined}>
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--m">{legend}</legend>
        {hint ? (
          <div id={`${name}-hint`} className="govuk-hint">
            {hint}
          </div>
        ) : null}
        {error ? (
          <ErrorMessage id={`${name}-error`} prefix={errorPrefix}>
            {error}
          </ErrorMessage>
        ) : null}
        <div className={`govuk-radios${inline ? " govuk-radios--inline" : ""}`}>{children}</div>
      </fieldset>
    </div>
  );
}

export function Radio({
  id,
  name,
  value,
  label,
  hint,
  checked,
  controls,
  onChange,
}: {
  id: string;
  name: string;
  value: string;
  label: string;
  hint?: string;
  checked: boolean;
  controls?: string;
  onChange?: () => void;
}) {
  return (
    <div className="govuk-radios__item">
      <input
        className="govuk-radios__input"
        id={id}
        name={name}
        type="radio"
        value={value}
        defaultChecked={checked}
        aria-controls={controls}
        onChange={onChange}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      <label className="govuk-label govuk-radios__label" htmlFor={id}>
        {label}
      </label>
      {hint ? (
        <div id={`${id}-hint`} className="govuk-hint govuk-radios__hint">
          {hint}
        </div>
      ) : null}
    </div>
  );
}
