import { z } from "zod";

const itemCode = z.string().regex(/^[a-z0-9]+(_[a-z0-9]+)*$/);

/** A rule across items: a draft may break it for now; a return that breaks it cannot be submitted. */
export const CrossItemRuleSchema = z.discriminatedUnion("kind", [
  // e.g. "had a child removed" may not exceed "parents".
  z.object({ kind: z.literal("not_greater_than"), item: itemCode, limit: itemCode }),
  // e.g. mothers + fathers = parents.
  z.object({ kind: z.literal("sum_equals"), total: itemCode, parts: z.array(itemCode).min(2) }),
]);
export type CrossItemRule = z.infer<typeof CrossItemRuleSchema>;

/** When a figure needs an explanation before the return can be submitted. */
export const FlagThresholdsSchema = z.object({
  /** A change from last round is queried when it exceeds both this percentage... */
  changePercent: z.number().positive().default(50),
  /** ...and this absolute difference, since small numbers swing. */
  changeAbsolute: z.number().int().positive().default(10),
  /** A rate per 10,000 is an outlier beyond this modified z-score (median and MAD of the other authorities). */
  outlierScore: z.number().positive().default(3.5),
  /** The fewest other authorities' rates needed before outliers are looked for. */
  outlierMinPeers: z.number().int().min(3).default(5),
});
export type FlagThresholds = z.infer<typeof FlagThresholdsSchema>;

export const CollectionRulesSchema = z.object({
  crossItem: z.array(CrossItemRuleSchema).default([]),
  /** In published figures, counts from 1 to this are suppressed as small (decision record 011). */
  smallCountMax: z.number().int().min(0).max(99).default(4),
  queries: FlagThresholdsSchema.default(FlagThresholdsSchema.parse({})),
});
export type CollectionRules = z.infer<typeof CollectionRulesSchema>;

/**
 * Cross-item rules as a coordinator writes them, one per line:
 *   care_experienced_parents_child_removed <= care_experienced_parents
 *   care_experienced_parents = care_experienced_mothers + care_experienced_fathers
 */
export function parseRuleLines(
  text: string,
  itemCodes: string[],
): { ok: true; rules: CrossItemRule[] } | { ok: false; line: number; reason: "syntax" | "unknownItem" } {
  const known = new Set(itemCodes);
  const rules: CrossItemRule[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const notGreater = /^([a-z0-9_]+)\s*<=\s*([a-z0-9_]+)$/.exec(line);
    const sum = /^([a-z0-9_]+)\s*=\s*([a-z0-9_]+(?:\s*\+\s*[a-z0-9_]+)+)$/.exec(line);
    let rule: CrossItemRule;
    if (notGreater) rule = { kind: "not_greater_than", item: notGreater[1]!, limit: notGreater[2]! };
    else if (sum) rule = { kind: "sum_equals", total: sum[1]!, parts: sum[2]!.split("+").map((p) => p.trim()) };
    else return { ok: false, line: index + 1, reason: "syntax" };
    const codes = rule.kind === "not_greater_than" ? [rule.item, rule.limit] : [rule.total, ...rule.parts];
    if (!codes.every((c) => known.has(c))) return { ok: false, line: index + 1, reason: "unknownItem" };
    rules.push(rule);
  }
  return { ok: true, rules };
}

export function formatRuleLines(rules: CrossItemRule[]) {
  return rules.map((r) => (r.kind === "not_greater_than" ? `${r.item} <= ${r.limit}` : `${r.total} = ${r.parts.join(" + ")}`)).join("\n");
}
