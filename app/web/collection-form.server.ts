import type { CollectionInput, DateInput, RuleInput } from "#app/schema/collection-form.ts";
import type { CollectionWithItems } from "#app/models/collection.server.ts";
import { DEFAULT_SMALL_COUNT_MAX } from "#app/domain/disclosure.ts";
import { field } from "./forms.ts";

/** Rows of rules a form may carry: far more than any round has. */
const MAX_RULES = 50;

function readDate(form: FormData, name: string): DateInput {
  return { day: field(form, `${name}-day`), month: field(form, `${name}-month`), year: field(form, `${name}-year`) };
}

/** The posted collection form, as typed. */
export function readCollectionForm(form: FormData, catalogueCodes: string[]): CollectionInput {
  const rules: RuleInput[] = [];
  for (let i = 0; i < MAX_RULES && form.has(`rule.${i}.kind`); i++) {
    rules.push({
      kind: field(form, `rule.${i}.kind`),
      item: field(form, `rule.${i}.item`),
      parts: form.getAll(`rule.${i}.parts`).filter((p): p is string => typeof p === "string"),
      limit: field(form, `rule.${i}.limit`),
    });
  }
  return {
    code: field(form, "code"),
    title_en: field(form, "title_en"),
    title_cy: field(form, "title_cy"),
    guidance_en: field(form, "guidance_en"),
    guidance_cy: field(form, "guidance_cy"),
    reference_date: readDate(form, "reference_date"),
    opens_on: readDate(form, "opens_on"),
    due_on: readDate(form, "due_on"),
    items: catalogueCodes
      .filter((code) => field(form, `item.${code}`) === "yes")
      .map((code) => ({
        code,
        position: Number(field(form, `position.${code}`)) || 999,
        required: field(form, `required.${code}`) === "yes",
      })),
    rules,
    changePercent: field(form, "changePercent"),
    changeAbsolute: field(form, "changeAbsolute"),
    outlierScore: field(form, "outlierScore"),
    outlierMinPeers: field(form, "outlierMinPeers"),
    smallCountMax: field(form, "smallCountMax"),
  };
}

/** A saved ISO date, back in the three boxes it was typed in. */
function dateInput(iso: string): DateInput {
  const [year = "", month = "", day = ""] = iso.split("-");
  return { day: String(Number(day)), month: String(Number(month)), year };
}

export function collectionToInput(collection: CollectionWithItems, { code = collection.code } = {}): CollectionInput {
  const { crossItem, queries, smallCountMax } = collection.rules;
  return {
    code,
    title_en: collection.title_en,
    title_cy: collection.title_cy,
    guidance_en: collection.guidance_en,
    guidance_cy: collection.guidance_cy,
    reference_date: dateInput(collection.reference_date),
    opens_on: dateInput(collection.opens_on),
    due_on: dateInput(collection.due_on),
    items: collection.items.map((i) => ({ code: i.code, position: i.position, required: i.required })),
    rules: crossItem.map((r) =>
      r.kind === "sum_equals"
        ? { kind: r.kind, item: r.total, parts: r.parts, limit: "" }
        : { kind: r.kind, item: r.item, parts: [], limit: r.limit },
    ),
    changePercent: String(queries.changePercent),
    changeAbsolute: String(queries.changeAbsolute),
    outlierScore: String(queries.outlierScore),
    outlierMinPeers: String(queries.outlierMinPeers),
    smallCountMax: String(smallCountMax),
  };
}

const NO_DATE: DateInput = { day: "", month: "", year: "" };

export const EMPTY_COLLECTION: CollectionInput = {
  code: "",
  title_en: "",
  title_cy: "",
  guidance_en: "",
  guidance_cy: "",
  reference_date: NO_DATE,
  opens_on: NO_DATE,
  due_on: NO_DATE,
  items: [],
  rules: [],
  changePercent: "50",
  changeAbsolute: "10",
  outlierScore: "3.5",
  outlierMinPeers: "5",
  smallCountMax: String(DEFAULT_SMALL_COUNT_MAX),
};
