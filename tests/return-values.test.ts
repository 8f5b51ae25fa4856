import { describe, expect, it } from "vitest";
import { CollectionRulesSchema } from "#app/schema/collection-rules.ts";
import {
  BLANK_VALUE,
  findFlags,
  parseWholeNumber,
  unexplainedFlags,
  validateReturn,
  type CleanValue,
  type RawReturn,
  type ReturnDefinition,
  type ValidationOptions,
} from "#app/schema/return-values.ts";

const definition: ReturnDefinition = {
  referenceDate: "2026-10-31",
  items: [
    { code: "leavers", minValue: 0, maxValue: 5000, ageFrom: 21, ageTo: 25, required: true },
    { code: "parents", minValue: 0, maxValue: 5000, ageFrom: null, ageTo: null, required: true },
    { code: "mothers", minValue: 0, maxValue: 5000, ageFrom: null, ageTo: null, required: false },
    { code: "fathers", minValue: 0, maxValue: 5000, ageFrom: null, ageTo: null, required: false },
    { code: "removed", minValue: 0, maxValue: 5000, ageFrom: null, ageTo: null, required: true },
  ],
  rules: CollectionRulesSchema.parse({
    crossItem: [
      { kind: "not_greater_than", item: "removed", limit: "parents" },
      { kind: "sum_equals", total: "parents", parts: ["mothers", "fathers"] },
    ],
  }),
};
const draft = { mode: "draft" as const, today: "2026-11-23" };
const submit = { mode: "submit" as const, today: "2026-11-23" };

function problemsOf(input: RawReturn, options: ValidationOptions = draft) {
  const result = validateReturn(definition, input, options);
  return result.ok ? [] : result.problems.map((p) => `${p.itemCode}.${p.field}:${p.key}`);
}

function valuesOf(input: RawReturn, options: ValidationOptions = draft) {
  const result = validateReturn(definition, input, options);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.values;
}

describe("numbers as people type them", () => {
  it.each([
    [" 12 ", 12],
    ["1,234", 1234],
    ["0", 0],
    ["12.0", 12],
    [12, 12],
    ["", null],
  ])("accepts %j as %j", (raw, expected) => {
    expect(parseWholeNumber(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["12.5", "error.number.notWhole"],
    [12.5, "error.number.notWhole"],
    ["-3", "error.number.negative"],
    [-3, "error.number.negative"],
    ["twelve", "error.number.notANumber"],
    ["12,34", "error.number.notANumber"],
    ["1e3", "error.number.notANumber"],
    ["123456789012", "error.number.tooManyDigits"],
    [Number.NaN, "error.number.notANumber"],
  ])("refuses %j with %s", (raw, key) => {
    expect(parseWholeNumber(raw)).toEqual({ ok: false, key });
  });
});

describe("each definition's schema, built once and kept", () => {
  it("checks a changed definition by its own rules, and keeps nothing of a caller's object", () => {
    const asked = { leavers: { state: "reported", number: "4000" } } as const;
    expect(problemsOf(asked)).toEqual([]);
    // A design that lowers the maximum is a new definition: its own schema, not the kept one.
    const lowered = () => {
      const copy: ReturnDefinition = structuredClone(definition);
      copy.items[0]!.maxValue = 3000;
      return copy;
    };
    const first = lowered();
    expect(validateReturn(first, asked, draft)).toMatchObject({
      ok: false,
      problems: [{ itemCode: "leavers", key: "error.number.aboveMaximum" }],
    });
    // The object first checked, changed afterwards, does not change what was kept for its rules.
    first.items[0]!.maxValue = 5000;
    expect(validateReturn(lowered(), asked, draft).ok).toBe(false);
    // The day is part of it: a reference date after today is refused, whatever was kept before.
    const late = { leavers: { state: "reported", number: "4", referenceDate: "2026-11-30" } } as const;
    expect(problemsOf(late, { ...draft, today: "2026-12-01" })).toEqual([]);
    expect(problemsOf(late, { ...draft, today: "2026-11-23" })).not.toEqual([]);
  });
});

describe("errors stop a return", () => {
  it("a number above the item's maximum", () => {
    expect(problemsOf({ leavers: { state: "reported", number: "5001" } })).toEqual(["leavers.number:error.number.aboveMaximum"]);
  });

  it("a reported state with no number", () => {
    expect(problemsOf({ leavers: { state: "reported" } })).toEqual(["leavers.number:error.number.missing"]);
  });

  it("a state that is not a number, without a reason", () => {
    expect(problemsOf({ leavers: { state: "unknown" } })).toEqual(["leavers.reason:error.reason.missing"]);
    expect(problemsOf({ leavers: { state: "not_collected", reason: "   " } })).toEqual(["leavers.reason:error.reason.missing"]);
  });

  it("a number beside a state that is not a number", () => {
    expect(problemsOf({ leavers: { state: "not_applicable", reason: "No such service", number: "4" } })).toEqual([
      "leavers.number:error.number.notWithState",
    ]);
  });

  it("a state nobody offered", () => {
    expect(problemsOf({ leavers: { state: "roughly" } })).toEqual(["leavers.state:error.state.invalid"]);
  });

  it("an age band with its lowest age above its highest", () => {
    expect(problemsOf({ leavers: { state: "reported", number: "4", ageFrom: "25", ageTo: "18" } })).toEqual([
      "leavers.ageFrom:error.age.fromAfterTo",
    ]);
  });

  it("a reference date after today, or not a date", () => {
    expect(problemsOf({ leavers: { state: "reported", number: "4", referenceDate: "2026-12-01" } })).toEqual([
      "leavers.referenceDate:error.referenceDate.future",
    ]);
    expect(problemsOf({ leavers: { state: "reported", number: "4", referenceDate: "31/02/2026" } })).toEqual([
      "leavers.referenceDate:error.referenceDate.invalid",
    ]);
  });

  it("a deviation on a value that is not a number", () => {
    expect(problemsOf({ leavers: { state: "unknown", reason: "Not reliable", countingNote: "Counted by hand" } })).toEqual([
      "leavers.state:error.deviation.onlyWithNumber",
    ]);
  });

  it("control characters and overlong text", () => {
    expect(problemsOf({ leavers: { state: "unknown", reason: "bad\u0007bell" } })).toEqual(["leavers.reason:error.text.controlCharacters"]);
    expect(problemsOf({ leavers: { state: "reported", number: "1", caveat: "x".repeat(2001) } })).toEqual([
      "leavers.caveat:error.text.tooLong",
    ]);
  });

  it("“had a child removed” greater than “parents”, at submission; a draft may say so for now", () => {
    const input = {
      leavers: { state: "reported", number: "1" },
      parents: { state: "reported", number: "5" },
      removed: { state: "reported", number: "6" },
    };
    expect(problemsOf(input, submit)).toEqual(["removed.number:error.rule.notGreaterThan"]);
    expect(problemsOf(input, draft)).toEqual([]);
  });

  it("breakdowns that do not add up to their total, at submission; a draft may say so for now", () => {
    const input = {
      leavers: { state: "reported", number: "1" },
      removed: { state: "reported", number: "1" },
      parents: { state: "reported", number: "10" },
      mothers: { state: "reported", number: "6" },
      fathers: { state: "reported", number: "3" },
    };
    expect(problemsOf(input, submit)).toEqual(["parents.number:error.rule.sumEquals"]);
    expect(problemsOf(input, draft)).toEqual([]);
  });

  it("an item the collection does not ask for", () => {
    expect(problemsOf({ grandparents: { state: "reported", number: "1" } })).toEqual(["grandparents.state:error.item.unknown"]);
  });

  it("blank required items at submission, but not in a draft", () => {
    expect(problemsOf({}, draft)).toEqual([]);
    expect(problemsOf({ mothers: {} }, submit)).toEqual([
      "leavers.state:error.state.required",
      "parents.state:error.state.required",
      "removed.state:error.state.required",
    ]);
  });
});

describe("what is accepted, and how it is cleaned", () => {
  it("a number typed without choosing a state is a reported number", () => {
    expect(valuesOf({ leavers: { number: "1,234" } }).leavers).toMatchObject({ state: "reported", number: 1234 });
  });

  it("zero is a real zero", () => {
    expect(valuesOf({ leavers: { state: "reported", number: "0" } }).leavers).toMatchObject({ state: "reported", number: 0 });
  });

  it("the standard age band and the collection's own reference date are no deviation", () => {
    expect(
      valuesOf({ leavers: { state: "reported", number: "4", ageFrom: "21", ageTo: "25", referenceDate: "31 10 2026" } }).leavers,
    ).toMatchObject({ ageFrom: null, ageTo: null, referenceDateUsed: null });
  });

  it("another band, one end of a band, or another date is kept as a deviation", () => {
    const values = valuesOf({
      leavers: { state: "reported", number: "133", ageFrom: "18", ageTo: "25" },
      parents: { state: "reported", number: "159", ageTo: "25", referenceDate: "31.12.22" },
    });
    expect(values.leavers).toMatchObject({ ageFrom: 18, ageTo: 25 });
    expect(values.parents).toMatchObject({ ageFrom: null, ageTo: 25, referenceDateUsed: "2022-12-31" });
  });

  it("keeps reasons and caveats, trimmed", () => {
    expect(valuesOf({ leavers: { state: "Not collected", reason: "  We do not record this. " } }).leavers).toMatchObject({
      state: "not_collected",
      reason: "We do not record this.",
    });
  });
});

describe("flags: figures to explain before submission", () => {
  const reported = (number: number): CleanValue => ({ ...BLANK_VALUE, state: "reported", number });
  const noPeers = { peerRates: new Map<string, number[]>(), denominators: new Map<string, number>() };

  it("a change beyond both the percentage and the absolute threshold", () => {
    const previous = new Map([["leavers", { state: "reported" as const, number: 40 }]]);
    expect(findFlags(definition, { leavers: reported(100) }, { ...noPeers, previous })).toEqual([
      { itemCode: "leavers", kind: "change", params: { previous: 40, current: 100 } },
    ]);
    // 4 to 9 is +125%, but only 5 children: small numbers swing.
    const small = new Map([["leavers", { state: "reported" as const, number: 4 }]]);
    expect(findFlags(definition, { leavers: reported(9) }, { ...noPeers, previous: small })).toEqual([]);
    // 400 to 440 is 40 more, but only 10%.
    const large = new Map([["leavers", { state: "reported" as const, number: 400 }]]);
    expect(findFlags(definition, { leavers: reported(440) }, { ...noPeers, previous: large })).toEqual([]);
  });

  it("an item reported last round and not collected now", () => {
    const previous = new Map([["leavers", { state: "reported" as const, number: 40 }]]);
    const notCollected = { ...reported(0), state: "not_collected" as const, number: null, reason: "Stopped" };
    expect(findFlags(definition, { leavers: notCollected }, { ...noPeers, previous })[0]?.kind).toBe("stoppedCollecting");
  });

  it("a rate per 10,000 far from the other authorities'", () => {
    const peerRates = new Map([["leavers", [5, 5.5, 6, 6.5, 7, 5.2, 6.1]]]);
    const context = { previous: new Map(), peerRates, denominators: new Map([["leavers", 100_000]]) };
    expect(findFlags(definition, { leavers: reported(60) }, context)).toEqual([]);
    expect(findFlags(definition, { leavers: reported(300) }, context)[0]).toMatchObject({ kind: "outlier" });
    // The rate is per 10,000 of the item's own denominator: none for this item, no rate to compare.
    expect(findFlags(definition, { leavers: reported(300) }, { ...context, denominators: new Map([["other", 100_000]]) })).toEqual([]);
  });

  it("needs an explanation for each flagged value at submission", () => {
    const findings = [{ itemCode: "leavers", kind: "change" as const, params: {} }];
    expect(unexplainedFlags(findings, { leavers: reported(100) })).toEqual([
      { itemCode: "leavers", field: "queryExplanation", key: "error.flag.explanationMissing" },
    ]);
    expect(unexplainedFlags(findings, { leavers: { ...reported(100), queryExplanation: "A new team found more" } })).toEqual([]);
  });
});
