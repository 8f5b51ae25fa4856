/**
 * The return form's adapter to the shared schema: field names and ids, reading a posted form into a
 * RawReturn, and turning problems into GOV.UK error messages. Isomorphic.
 */
import { VALUE_STATES, type ValueState } from "#db/types.ts";
import type { CleanValue, Problem, RawReturn, ValueField } from "#app/schema/return-values.ts";
import type { MessageKey, MessageParams, Translator } from "#app/i18n/i18n.ts";
import type { CrossItemRule } from "#app/schema/collection-rules.ts";
import { returnSections, sectionOf, type SectionItem } from "#app/domain/return-sections.ts";

export const NOT_REPORTED_STATES = VALUE_STATES.filter((s) => s !== "reported") as Exclude<ValueState, "reported">[];

/**
 * What the form shows in each field, as text: from the database, or as the person typed it.
 * `cannot` is the "I cannot give a number" box: ticked, it reveals the other states and one reason box.
 */
export type FormValue = {
  cannot: string;
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
  cannot: 0,
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
/** The value the "I cannot give a number" box posts when ticked. */
export const CANNOT = "yes";
/**
 * The field an item's "Add a note…" button sends, naming the item: the form comes back as typed with
 * that item's note and how it was counted open (posted to the return, in the address of the preview).
 */
export const MORE_FIELD = "more";

export function toFormValue(value: CleanValue): FormValue {
  const [year = "", month = "", day = ""] = value.referenceDateUsed?.split("-") ?? [];
  return {
    cannot: value.state !== null && value.state !== "reported" ? CANNOT : "",
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

/**
 * Reads the posted form, item by item, exactly as typed. The state and the reason are read only
 * when "I cannot give a number" is ticked: unticked, they were hidden from the person, and GOV.UK
 * forms ignore what was typed into a hidden part of the form: what is typed in the number box is reported.
 */
export function readFormValues(form: FormData, itemCodes: string[]): FormValues {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  return Object.fromEntries(
    itemCodes.map((code) => {
      const entry = Object.fromEntries(FORM_FIELDS.map((f) => [f, text(fieldName(code, f))])) as FormValue;
      if (entry.cannot !== CANNOT) {
        entry.cannot = "";
        entry.state = entry.number.trim() ? "reported" : "";
        entry.reason = "";
      }
      return [code, entry];
    }),
  );
}

/** What the shared schema is given: every field the person could see, so that a contradiction is an error, never a guess. */
export function toRawReturn(values: FormValues): RawReturn {
  return Object.fromEntries(
    Object.entries(values).map(([code, v]) => {
      const dateTyped = [v.refDay, v.refMonth, v.refYear].some((p) => p.trim() !== "");
      return [
        code,
        {
          state: v.state,
          number: v.number,
          reason: v.reason,
          ageFrom: v.ageFrom,
          ageTo: v.ageTo,
          referenceDate: dateTyped ? `${v.refDay.trim()}/${v.refMonth.trim()}/${v.refYear.trim()}` : undefined,
          countingNote: v.countingNote,
          caveat: v.caveat,
          queryExplanation: v.queryExplanation,
        },
      ];
    }),
  );
}

/**
 * The id of the field a problem is about, for the error summary's link: a missing or wrong state
 * is fixed in the number box, or, with "I cannot give a number" ticked, in its choices.
 */
export function problemFieldId(problem: Problem, value: Pick<FormValue, "cannot"> | undefined) {
  if (problem.field === "referenceDate") return fieldId(problem.itemCode, "refDay");
  if (problem.field === "state") return fieldId(problem.itemCode, value?.cannot === CANNOT ? "state" : "number");
  return fieldId(problem.itemCode, problem.field);
}

/**
 * Where each field stands in an item's part of the form, top to bottom: a state's error is shown at
 * the top of the item, its note and how it was counted (caveat, ages, date, counting note) come last.
 */
const PAGE_POSITION: Record<ValueField, number> = {
  state: 0,
  number: 1,
  reason: 2,
  queryExplanation: 3,
  caveat: 4,
  ageFrom: 5,
  ageTo: 6,
  referenceDate: 7,
  countingNote: 8,
};

/**
 * Problems in the order of their fields on the page, for the error summary: item by item in the
 * round's order, each item's fields top to bottom. The shared schema finds them in its own order
 * (a date before an age band, the rules across items after every item).
 */
export function inPageOrder(problems: Problem[], itemCodes: string[]) {
  const item = (p: Problem) => itemCodes.indexOf(p.itemCode);
  return [...problems].sort((a, b) => item(a) - item(b) || PAGE_POSITION[a.field] - PAGE_POSITION[b.field]);
}

/** A problem as the person reads it: the item's label first, other items' codes as their labels. */
export function problemText(t: Translator, problem: Problem, labels: Record<string, string>) {
  const params: MessageParams = { ...problem.params, label: labels[problem.itemCode] ?? problem.itemCode };
  if (typeof params.limitItem === "string") params.limitItem = labels[params.limitItem] ?? params.limitItem;
  if (typeof params.parts === "string") {
    // Each name after the first is joined as the language joins it: in Welsh after "ar gyfer", as "a" would mutate it.
    const names = params.parts.split(",").map((code) => labels[code] ?? code);
    params.parts = names.reduce((parts, part, i) =>
      t(i === names.length - 1 ? "form.rule.parts.last" : "form.rule.parts.more", { parts, part }),
    );
  }
  return t(problem.key, params);
}

/** A rule across items as the form states it, in the items' labels. */
export function ruleText(t: Translator, rule: CrossItemRule, labels: Record<string, string>) {
  return rule.kind === "not_greater_than"
    ? problemText(t, { itemCode: rule.item, field: "number", key: "form.rule.notGreaterThan", params: { limitItem: rule.limit } }, labels)
    : problemText(
        t,
        { itemCode: rule.total, field: "number", key: "form.rule.sumEquals", params: { parts: rule.parts.join(",") } },
        labels,
      );
}

/**
 * The shared schema's messages name its answers as a spreadsheet or the API gives them; on the
 * form, these say what to do with the form's own controls.
 */
const FORM_WORDING: Partial<Record<MessageKey, MessageKey>> = {
  "error.state.required": "form.error.numberOrReason",
  "error.state.missingForReason": "form.error.chooseWhy",
  "error.state.invalid": "form.error.chooseWhy",
  "error.number.notWithState": "form.error.numberAndCannot",
  "error.deviation.onlyWithNumber": "form.error.deviationWithoutNumber",
};

/** A problem as the form and its check page say it. */
export function formProblemText(t: Translator, problem: Problem, labels: Record<string, string>) {
  return problemText(t, { ...problem, key: FORM_WORDING[problem.key] ?? problem.key }, labels);
}

/** Each item's problems, as the form says them, for marking its row. */
export function problemsByItem(t: Translator, problems: Problem[], labels: Record<string, string>) {
  const byItem: Record<string, string[]> = {};
  for (const p of problems) byItem[p.itemCode] = [...(byItem[p.itemCode] ?? []), formProblemText(t, p, labels)];
  return byItem;
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

/**
 * The form's address for one item: its section's page when the round is in sections; `check`
 * asks the form to show what the check page found.
 */
export function itemFormPath(
  collectionCode: string,
  authorityCode: string,
  items: SectionItem[],
  itemCode: string,
  { check = false } = {},
) {
  const section = sectionOf(returnSections(items), itemCode);
  const query = new URLSearchParams();
  if (section) query.set("section", String(section.number));
  if (check) query.set("check", "1");
  const search = query.toString();
  return `${returnPath(collectionCode, authorityCode)}${search ? `?${search}` : ""}`;
}

/** The reference an authority quotes about one version of its return. */
export function returnReference(collectionCode: string, authorityCode: string, version: number) {
  return `${authorityCode}-${collectionCode}-v${version}`.toUpperCase();
}
