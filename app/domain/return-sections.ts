/**
 * A long return in sections, for the GOV.UK task list: a round of more than about a dozen items
 * is worked through a section at a time. Pure: no database.
 */

/** Rounds with more items than this are shown as a task list; shorter ones keep the single form. */
export const SINGLE_FORM_MAX_ITEMS = 12;

export interface SectionItem {
  code: string;
  parent_code: string | null;
}

export interface ReturnSection {
  /** From 1, as the address gives it (`?section=2`). */
  number: number;
  /** The item whose breakdown the section is (its first item), or null for a run of items that stand alone. */
  heading: string | null;
  /** The section's items' positions in the round, from 1: "Items 4 to 9". */
  from: number;
  to: number;
  itemCodes: string[];
}

/**
 * The round's sections, in its order: each item heads a section with the items that break it down
 * (its descendants in the round, as the catalogue nests them, that follow it); items that stand
 * alone, one after another, make one section together. Null for a round short enough for one form.
 */
export function returnSections(items: SectionItem[]): ReturnSection[] | null {
  if (items.length <= SINGLE_FORM_MAX_ITEMS) return null;
  const asked = new Map(items.map((i) => [i.code, i]));
  const topOf = (item: SectionItem): string => {
    const parent = item.parent_code ? asked.get(item.parent_code) : undefined;
    return parent ? topOf(parent) : item.code;
  };
  const groups: { top: string; codes: string[] }[] = [];
  for (const item of items) {
    const top = topOf(item);
    const last = groups.at(-1);
    if (last && last.top === top) last.codes.push(item.code);
    else groups.push({ top, codes: [item.code] });
  }
  const sections: ReturnSection[] = [];
  let position = 1;
  for (const group of groups) {
    const alone = group.codes.length === 1;
    const previous = sections.at(-1);
    if (alone && previous && previous.heading === null) {
      previous.itemCodes.push(group.codes[0]!);
      previous.to = position;
    } else {
      sections.push({
        number: sections.length + 1,
        heading: alone ? null : group.top,
        from: position,
        to: position + group.codes.length - 1,
        itemCodes: [...group.codes],
      });
    }
    position += group.codes.length;
  }
  return sections;
}

/** The section an item is in, if the round has sections. */
export function sectionOf(sections: ReturnSection[] | null, itemCode: string) {
  return sections?.find((s) => s.itemCodes.includes(itemCode)) ?? null;
}
