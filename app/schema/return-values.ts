/**
 * The one definition of what a return may contain. The web form, the spreadsheet upload, the bulk
 * import, the API and the seeds turn their input into RawReturn and give it to the return model's
 * saveReturn, which passes it through validateReturn; nothing else decides whether a value is
 * acceptable. Isomorphic: no server imports.
 */
import { z } from "zod";
import { VALUE_STATES, type ValueState } from "#db/types.ts";
import type { MessageKey, MessageParams } from "#app/i18n/i18n.ts";
import type { CollectionRules } from "./collection-rules.ts";

export const VALUE_FIELDS = [
  "state",
  "number",
  "reason",
  "ageFrom",
  "ageTo",
  "referenceDate",
  "countingNote",
  "caveat",
  "queryExplanation",
] as const;
export type ValueField = (typeof VALUE_FIELDS)[number];

/** As typed into a form or read from a spreadsheet cell: strings, numbers, dates or nothing. */
export type RawValue = Partial<Record<ValueField, unknown>>;
export type RawReturn = Record<string, RawValue | undefined>;

export interface CleanValue {
  state: ValueState | null;
  number: number | null;
  reason: string | null;
  ageFrom: number | null;
  ageTo: number | null;
  referenceDateUsed: string | null;
  countingNote: string | null;
  caveat: string | null;
  queryExplanation: string | null;
}

export const BLANK_VALUE: CleanValue = {
  state: null,
  number: null,
  reason: null,
  ageFrom: null,
  ageTo: null,
  referenceDateUsed: null,
  countingNote: null,
  caveat: null,
  queryExplanation: null,
};

export interface ItemRule {
  code: string;
  minValue: number;
  maxValue: number | null;
  ageFrom: number | null;
  ageTo: number | null;
  required: boolean;
}

export interface ReturnDefinition {
  referenceDate: string;
  items: ItemRule[];
  rules: CollectionRules;
}

export interface Problem {
  itemCode: string;
  field: ValueField;
  key: MessageKey;
  params?: MessageParams;
}

export type Mode = "draft" | "submit";

export interface ValidationOptions {
  mode: Mode;
  /** ISO date; a reference date used may not be after it. */
  today: string;
}

export const LIMITS = { reason: 1000, countingNote: 1000, caveat: 2000, queryExplanation: 2000, maxDigits: 9 } as const;

type Ctx = z.RefinementCtx;

function problem(ctx: Ctx, field: ValueField, key: MessageKey, params?: MessageParams) {
  ctx.addIssue({ code: "custom", message: key, path: [field], params });
}

function isBlank(raw: unknown) {
  return raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "");
}

/** Whole numbers as people type them: " 12 ", "1,234" and "12.0" are certain; "12.5", "-3", "twelve" are not. */
export function parseWholeNumber(raw: unknown): { ok: true; value: number } | { ok: false; key: MessageKey } | { ok: true; value: null } {
  if (isBlank(raw)) return { ok: true, value: null };
  if (typeof raw === "number") {
    if (!Number.isFinite(raw)) return { ok: false, key: "error.number.notANumber" };
    if (!Number.isInteger(raw)) return { ok: false, key: "error.number.notWhole" };
    if (raw < 0) return { ok: false, key: "error.number.negative" };
    if (raw >= 10 ** LIMITS.maxDigits) return { ok: false, key: "error.number.tooManyDigits" };
    return { ok: true, value: raw };
  }
  if (typeof raw !== "string") return { ok: false, key: "error.number.notANumber" };
  const text = raw.trim();
  if (/^-\s*[\d.,]+$/.test(text)) return { ok: false, key: "error.number.negative" };
  const digits = /^\d{1,3}(,\d{3})+$/.test(text) ? text.replaceAll(",", "") : text.replace(/\.0+$/, "");
  if (/^\d+\.\d+$/.test(digits)) return { ok: false, key: "error.number.notWhole" };
  if (!/^\d+$/.test(digits)) return { ok: false, key: "error.number.notANumber" };
  if (digits.replace(/^0+(?=\d)/, "").length > LIMITS.maxDigits) return { ok: false, key: "error.number.tooManyDigits" };
  return { ok: true, value: Number(digits) };
}

/** Dates as ISO (2022-12-31), as people write them (31/12/2022, 31.12.22, 31 12 2022), or as a spreadsheet's Date. */
export function parseDate(raw: unknown): { ok: true; value: string | null } | { ok: false } {
  if (isBlank(raw)) return { ok: true, value: null };
  if (raw instanceof Date) {
    return Number.isNaN(raw.getTime()) ? { ok: false } : { ok: true, value: raw.toISOString().slice(0, 10) };
  }
  if (typeof raw !== "string") return { ok: false };
  const text = raw.trim();
  let year: number, month: number, day: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const written = /^(\d{1,2})[\s/.-]+(\d{1,2})[\s/.-]+(\d{2}|\d{4})$/.exec(text);
  if (iso) [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (written) {
    [day, month, year] = [Number(written[1]), Number(written[2]), Number(written[3])];
    if (written[3]!.length === 2) year += 2000;
  } else return { ok: false };
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return { ok: false };
  return { ok: true, value: date.toISOString().slice(0, 10) };
}

function cleanText(ctx: Ctx, field: ValueField, raw: unknown, max: number): string | null {
  if (isBlank(raw)) return null;
  if (typeof raw !== "string" && typeof raw !== "number") {
    problem(ctx, field, "error.text.notText");
    return null;
  }
  const text = String(raw).replace(/\r\n?/g, "\n").trim();
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text)) {
    problem(ctx, field, "error.text.controlCharacters");
    return null;
  }
  if (text.length > max) {
    problem(ctx, field, "error.text.tooLong", { max });
    return null;
  }
  return text;
}

function parseState(ctx: Ctx, raw: unknown, numberGiven: boolean): ValueState | null {
  if (isBlank(raw)) return numberGiven ? "reported" : null;
  const state = typeof raw === "string" ? raw.trim().toLowerCase().replaceAll(" ", "_") : raw;
  if ((VALUE_STATES as readonly unknown[]).includes(state)) return state as ValueState;
  problem(ctx, "state", "error.state.invalid");
  return null;
}

function parseAge(ctx: Ctx, field: "ageFrom" | "ageTo", raw: unknown): number | null {
  const parsed = parseWholeNumber(raw);
  if (!parsed.ok || (parsed.value !== null && parsed.value > 120)) {
    problem(ctx, field, "error.age.invalid");
    return null;
  }
  return parsed.value;
}

function valueSchema(item: ItemRule, definition: ReturnDefinition, options: ValidationOptions) {
  return z
    .custom<RawValue>((raw) => typeof raw === "object" && raw !== null && !Array.isArray(raw))
    .optional()
    .transform((input, ctx): CleanValue => {
      const raw = input ?? {};
      const parsedNumber = parseWholeNumber(raw.number);
      const state = parseState(ctx, raw.state, parsedNumber.ok && parsedNumber.value !== null);
      const value: CleanValue = {
        ...BLANK_VALUE,
        state,
        reason: cleanText(ctx, "reason", raw.reason, LIMITS.reason),
        countingNote: cleanText(ctx, "countingNote", raw.countingNote, LIMITS.countingNote),
        caveat: cleanText(ctx, "caveat", raw.caveat, LIMITS.caveat),
        queryExplanation: cleanText(ctx, "queryExplanation", raw.queryExplanation, LIMITS.queryExplanation),
        ageFrom: parseAge(ctx, "ageFrom", raw.ageFrom),
        ageTo: parseAge(ctx, "ageTo", raw.ageTo),
      };

      if (state === "reported") {
        if (!parsedNumber.ok) problem(ctx, "number", parsedNumber.key);
        else if (parsedNumber.value === null) problem(ctx, "number", "error.number.missing");
        else if (parsedNumber.value < item.minValue) problem(ctx, "number", "error.number.belowMinimum", { min: item.minValue });
        else if (item.maxValue !== null && parsedNumber.value > item.maxValue)
          problem(ctx, "number", "error.number.aboveMaximum", { max: item.maxValue });
        else value.number = parsedNumber.value;
        if (value.reason !== null) problem(ctx, "reason", "error.reason.notWithNumber");
      } else {
        if (!isBlank(raw.number)) problem(ctx, "number", "error.number.notWithState");
        if (state !== null && isBlank(raw.reason)) problem(ctx, "reason", "error.reason.missing");
        if (state === null && value.reason !== null) problem(ctx, "state", "error.state.missingForReason");
      }

      const date = parseDate(raw.referenceDate);
      if (!date.ok) problem(ctx, "referenceDate", "error.referenceDate.invalid");
      else if (date.value !== null && date.value > options.today) problem(ctx, "referenceDate", "error.referenceDate.future");
      else value.referenceDateUsed = date.value === definition.referenceDate ? null : date.value;

      if (value.ageFrom !== null && value.ageTo !== null && value.ageFrom > value.ageTo) {
        problem(ctx, "ageFrom", "error.age.fromAfterTo");
      }
      if (value.ageFrom === item.ageFrom && value.ageTo === item.ageTo) {
        // The standard band typed out in full is no deviation.
        value.ageFrom = null;
        value.ageTo = null;
      }
      const deviates = value.ageFrom !== null || value.ageTo !== null || value.referenceDateUsed !== null || value.countingNote !== null;
      if (deviates && state !== "reported") problem(ctx, "state", "error.deviation.onlyWithNumber");

      if (options.mode === "submit" && state === null && item.required) problem(ctx, "state", "error.state.required");
      return value;
    });
}

function crossItemProblems(values: Record<string, CleanValue>, rules: CollectionRules): Problem[] {
  const reported = (code: string) => {
    const value = values[code];
    return value?.state === "reported" && value.number !== null ? value.number : null;
  };
  const problems: Problem[] = [];
  for (const rule of rules.crossItem) {
    if (rule.kind === "not_greater_than") {
      const item = reported(rule.item);
      const limit = reported(rule.limit);
      if (item !== null && limit !== null && item > limit) {
        problems.push({
          itemCode: rule.item,
          field: "number",
          key: "error.rule.notGreaterThan",
          params: { limitItem: rule.limit, limit },
        });
      }
    } else {
      const total = reported(rule.total);
      const parts = rule.parts.map(reported);
      if (total !== null && parts.every((p) => p !== null)) {
        const sum = parts.reduce<number>((a, b) => a + (b ?? 0), 0);
        if (sum !== total) {
          problems.push({
            itemCode: rule.total,
            field: "number",
            key: "error.rule.sumEquals",
            params: { parts: rule.parts.join(","), sum },
          });
        }
      }
    }
  }
  return problems;
}

/**
 * Cross-item rules are checked at submission only: a draft may be incomplete (parents typed, the
 * mothers and fathers not yet), and the form says which rules its answers must meet.
 */
export function buildReturnSchema(definition: ReturnDefinition, options: ValidationOptions) {
  // Building the schema was 4.6% of a save's CPU, and zod compiles an object schema on its first
  // parse: so each definition's schema, for each mode and day, is built once. Built from a copy
  // (the key), so that no caller's object is kept. Bounded, as designs and days change.
  const key = JSON.stringify([definition, options]);
  let schema = returnSchemas.get(key);
  if (!schema) {
    if (returnSchemas.size >= 100) returnSchemas.clear();
    schema = returnSchema(...(JSON.parse(key) as [ReturnDefinition, ValidationOptions]));
    returnSchemas.set(key, schema);
  }
  return schema;
}

const returnSchemas = new Map<string, ReturnType<typeof returnSchema>>();

function returnSchema(definition: ReturnDefinition, options: ValidationOptions) {
  const shape = Object.fromEntries(definition.items.map((item) => [item.code, valueSchema(item, definition, options)]));
  return z.object(shape).superRefine((values, ctx) => {
    if (options.mode !== "submit") return;
    for (const p of crossItemProblems(values as Record<string, CleanValue>, definition.rules)) {
      ctx.addIssue({ code: "custom", message: p.key, path: [p.itemCode, p.field], params: p.params });
    }
  });
}

declare const validated: unique symbol;
/**
 * Values that passed validateReturn: only it makes them, and the return model writes nothing else,
 * so no value reaches the database without the shared schema's checks.
 */
export type ValidValues = Readonly<Record<string, CleanValue>> & { readonly [validated]: true };

export type ValidationResult = { ok: true; values: ValidValues } | { ok: false; problems: Problem[] };

export function validateReturn(definition: ReturnDefinition, input: RawReturn, options: ValidationOptions): ValidationResult {
  const known = new Set(definition.items.map((i) => i.code));
  const unknownItems = Object.keys(input).filter((code) => !known.has(code));
  const result = buildReturnSchema(definition, options).safeParse(input);
  const problems: Problem[] = unknownItems.map((code) => ({ itemCode: code, field: "state", key: "error.item.unknown" }));
  if (!result.success) {
    for (const issue of result.error.issues) {
      const [itemCode, field] = issue.path as [string, ValueField | undefined];
      problems.push({
        itemCode,
        field: field ?? "state",
        key: (issue.code === "custom" ? issue.message : "error.state.invalid") as MessageKey,
        params: issue.code === "custom" ? (issue.params as MessageParams | undefined) : undefined,
      });
    }
  }
  if (problems.length > 0 || !result.success) return { ok: false, problems };
  return { ok: true, values: result.data as Record<string, CleanValue> as ValidValues };
}

/** What is known about other rounds and other authorities, for the soft checks. */
export interface FlagBasis {
  previous: Map<string, { state: ValueState | null; number: number | null }>;
  /** Rates per 10,000 of the other authorities' comparable values this round, by item. */
  peerRates: Map<string, number[]>;
  /** This authority's population for each item's rates, by item code, where the item has a denominator. */
  denominators: Map<string, number>;
}

export type FlagKind = "change" | "outlier" | "stoppedCollecting";
export interface Flag {
  itemCode: string;
  kind: FlagKind;
  params: MessageParams;
}

function median(sorted: number[]) {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The automatic checks' flags (never "queries": a query is a coordinator's question). A flag does
 * not block a draft, but each needs an explanation before the return is submitted.
 */
export function findFlags(definition: ReturnDefinition, values: Record<string, CleanValue>, context: FlagBasis): Flag[] {
  const thresholds = definition.rules.queries;
  const findings: Flag[] = [];
  for (const { code } of definition.items) {
    const value = values[code];
    if (!value) continue;
    const previous = context.previous.get(code);
    if (previous?.state === "reported" && previous.number !== null) {
      if (value.state === "reported" && value.number !== null) {
        const change = Math.abs(value.number - previous.number);
        const percent = previous.number === 0 ? Infinity : (change / previous.number) * 100;
        if (change > thresholds.changeAbsolute && percent > thresholds.changePercent) {
          findings.push({ itemCode: code, kind: "change", params: { previous: previous.number, current: value.number } });
        }
      } else if (value.state === "not_collected") {
        findings.push({ itemCode: code, kind: "stoppedCollecting", params: { previous: previous.number } });
      }
    }
    const peers = context.peerRates.get(code) ?? [];
    const denominator = context.denominators.get(code);
    if (value.state === "reported" && value.number !== null && denominator && peers.length >= thresholds.outlierMinPeers) {
      const rate = (value.number / denominator) * 10_000;
      const sorted = [...peers].sort((a, b) => a - b);
      const centre = median(sorted);
      const spread = median(sorted.map((r) => Math.abs(r - centre)).sort((a, b) => a - b));
      // The finding gives the authority's own rate only: the peers' median is made of figures the officer may not see.
      if (spread > 0 && Math.abs((0.6745 * (rate - centre)) / spread) > thresholds.outlierScore) {
        findings.push({ itemCode: code, kind: "outlier", params: { rate: Math.round(rate * 10) / 10 } });
      }
    }
  }
  return findings;
}

/** At submission every flag needs an explanation: these are the ones still without one. */
export function unexplainedFlags(findings: Flag[], values: Record<string, CleanValue>): Problem[] {
  const items = new Set(findings.map((f) => f.itemCode));
  return [...items]
    .filter((code) => !values[code]?.queryExplanation)
    .map((code) => ({ itemCode: code, field: "queryExplanation" as const, key: "error.flag.explanationMissing" as const }));
}
