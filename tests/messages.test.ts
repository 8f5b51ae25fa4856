import { describe, expect, it } from "vitest";
import { catalogues, compareText, formatDate, formatDateTime, formatNumber, translate, translator } from "#app/i18n/i18n.ts";
import { problemText, ruleText } from "#app/web/return-form.ts";

const placeholders = (message: unknown) => [...new Set([...JSON.stringify(message).matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

describe("the message catalogue", () => {
  it("has every key in both English and Welsh", () => {
    expect(Object.keys(catalogues.cy).sort()).toEqual(Object.keys(catalogues.en).sort());
  });

  it("has no empty message and the same placeholders in both languages", () => {
    for (const [key, english] of Object.entries(catalogues.en)) {
      const welsh = catalogues.cy[key as keyof typeof catalogues.en];
      expect(JSON.stringify(welsh).length, key).toBeGreaterThan(2);
      expect(placeholders(welsh), key).toEqual(placeholders(english));
    }
  });

  it("has Welsh that is not English copied across", () => {
    const same = Object.keys(catalogues.en).filter(
      (key) =>
        JSON.stringify(catalogues.en[key as keyof typeof catalogues.en]) ===
        JSON.stringify(catalogues.cy[key as keyof typeof catalogues.en]),
    );
    // Proper names, and patterns of numbers and names alone, read the same in both languages; "cell" is Welsh too.
    expect(same).toEqual(["service.owner", "form.itemHeading", "upload.cell"]);
  });

  it("uses Welsh plural forms and formats numbers and dates for the language", () => {
    expect(translate("cy", "coverage.noReturn", { count: 0 })).toBe("Atebodd pob un");
    expect(translate("cy", "coverage.noReturn", { count: 7 })).toBe("Ni atebodd 7");
    expect(translate("en", "coverage.noReturn", { count: 1 })).toBe("1 did not reply");
    expect(translate("en", "coverage.comparable", { count: 0 })).toBe("No authority gave a comparable figure");
    expect(translate("cy", "coverage.sentence", { total: "1,234", comparable: 12, expected: 22 })).toContain("12 o'r 22 awdurdod");
    expect(translate("cy", "home.daysLeft", { count: 2 })).toBe("2 ddiwrnod ar ôl");
    expect(translate("cy", "home.daysLeft", { count: 3 })).toBe("3 diwrnod ar ôl");
  });

  it("writes a negative number with a minus sign (U+2212), not a hyphen, in both languages", () => {
    const change = { style: "percent", maximumFractionDigits: 1, signDisplay: "exceptZero" } as const;
    for (const lang of ["en", "cy"] as const) {
      expect(formatNumber(lang, -0.631, change)).toBe("\u221263.1%");
      expect(formatNumber(lang, 0.25, change)).toBe("+25%");
      expect(formatNumber(lang, -1234)).toBe("\u22121,234");
      expect(translate(lang, "board.filledOf", { filled: -2, total: 9 })).toContain("\u22122");
    }
  });

  it("writes dates in Welsh without the browser's locale data, the same on server and browser", () => {
    expect(formatDate("cy", "2022-12-31")).toBe("31 Rhagfyr 2022");
    expect(formatDate("en", "2022-12-31")).toBe("31 December 2022");
    // Summer time: 23:30 UTC is 00:30 the next day in Wales.
    expect(formatDateTime("cy", new Date("2023-07-16T23:30:00Z"))).toBe("17 Gorffennaf 2023 am 00:30");
    expect(formatDateTime("en", new Date("2023-02-16T12:00:00Z"))).toBe("16 February 2023 at 12:00");
  });

  it("sorts Welsh with Welsh collation: ch after c, ll after l", () => {
    const names = ["Llanelli", "Lyon", "Chwilog", "Conwy", "Casnewydd"];
    expect([...names].sort((a, b) => compareText("cy", a, b))).toEqual(["Casnewydd", "Conwy", "Chwilog", "Lyon", "Llanelli"]);
    expect([...names].sort((a, b) => compareText("en", a, b))).toEqual(["Casnewydd", "Chwilog", "Conwy", "Llanelli", "Lyon"]);
  });

  it("puts no word that mutates what follows before a name the portal does not write itself", () => {
    // Titles, item labels and authority names are data ("Pobl ifanc…", "Caerdydd"): after "i", "am",
    // "yn" or "gan" Welsh would mutate them ("i Bobl", "ym Mhobl", "gan Gaerdydd"), which the portal
    // cannot do for any name, so the sentence names them after words that mutate nothing ("ar gyfer", "ynghylch").
    const mutating =
      /(^|[\s'])(i|am|yn|o|â|a|na|gan|dan|drwy|trwy|heb|wrth|dros|tan|at|ar)\s+\{(collection|item|label|authority|title|limitItem|parts|part)\}/;
    const offending = Object.entries(catalogues.cy).filter(([, message]) => mutating.test(JSON.stringify(message)));
    expect(offending.map(([key, message]) => `${key}: ${JSON.stringify(message)}`)).toEqual([]);
  });

  it("names items in Welsh rule messages only where Welsh does not mutate them", () => {
    // An item's name is whatever a coordinator wrote: after "na", "i" or "a" Welsh would mutate it
    // ("na phobl", "i bobl", "a phobl"), which the portal cannot do for any name.
    const itemName = /\{(label|limitItem|parts|part)\}/g;
    const rules = Object.entries(catalogues.cy).filter(([key, message]) => /(^|\.)rules?\./.test(key) && String(message).match(itemName));
    expect(rules.map(([key]) => key).sort()).toEqual([
      "error.rule.notGreaterThan",
      "error.rule.sumEquals",
      "form.rule.notGreaterThan",
      "form.rule.parts.last",
      "form.rule.parts.more",
      "form.rule.sumEquals",
    ]);
    for (const [key, message] of rules) {
      expect(String(message), key).not.toMatch(/(^|[\s'])(na|i|a)\s+\{(label|limitItem|parts|part)\}/);
      for (const match of String(message).matchAll(itemName)) {
        expect(String(message).slice(0, match.index), `${key}: before {${match[1]}}`).toMatch(/(^|: |ar gyfer )$/);
      }
    }
    // As the form says them, with names that would mutate, and a sum of three items joined in Welsh.
    const t = translator("cy");
    const labels = { parents: "Pobl ifanc sy'n rieni", mothers: "Pobl ifanc sy'n famau", fathers: "Pobl ifanc sy'n dadau", taken: "Plant" };
    const sentences = [
      ruleText(t, { kind: "not_greater_than", item: "taken", limit: "parents" }, labels),
      ruleText(t, { kind: "sum_equals", total: "parents", parts: ["mothers", "fathers", "taken"] }, labels),
      // And as the error summary says a broken rule.
      problemText(
        t,
        { itemCode: "parents", field: "number", key: "error.rule.sumEquals", params: { parts: "mothers,fathers", sum: 7 } },
        labels,
      ),
    ];
    expect(sentences).toEqual([
      "Ni all y ffigur ar gyfer Plant fod yn fwy na'r ffigur ar gyfer Pobl ifanc sy'n rieni.",
      "Rhaid i'r ffigur ar gyfer Pobl ifanc sy'n rieni fod yn hafal i swm y ffigurau ar gyfer Pobl ifanc sy'n famau, ar gyfer Pobl ifanc sy'n dadau ac ar gyfer Plant.",
      "Pobl ifanc sy'n rieni: rhaid i'r ffigur fod yn hafal i swm y ffigurau ar gyfer Pobl ifanc sy'n famau ac ar gyfer Pobl ifanc sy'n dadau (7)",
    ]);
    expect(ruleText(translator("en"), { kind: "sum_equals", total: "parents", parts: ["mothers", "fathers", "taken"] }, labels)).toBe(
      "The figure for Pobl ifanc sy'n rieni must equal the figures for Pobl ifanc sy'n famau, Pobl ifanc sy'n dadau and Plant added together.",
    );
    for (const sentence of sentences) expect(sentence).not.toMatch(/(^|[\s'])(na|i|a) P/);
  });
});
