/** What a coordinator may enter for a new catalogue item. Isomorphic; each problem is a message key. */
import type { MessageKey } from "#app/i18n/i18n.ts";
import { parseWholeNumber } from "./return-values.ts";

export const DATA_ITEM_FIELDS = [
  "code",
  "label_en",
  "label_cy",
  "definition_en",
  "definition_cy",
  "min_value",
  "max_value",
  "age_from",
  "age_to",
  "parent_code",
  "denominator_code",
] as const;
export type DataItemField = (typeof DATA_ITEM_FIELDS)[number];
export type DataItemInput = Record<DataItemField, string>;

export interface DataItemDraft {
  code: string;
  label_en: string;
  label_cy: string;
  definition_en: string;
  definition_cy: string;
  min_value: number;
  max_value: number | null;
  age_from: number | null;
  age_to: number | null;
  parent_code: string | null;
  denominator_code: string | null;
}

/** An item's denominator as a form gives it: empty for the round's own, else the code of a loaded denominator. */
export function parseDenominatorChoice(value: string, denominatorCodes: string[]): { ok: true; code: string | null } | { ok: false } {
  const code = value.trim();
  if (code === "") return { ok: true, code: null };
  return denominatorCodes.includes(code) ? { ok: true, code } : { ok: false };
}

type NumberField = "min_value" | "max_value" | "age_from" | "age_to";

/** What is wrong with a number field: not a whole number of 0 or more, or above its limit (an age's message gives both ends). */
const NUMBER_PROBLEMS: Record<NumberField, { number: MessageKey; tooBig: MessageKey }> = {
  min_value: { number: "itemForm.error.min_value.number", tooBig: "itemForm.error.min_value.tooBig" },
  max_value: { number: "itemForm.error.max_value.number", tooBig: "itemForm.error.max_value.tooBig" },
  age_from: { number: "itemForm.error.age_from", tooBig: "itemForm.error.age_from" },
  age_to: { number: "itemForm.error.age_to", tooBig: "itemForm.error.age_to" },
};

export function validateDataItem(
  input: DataItemInput,
  existingCodes: string[],
  denominatorCodes: string[],
): { ok: true; draft: DataItemDraft } | { ok: false; problems: Partial<Record<DataItemField, MessageKey>> } {
  const problems: Partial<Record<DataItemField, MessageKey>> = {};
  const code = input.code.trim().toLowerCase();
  if (!/^[a-z0-9]+(_[a-z0-9]+)*$/.test(code) || code.length > 80) problems.code = "itemForm.error.code";
  else if (existingCodes.includes(code)) problems.code = "itemForm.error.codeTaken";
  // Each field's message names it: the error summary lists them together, out of sight of their labels.
  for (const field of ["label_en", "label_cy", "definition_en", "definition_cy"] as const) {
    const value = input[field].trim();
    if (!value) problems[field] = `itemForm.error.${field}.missing`;
    else if (value.length > (field.startsWith("label") ? 300 : 3000)) problems[field] = `itemForm.error.${field}.tooLong`;
  }
  const number = (field: NumberField, max: number) => {
    const parsed = parseWholeNumber(input[field]);
    // Ten digits or more is a whole number too, only too big.
    if (!parsed.ok) problems[field] = NUMBER_PROBLEMS[field][parsed.key === "error.number.tooManyDigits" ? "tooBig" : "number"];
    else if (parsed.value !== null && parsed.value > max) problems[field] = NUMBER_PROBLEMS[field].tooBig;
    else return parsed.value;
    return null;
  };
  const min_value = number("min_value", 999_999_999) ?? 0;
  const max_value = number("max_value", 999_999_999);
  const age_from = number("age_from", 120);
  const age_to = number("age_to", 120);
  if (max_value !== null && max_value < min_value) problems.max_value = "itemForm.error.bounds";
  if (age_from !== null && age_to !== null && age_from > age_to) problems.age_to = "itemForm.error.ageBand";
  const parent_code = input.parent_code.trim() || null;
  if (parent_code !== null && !existingCodes.includes(parent_code)) problems.parent_code = "itemForm.error.parent";
  const denominator = parseDenominatorChoice(input.denominator_code, denominatorCodes);
  if (!denominator.ok) problems.denominator_code = "itemForm.error.denominator";
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  return {
    ok: true,
    draft: {
      code,
      label_en: input.label_en.trim(),
      label_cy: input.label_cy.trim(),
      definition_en: input.definition_en.trim(),
      definition_cy: input.definition_cy.trim(),
      min_value,
      max_value,
      age_from,
      age_to,
      parent_code,
      denominator_code: denominator.ok ? denominator.code : null,
    },
  };
}
