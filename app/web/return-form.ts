/**
 * The return form's adapter to the shared schema: field names and ids, reading a posted form into a
 * RawReturn, and turning problems into GOV.UK error messages. Isomorphic.
 */
import { VALUE_STATES, type ValueState } from "#db/types.ts";
import type { CleanValue, Problem, RawReturn, ValueField } from "#app/schema/return-values.ts";
import type { MessageParams, Translator } from "#app/i18n/i18n.ts";

export const NOT_REPORTED_STATES = VALUE_STATES.filter((s) => s !== "reported") as Exclude<ValueState, "reported">[];

/** What the form shows in each field, as text: from the database, or as the person typed it. */
export type FormValue = {
  state: string;
  number: string;
  reason: string;
  ageFrom: string;
  ageTo: string;
  refDay: string;
  refMonth: string;
  refYear: string;
  countingNote: string;
  caveat: string;
  queryExplanation: string;
};
export type FormValues = Record<string, FormValue>;

const FORM_FIELDS = Object.keys({
  state: 0,
  number: 0,
  reason: 0,
  ageFrom: 0,
  ageTo: 0,
  refDay: 0,
  refMonth: 0,
  refYear: 0,
  countingNote: 0,
  caveat: 0,
  queryExplanation: 0,
} satisfies Record<keyof FormValue, 0>) as (keyof FormValue)[];

export const fieldName = (code: string, field: string) => `${code}.${field}`;
export const fieldId = (code: string, field: string) => `${code}-${field}`;
/** Each state that needs a reason has its own reason box, revealed when that state is chosen. */
export const reasonField = (state: string) => `reason-${state}`;

export function toFormValue(value: CleanValue): FormValue {
  const [year = "", month = "", day = ""] = value.referenceDateUsed?.split("-") ?? [];
  return {
    state: value.state ?? "",
    number: value.number === null ? "" : String(value.number),
    reason: value.reason ?? "",
    ageFrom: value.ageFrom === null ? "" : String(value.ageFrom),
    ageTo: value.ageTo === null ? "" : String(value.ageTo),
    refDay: day.replace(/^0/, ""),
    refMonth: month.replace(/^0/, ""),
    refYear: year,
    countingNote: value.countingNote ?? "",
    caveat: value.caveat ?? "",
    queryExplanation: value.queryExplanation ?? "",
  };
}

/** Reads the posted form, item by item, exactly as typed. */
export function readFormValues(form: FormData, itemCodes: string[]): FormValues {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  return Object.fromEntries(
    itemCodes.map((code) => {
      const entry = Object.fromEntries(FORM_FIELDS.map((f) => [f, text(fieldName(code, f))])) as FormValue;
      // The reason box of the chosen state is the reason; the others were hidden from the person.
      entry.reason = NOT_REPORTED_STATES.includes(entry.state as never) ? text(fieldName(code, reasonField(entry.state))) : "";
      return [code, entry];
    }),
  );
}

/**
 * What the shared schema is given: only the fields that go with the chosen state, since GOV.UK
 * forms ignore what was typed into a hidden part of the form when another option was chosen.
 */
export function toRawReturn(values: FormValues): RawReturn {
  return Object.fromEntries(
    Object.entries(values).map(([code, v]) => {
      const reported = v.state === "reported" || v.state === "";
      const dateTyped = [v.refDay, v.refMonth, v.refYear].some((p) => p.trim() !== "");
      return [
        code,
        {
          state: v.state,
          number: reported ? v.number : undefined,
          reason: v.reason,
          ageFrom: reported ? v.ageFrom : undefined,
          ageTo: reported ? v.ageTo : undefined,
          referenceDate: reported && dateTyped ? `${v.refDay.trim()}/${v.refMonth.trim()}/${v.refYear.trim()}` : undefined,
          countingNote: reported ? v.countingNote : undefined,
          caveat: v.caveat,
          queryExplanation: v.queryExplanation,
        },
      ];
    }),
  );
}

/** The id of the field a problem is about, for the error summary's link. */
export function problemFieldId(problem: Problem, state: string) {
  const field: string =
    problem.field === "reason" ? reasonField(NOT_REPORTED_STATES.includes(state as never) ? state : "not_collected") : problem.field;
  if (field === "referenceDate") return fieldId(problem.itemCode, "refDay");
  return fieldId(problem.itemCode, field);
}

/** A problem as the person reads it: the item's label first, other items' codes as their labels. */
export function problemText(t: Translator, problem: Problem, labels: Record<string, string>) {
  const params: MessageParams = { ...problem.params, label: labels[problem.itemCode] ?? problem.itemCode };
  if (typeof params.limitItem === "string") params.limitItem = labels[params.limitItem] ?? params.limitItem;
  if (typeof params.parts === "string") {
    params.parts = params.parts
      .split(",")
      .map((code) => labels[code] ?? code)
      .join(t.lang === "cy" ? " a " : " and ");
  }
  return t(problem.key, params);
}

export const FIELD_OF: Record<ValueField, keyof FormValue> = {
  state: "state",
  number: "number",
  reason: "reason",
  ageFrom: "ageFrom",
  ageTo: "ageTo",
  referenceDate: "refDay",
  countingNote: "countingNote",
  caveat: "caveat",
  queryExplanation: "queryExplanation",
};

export function returnPath(collectionCode: string, authorityCode: string, page = "") {
  return `/returns/${collectionCode}/${authorityCode}${page ? `/${page}` : ""}`;
}

/** The reference an authority quotes about one version of its return. */
export function returnReference(collectionCode: string, authorityCode: string, version: number) {
  return `${authorityCode}-${collectionCode}-v${version}`.toUpperCase();
}
