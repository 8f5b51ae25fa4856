import { renderToStaticMarkup } from "react-dom/server";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { catalogues, translate, translator } from "#app/i18n/i18n.ts";
import { coverageParts, coverageText } from "#app/domain/coverage.ts";
import { roundStage } from "#app/domain/round.ts";
import { labelledPoints, TrendChart, type TrendChartPoint } from "#app/components/charts.tsx";
import type { Coverage } from "#app/models/aggregation.server.ts";

const february: Coverage = {
  expected: 22,
  comparable: 12,
  nonComparable: 3,
  notCollected: 0,
  unknown: 0,
  notApplicable: 0,
  notAnswered: 0,
  noReturn: 7,
};

describe("the round's status in the words", () => {
  it("tells a round still collecting from a late one and from a closed one", () => {
    const open = { status: "open" as const, due_on: "2026-12-18" };
    expect(roundStage(open, "2026-12-02")).toBe("collecting");
    expect(roundStage(open, "2026-12-18")).toBe("collecting");
    expect(roundStage(open, "2026-12-19")).toBe("overdue");
    expect(roundStage({ status: "closed", due_on: "2023-02-10" }, "2026-12-02")).toBe("closed");
    expect(roundStage({ status: "draft", due_on: "2027-01-10" }, "2026-12-02")).toBe("collecting");
  });

  it("says 'not submitted yet' before the due date, 'by the due date' after it, and 'did not reply' only once closed", () => {
    const en = translator("en");
    expect(coverageText(en, february, "collecting")).toBe(
      "12 authorities gave a comparable figure; 3 counted differently; 7 have not submitted yet",
    );
    expect(coverageText(en, february, "overdue")).toBe(
      "12 authorities gave a comparable figure; 3 counted differently; 7 have not submitted by the due date",
    );
    expect(coverageText(en, february, "closed")).toBe("12 authorities gave a comparable figure; 3 counted differently; 7 did not reply");
    for (const stage of ["collecting", "overdue"] as const) {
      expect(coverageParts(en, february, stage).join(" ")).not.toMatch(/did not reply/);
      expect(coverageParts(translator("cy"), february, stage).join(" ")).not.toMatch(/Ni atebodd/);
    }
  });

  it("continues a Welsh coverage list in lower case after each semicolon, and keeps capitals in a bulleted list", () => {
    const cy = translator("cy");
    expect(coverageText(cy, february, "closed")).toBe("Rhoddodd 12 awdurdod ffigur cymaradwy; cyfrifodd 3 yn wahanol; ni atebodd 7");
    expect(coverageParts(cy, february, "closed")).toEqual([
      "Rhoddodd 12 awdurdod ffigur cymaradwy",
      "Cyfrifodd 3 yn wahanol",
      "Ni atebodd 7",
    ]);
    expect(coverageText(cy, february, "collecting")).toMatch(/; nid yw 7 wedi cyflwyno eto$/);
  });

  it("does not say the footer's figures came from all 22 authorities", () => {
    expect(translate("en", "layout.footer.licence")).not.toMatch(/by the 22/);
    expect(translate("cy", "layout.footer.licence")).not.toMatch(/gan 22/);
  });
});

describe("Welsh grammar in the catalogue", () => {
  it("writes 'o'r' between two counts of authorities, never 'o' alone", () => {
    const texts = Object.entries(catalogues.cy).flatMap(([key, message]) =>
      (typeof message === "string" ? [message] : Object.values(message)).map((text) => [key, text] as const),
    );
    expect(texts.filter(([, text]) => /\} o \{/.test(text))).toEqual([]);
    expect(translate("cy", "collection.regions.coverage", { comparable: 12, expected: 22 })).toBe("12 o'r 22 awdurdod");
    expect(translate("cy", "gaps.summary.comparable", { count: 12, expected: 22 })).toBe("Rhoddodd 12 o'r 22 awdurdod ffigur cymaradwy.");
  });

  it("asks the figures of the 22 authorities on the home page, not by them", () => {
    expect(translate("cy", "home.lead")).not.toMatch(/gan 22 awdurdod/);
    expect(translate("cy", "home.lead")).toMatch(/y gofynnir i 22 awdurdod lleol Cymru amdanynt/);
  });
});

describe("the trend chart", () => {
  const point = (key: string, value: number | null, extra: Partial<TrendChartPoint> = {}): TrendChartPoint => ({
    key,
    label: key,
    value,
    comparable: true,
    joinsPrevious: true,
    provisional: false,
    ...extra,
  });
  const segments = (points: TrendChartPoint[]) => {
    const svg = renderToStaticMarkup(createElement(TrendChart, { t: translator("en"), id: "t", title: "T", description: "D", points }));
    // The first <line> is the axis.
    return { count: (svg.match(/<line /g) ?? []).length - 1, svg };
  };

  it("joins two points only when they cover the same authorities and both are comparable", () => {
    expect(segments([point("a", 10), point("b", 12), point("c", 14)]).count).toBe(2);
    expect(segments([point("a", 10), point("b", 12, { joinsPrevious: false }), point("c", 14)]).count).toBe(1);
    expect(segments([point("a", 10), point("b", 12, { comparable: false }), point("c", 14)]).count).toBe(0);
    expect(segments([point("a", 10), point("b", null), point("c", 14)]).count).toBe(0);
  });

  it("dates every point while the dates fit under the axis, and beyond that an even spread of them, the first and the last always", () => {
    const dated = (count: number) => {
      const { svg } = segments(Array.from({ length: count }, (_, i) => point(`round-${i}`, 10 + i)));
      return [...svg.matchAll(/<tspan[^>]*>(round-\d+)<\/tspan>/g)].map((m) => m[1]);
    };
    expect(dated(3)).toEqual(["round-0", "round-1", "round-2"]);
    expect(dated(5)).toHaveLength(5);
    // Ten years of quarterly rounds: 41 dates side by side would overprint one another.
    expect(dated(41)).toEqual(["round-0", "round-10", "round-20", "round-30", "round-40"]);
    expect(labelledPoints(2, 5)).toEqual(new Set([0, 1]));
    // An undated point still says its date and figure on hover.
    expect(segments([point("round-0", 10), point("round-1", 1234)]).svg).toContain("<title>round-1: 1,234</title>");
  });

  it("marks a provisional point and its line as dashed, and says so under its date with its coverage", () => {
    const { svg } = segments([point("a", 10, { note: "12 of 22" }), point("b", 12, { provisional: true, note: "1 of 22" })]);
    expect(svg).toContain("(provisional)");
    expect(svg).toContain("12 of 22");
    expect(svg).toMatch(/<line[^>]*stroke-dasharray="6 4"/);
  });
});
