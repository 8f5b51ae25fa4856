import type { CollectionInput } from "#app/schema/collection-form.ts";
import { formatRuleLines } from "#app/schema/collection-rules.ts";
import type { CollectionWithItems } from "#app/models/collection.server.ts";
import { field } from "./forms.ts";

/** The posted collection form, as typed. */
export function readCollectionForm(form: FormData, catalogueCodes: string[]): CollectionInput {
  return {
    code: field(form, "code"),
    title_en: field(form, "title_en"),
    title_cy: field(form, "title_cy"),
    guidance_en: field(form, "guidance_en"),
    guidance_cy: field(form, "guidance_cy"),
    reference_date: field(form, "reference_date"),
    opens_on: field(form, "opens_on"),
    due_on: field(form, "due_on"),
    items: catalogueCodes
      .filter((code) => field(form, `item.${code}`) === "yes")
      .map((code) => ({
        code,
        position: Number(field(form, `position.${code}`)) || 999,
        required: field(form, `required.${code}`) === "yes",
      })),
    rules: field(form, "rules"),
    changePercent: field(form, "changePercent"),
    changeAbsolute: field(form, "changeAbsolute"),
  };
}

export function collectionToInput(collection: CollectionWithItems, { code = collection.code } = {}): CollectionInput {
  return {
    code,
    title_en: collection.title_en,
    title_cy: collection.title_cy,
    guidance_en: collection.guidance_en,
    guidance_cy: collection.guidance_cy,
    reference_date: collection.reference_date,
    opens_on: collection.opens_on,
    due_on: collection.due_on,
    items: collection.items.map((i) => ({ code: i.code, position: i.position, required: i.required })),
    rules: formatRuleLines(collection.rules.crossItem),
    changePercent: String(collection.rules.queries.changePercent),
    changeAbsolute: String(collection.rules.queries.changeAbsolute),
  };
}

export const EMPTY_COLLECTION: CollectionInput = {
  code: "",
  title_en: "",
  title_cy: "",
  guidance_en: "",
  guidance_cy: "",
  reference_date: "",
  opens_on: "",
  due_on: "",
  items: [],
  rules: "",
  changePercent: "50",
  changeAbsolute: "10",
};
