/**
 * What a coordinator may enter for a collection. Isomorphic; each problem is a message key.
 */
import { z } from "zod";
import type { MessageKey } from "#app/i18n/i18n.ts";
import { parseDate } from "./return-values.ts";
import { CollectionRulesSchema, parseRuleLines, type CollectionRules } from "./collection-rules.ts";

export const COLLECTION_FIELDS = [
  "code",
  "title_en",
  "title_cy",
  "guidance_en",
  "guidance_cy",
  "reference_date",
  "opens_on",
  "due_on",
  "items",
  "rules",
  "changePercent",
  "changeAbsolute",
] as const;
export type CollectionField = (typeof COLLECTION_FIELDS)[number];

export interface CollectionInput {
  code: string;
  title_en: string;
  title_cy: string;
  guidance_en: string;
  guidance_cy: string;
  reference_date: string;
  opens_on: string;
  due_on: string;
  /** Chosen items in order, each with whether it is required. */
  items: { code: string; position: number; required: boolean }[];
  rules: string;
  changePercent: string;
  changeAbsolute: string;
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

type Problems = Partial<Record<CollectionField, MessageKey>>;

const text = (max: number, required: boolean) =>
  z.string().transform((s, ctx) => {
    const value = s.trim();
    if (required && !value) ctx.addIssue({ code: "custom", message: "collectionForm.error.required" });
    else if (value.length > max) ctx.addIssue({ code: "custom", message: "collectionForm.error.tooLong" });
    return value;
  });

const isoDate = z.string().transform((s, ctx) => {
  const parsed = parseDate(s);
  if (!parsed.ok || parsed.value === null) {
    ctx.addIssue({ code: "custom", message: "collectionForm.error.date" });
    return "";
  }
  return parsed.value;
});

const threshold = (integer: boolean) =>
  z.string().transform((s, ctx) => {
    const n = Number(s.trim());
    if (!s.trim() || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)) || n > 1_000_000) {
      ctx.addIssue({ code: "custom", message: "collectionForm.error.threshold" });
    }
    return n;
  });

const fields = z.object({
  code: z.string().transform((s, ctx) => {
    const value = s.trim().toLowerCase();
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(value) || value.length > 80) {
      ctx.addIssue({ code: "custom", message: "collectionForm.error.code" });
    }
    return value;
  }),
  title_en: text(200, true),
  title_cy: text(200, true),
  guidance_en: text(5000, false),
  guidance_cy: text(5000, false),
  reference_date: isoDate,
  opens_on: isoDate,
  due_on: isoDate,
  changePercent: threshold(false),
  changeAbsolute: threshold(true),
});

export function validateCollection(
  input: CollectionInput,
  catalogueCodes: string[],
): { ok: true; draft: CollectionDraft } | { ok: false; problems: Problems } {
  const problems: Problems = {};
  const parsed = fields.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems[issue.path[0] as CollectionField] ??= issue.message as MessageKey;
  }
  const known = new Set(catalogueCodes);
  const items = [...input.items].filter((i) => known.has(i.code)).sort((a, b) => a.position - b.position);
  if (items.length === 0 || items.length !== input.items.length) problems.items = "collectionForm.error.items";
  const rules = parseRuleLines(
    input.rules,
    items.map((i) => i.code),
  );
  if (!rules.ok) problems.rules = rules.reason === "syntax" ? "collectionForm.error.ruleSyntax" : "collectionForm.error.ruleItem";
  if (parsed.success && parsed.data.opens_on && parsed.data.due_on && parsed.data.opens_on > parsed.data.due_on) {
    problems.due_on = "collectionForm.error.dueBeforeOpen";
  }
  if (!parsed.success || !rules.ok || Object.keys(problems).length > 0) return { ok: false, problems };
  const { changePercent, changeAbsolute, ...rest } = parsed.data;
  return {
    ok: true,
    draft: {
      ...rest,
      items: items.map(({ code, required }) => ({ code, required })),
      rules: CollectionRulesSchema.parse({ crossItem: rules.rules, queries: { changePercent, changeAbsolute } }),
    },
  };
}
