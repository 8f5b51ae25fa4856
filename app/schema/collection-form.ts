/**
 * What a coordinator may enter for a collection. Isomorphic; each problem is a message key, under
 * the path of the field it is about ("title_en", "opens_on", "rules.1.parts",
 * "items.care_leavers_21_25.position"), which the form turns into the id of the control to link to.
 */
import { z } from "zod";
import type { MessageKey } from "#app/i18n/i18n.ts";
import { CollectionRulesSchema, CrossItemRuleSchema, type CollectionRules, type CrossItemRule } from "./collection-rules.ts";

export const DATE_FIELDS = ["reference_date", "opens_on", "due_on"] as const;
export type DateField = (typeof DATE_FIELDS)[number];
export const THRESHOLD_FIELDS = ["changePercent", "changeAbsolute", "outlierScore", "outlierMinPeers"] as const;
export type ThresholdField = (typeof THRESHOLD_FIELDS)[number];

/** A date as the GOV.UK date input takes it: three boxes. */
export interface DateInput {
  day: string;
  month: string;
  year: string;
}

/** The kinds of rule a coordinator builds by choosing items; "" is a row left empty. */
export const RULE_KINDS = ["sum_equals", "not_greater_than"] as const;

/** One rule across items as chosen on the form: "item must equal the sum of parts", or "item must not exceed limit". */
export interface RuleInput {
  kind: string;
  item: string;
  parts: string[];
  limit: string;
}

export interface CollectionInput {
  code: string;
  title_en: string;
  title_cy: string;
  guidance_en: string;
  guidance_cy: string;
  reference_date: DateInput;
  opens_on: DateInput;
  due_on: DateInput;
  /** Chosen items in order, each with whether it is required. */
  items: { code: string; position: number; required: boolean }[];
  rules: RuleInput[];
  changePercent: string;
  changeAbsolute: string;
  outlierScore: string;
  outlierMinPeers: string;
  smallCountMax: string;
}

export interface CollectionDraft {
  code: string;
  title_en: string;
  title_cy: string;
  guidance_en: string;
  guidance_cy: string;
  reference_date: string;
  opens_on: string;
  due_on: string;
  items: { code: string; required: boolean }[];
  rules: CollectionRules;
}

/** Each problem's message key, by the path of its field. */
export type CollectionProblems = Partial<Record<string, MessageKey>>;

const key = (k: MessageKey) => k;

const text = (max: number, required: MessageKey | null, tooLong: MessageKey) =>
  z.string().transform((s, ctx) => {
    const value = s.trim();
    if (required && !value) ctx.addIssue({ code: "custom", message: required });
    else if (value.length > max) ctx.addIssue({ code: "custom", message: tooLong });
    return value;
  });

const date = (field: DateField) =>
  z.object({ day: z.string(), month: z.string(), year: z.string() }).transform((parts, ctx) => {
    const [day, month, year] = [parts.day.trim(), parts.month.trim(), parts.year.trim()];
    const given = [day, month, year].filter(Boolean).length;
    if (given === 0) ctx.addIssue({ code: "custom", message: key(`collectionForm.error.${field}.missing`) });
    else if (given < 3) ctx.addIssue({ code: "custom", message: key(`collectionForm.error.${field}.incomplete`) });
    else {
      const [d, m, y] = [day, month, year].map((p) => (/^\d{1,4}$/.test(p) ? Number(p) : Number.NaN)) as [number, number, number];
      const at = new Date(Date.UTC(y, m - 1, d));
      if (year.length !== 4 || at.getUTCFullYear() !== y || at.getUTCMonth() !== m - 1 || at.getUTCDate() !== d) {
        ctx.addIssue({ code: "custom", message: key(`collectionForm.error.${field}.invalid`) });
      } else return at.toISOString().slice(0, 10);
    }
    return "";
  });

const threshold = (field: ThresholdField, { integer, min }: { integer: boolean; min: number }) =>
  z.string().transform((s, ctx) => {
    const n = Number(s.trim());
    if (!s.trim() || !Number.isFinite(n) || n < min || n <= 0 || (integer && !Number.isInteger(n)) || n > 1_000_000) {
      ctx.addIssue({ code: "custom", message: key(`collectionForm.error.${field}`) });
    }
    return n;
  });

/** The largest count suppressed as small in published figures: a whole number from 0 (none) to 99. */
const smallCountMax = z.string().transform((s, ctx) => {
  const value = s.trim();
  if (!/^\d{1,2}$/.test(value)) ctx.addIssue({ code: "custom", message: key("collectionForm.error.smallCountMax") });
  return Number(value);
});

type RuleRow = { kind: string; item: string; parts: string[]; limit: string };
type RuleProblem = { field: "kind" | "item" | "parts" | "limit"; message: MessageKey };

/** One row of the form as a stored rule, or what is wrong with it; null for a row left empty. */
function ruleOf(row: RuleRow, chosen: Set<string>): CrossItemRule | RuleProblem | null {
  if (row.kind === "sum_equals") {
    const parts = [...new Set(row.parts.filter(Boolean))];
    if (!row.item) return { field: "item", message: "collectionForm.error.rule.total" };
    if (parts.length < 2) return { field: "parts", message: "collectionForm.error.rule.parts" };
    if (parts.includes(row.item)) return { field: "parts", message: "collectionForm.error.rule.self" };
    if (!chosen.has(row.item)) return { field: "item", message: "collectionForm.error.rule.notAsked" };
    if (parts.some((code) => !chosen.has(code))) return { field: "parts", message: "collectionForm.error.rule.notAsked" };
    return CrossItemRuleSchema.parse({ kind: "sum_equals", total: row.item, parts });
  }
  if (row.kind === "not_greater_than") {
    if (!row.item) return { field: "item", message: "collectionForm.error.rule.item" };
    if (!row.limit) return { field: "limit", message: "collectionForm.error.rule.limit" };
    if (row.limit === row.item) return { field: "limit", message: "collectionForm.error.rule.self" };
    if (!chosen.has(row.item)) return { field: "item", message: "collectionForm.error.rule.notAsked" };
    if (!chosen.has(row.limit)) return { field: "limit", message: "collectionForm.error.rule.notAsked" };
    return CrossItemRuleSchema.parse({ kind: "not_greater_than", item: row.item, limit: row.limit });
  }
  if (row.kind !== "") return { field: "kind", message: "collectionForm.error.rule.kind" };
  return null;
}

/** The form's rules, checked against the items chosen, as the stored rules (CrossItemRuleSchema). */
function crossItemRules(itemCodes: string[]) {
  const chosen = new Set(itemCodes);
  return z.array(z.object({ kind: z.string(), item: z.string(), parts: z.array(z.string()), limit: z.string() })).transform((rows, ctx) => {
    const rules: CrossItemRule[] = [];
    for (const [i, row] of rows.entries()) {
      const rule = ruleOf(row, chosen);
      if (rule === null) continue;
      if ("field" in rule) ctx.addIssue({ code: "custom", path: [i, rule.field], message: rule.message });
      else rules.push(rule);
    }
    return rules;
  });
}

/** The whole design form's schema, for a catalogue of these item codes. */
export function collectionSchema(catalogueCodes: string[]) {
  const known = new Set(catalogueCodes);
  return z
    .object({
      code: z.string().transform((s, ctx) => {
        const value = s.trim().toLowerCase();
        if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(value) || value.length > 80) {
          ctx.addIssue({ code: "custom", message: key("collectionForm.error.code") });
        }
        return value;
      }),
      title_en: text(200, "collectionForm.error.title_en.missing", "collectionForm.error.title_en.tooLong"),
      title_cy: text(200, "collectionForm.error.title_cy.missing", "collectionForm.error.title_cy.tooLong"),
      guidance_en: text(5000, null, "collectionForm.error.guidance_en.tooLong"),
      guidance_cy: text(5000, null, "collectionForm.error.guidance_cy.tooLong"),
      reference_date: date("reference_date"),
      opens_on: date("opens_on"),
      due_on: date("due_on"),
      items: z
        .array(z.object({ code: z.string(), position: z.number(), required: z.boolean() }))
        .refine((items) => items.length > 0 && items.every((i) => known.has(i.code)), key("collectionForm.error.items"))
        // Two items at one place in the order would be put in whatever order the sort left them:
        // each of them is refused, at its own position field ("items.<code>.position").
        .superRefine((items, ctx) => {
          const atPosition = new Map<number, number>();
          for (const { position } of items) atPosition.set(position, (atPosition.get(position) ?? 0) + 1);
          for (const { code, position } of items) {
            if (atPosition.get(position)! > 1) {
              ctx.addIssue({ code: "custom", path: [code, "position"], message: key("collectionForm.error.position.shared") });
            }
          }
        })
        .transform((items) => [...items].sort((a, b) => a.position - b.position).map(({ code, required }) => ({ code, required }))),
      rules: z.array(z.any()),
      changePercent: threshold("changePercent", { integer: false, min: 0 }),
      changeAbsolute: threshold("changeAbsolute", { integer: true, min: 0 }),
      outlierScore: threshold("outlierScore", { integer: false, min: 0 }),
      outlierMinPeers: threshold("outlierMinPeers", { integer: true, min: 3 }),
      smallCountMax,
    })
    .transform((input, ctx) => {
      const rules = crossItemRules(input.items.map((i) => i.code)).safeParse(input.rules);
      if (!rules.success) {
        for (const issue of rules.error.issues) ctx.addIssue({ code: "custom", path: ["rules", ...issue.path], message: issue.message });
        return z.NEVER;
      }
      if (input.opens_on && input.due_on && input.opens_on > input.due_on) {
        ctx.addIssue({ code: "custom", path: ["due_on"], message: key("collectionForm.error.dueBeforeOpen") });
        return z.NEVER;
      }
      const { changePercent, changeAbsolute, outlierScore, outlierMinPeers, smallCountMax, ...rest } = input;
      const draft: CollectionDraft = {
        ...rest,
        rules: CollectionRulesSchema.parse({
          crossItem: rules.data,
          smallCountMax,
          queries: { changePercent, changeAbsolute, outlierScore, outlierMinPeers },
        }),
      };
      return draft;
    });
}

export function validateCollection(
  input: CollectionInput,
  catalogueCodes: string[],
): { ok: true; draft: CollectionDraft } | { ok: false; problems: CollectionProblems } {
  const parsed = collectionSchema(catalogueCodes).safeParse(input);
  if (parsed.success) return { ok: true, draft: parsed.data };
  const problems: CollectionProblems = {};
  // The rules are checked after the fields they refer to; when a field failed, they are checked too, so every problem shows at once.
  const rules = crossItemRules(input.items.map((i) => i.code)).safeParse(input.rules);
  const issues = [...parsed.error.issues, ...(rules.success ? [] : rules.error.issues.map((i) => ({ ...i, path: ["rules", ...i.path] })))];
  for (const issue of issues) problems[issue.path.join(".")] ??= issue.message as MessageKey;
  return { ok: false, problems };
}
