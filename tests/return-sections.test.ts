import { describe, expect, it } from "vitest";
import { returnSections, sectionOf } from "#app/domain/return-sections.ts";

const item = (code: string, parent_code: string | null = null) => ({ code, parent_code });

describe("a long return's sections", () => {
  it("keeps a round of a dozen items or fewer as one form", () => {
    expect(returnSections(Array.from({ length: 12 }, (_, i) => item(`item_${i}`)))).toBeNull();
  });

  it("makes each item with its breakdown a section, and items that stand alone one after another one section", () => {
    const items = [
      item("leavers"),
      item("parents"),
      item("mothers", "parents"),
      item("fathers", "parents"),
      item("first_time", "mothers"),
      item("reunified"),
      item("in_work"),
      item("education"),
      item("further", "education"),
      item("higher", "education"),
      item("custody"),
      item("homeless"),
      // Its parent is not asked for in this round: it stands alone.
      item("apprentices", "training"),
    ];
    const sections = returnSections(items);
    expect(sections).toEqual([
      { number: 1, heading: null, from: 1, to: 1, itemCodes: ["leavers"] },
      { number: 2, heading: "parents", from: 2, to: 5, itemCodes: ["parents", "mothers", "fathers", "first_time"] },
      { number: 3, heading: null, from: 6, to: 7, itemCodes: ["reunified", "in_work"] },
      { number: 4, heading: "education", from: 8, to: 10, itemCodes: ["education", "further", "higher"] },
      { number: 5, heading: null, from: 11, to: 13, itemCodes: ["custody", "homeless", "apprentices"] },
    ]);
    expect(sectionOf(sections, "first_time")?.number).toBe(2);
    expect(sectionOf(null, "first_time")).toBeNull();
  });
});
