/**
 * The attack on a publication: everything a reader of the published figures knows, written as
 * integer linear constraints, and for every [c] the least and the greatest value it can take,
 * solved exactly by HiGHS (a mixed-integer solver, not the one the plan itself uses). A [c] whose
 * least and greatest values are equal has been given away.
 *
 * What the reader knows: every published number; which authority is in which region; which figures
 * were counted differently ([d]: left out of the totals); each region's total is the sum of its
 * authorities' comparable figures and the Wales total the sum of all of them; the round's rules
 * (sum rules hold in every return whose parts are all reported, "not greater than" likewise); a [c]
 * is a whole number of at least 1, since zeros are published, and at most the item's maximum.
 */
import highsLoader from "highs";
import type { CrossItemRule } from "#app/schema/collection-rules.ts";

/** One published figure: a number, "[c]", or a mark for no figure at all ("[x]", "[z]"). */
export type Published = number | "[c]" | "[x]" | "[z]";

export interface PublishedRound {
  /** Authority code -> item code -> what is published, and whether it is marked [d]. */
  cells: Map<string, Map<string, { shown: Published; counted: "same" | "differently" }>>;
  /** Item code -> area ("" for Wales, else the region code) -> the published total. */
  totals: Map<string, Map<string, Published>>;
  regionOf: Map<string, string>;
  rules: CrossItemRule[];
  itemMax?: Record<string, number | null>;
}

export interface Recovered {
  key: string;
  min: number;
  max: number;
}

let highs: Awaited<ReturnType<typeof highsLoader>> | undefined;

/** Every [c] with the range an attacker can pin it to. */
export function attack(round: PublishedRound): Promise<Recovered[]> {
  return attackReleases([round], []);
}

/**
 * Every [c] of several releases of one round, read together, with the range an attacker can pin it
 * to. The attacker is told what each revision changed (`changes[i]`: the keys that differ between
 * release i and i + 1), the worst case: a figure is one unknown across each run of releases that
 * did not change it, equal to any number one of them published. A figure that changed is named by
 * the release that began its run (`1|cell:…`).
 */
export async function attackReleases(releases: PublishedRound[], changes: Set<string>[]): Promise<Recovered[]> {
  highs ??= await highsLoader();
  const names = new Map<string, string>();
  const variable = (key: string) => {
    if (!names.has(key)) names.set(key, `v${names.size}`);
    return names.get(key)!;
  };
  // Each term: a known number, or a [c] as a variable.
  type Term = { coefficient: number; figure: Published; key: string };
  const lines: string[] = [];
  const relation = (terms: Term[], op: "=" | "<=") => {
    let constant = 0;
    const parts: string[] = [];
    for (const { coefficient, figure, key } of terms) {
      if (figure === "[c]") parts.push(`${coefficient >= 0 ? "+" : "-"} ${Math.abs(coefficient)} ${variable(key)}`);
      else if (typeof figure === "number") constant += coefficient * figure;
      else throw new Error(`${key}: a relation over a figure that is not published as a number or [c]`);
    }
    if (parts.length > 0) lines.push(` c${lines.length}: ${parts.join(" ")} ${op} ${-constant}`);
  };
  const hidden = new Set<string>();
  const published = new Map<string, number>();

  releases.forEach((round, index) => {
    const name = (key: string) => {
      if (!changes.some((changed) => changed.has(key))) return key;
      let first = index;
      while (first > 0 && !changes[first - 1]!.has(key)) first--;
      return `${first}|${key}`;
    };
    const note = (key: string, figure: Published) => {
      if (figure === "[c]") hidden.add(name(key));
      else if (typeof figure === "number") published.set(name(key), figure);
    };
    for (const [itemCode, areas] of round.totals) {
      for (const [area, total] of areas) {
        note(`total:${itemCode}:${area}`, total);
        if (total === "[x]" || total === "[z]") continue;
        const parts: Term[] = [];
        for (const [authority, items] of round.cells) {
          if (area !== "" && round.regionOf.get(authority) !== area) continue;
          const cell = items.get(itemCode);
          if (!cell || cell.counted === "differently" || (cell.shown !== "[c]" && typeof cell.shown !== "number")) continue;
          parts.push({ coefficient: -1, figure: cell.shown, key: name(`cell:${authority}:${itemCode}`) });
        }
        relation([{ coefficient: 1, figure: total, key: name(`total:${itemCode}:${area}`) }, ...parts], "=");
      }
    }
    for (const [authority, items] of round.cells) {
      for (const [itemCode, cell] of items) note(`cell:${authority}:${itemCode}`, cell.shown);
      const term = (itemCode: string, coefficient: number): Term | null => {
        const cell = items.get(itemCode);
        if (!cell || (cell.shown !== "[c]" && typeof cell.shown !== "number")) return null;
        return { coefficient, figure: cell.shown, key: name(`cell:${authority}:${itemCode}`) };
      };
      for (const rule of round.rules) {
        const terms =
          rule.kind === "sum_equals"
            ? [term(rule.total, 1), ...rule.parts.map((p) => term(p, -1))]
            : [term(rule.item, 1), term(rule.limit, -1)];
        if (terms.every((t) => t !== null)) relation(terms as Term[], rule.kind === "sum_equals" ? "=" : "<=");
      }
    }
  });
  // A figure hidden in one release and published, unchanged, in another is that number.
  for (const key of hidden) {
    const known = published.get(key);
    if (known !== undefined) lines.push(` c${lines.length}: + 1 ${variable(key)} = ${known}`);
  }
  for (const key of hidden) variable(key);
  const itemMax = Object.assign({}, ...releases.map((r) => r.itemMax ?? {})) as Record<string, number | null>;
  const bounds = [...hidden].map((key) => {
    const [kind, , itemCode] = key.replace(/^\d+\|/, "").split(":");
    const max = kind === "cell" ? itemMax[itemCode!] : null;
    return max === null || max === undefined ? ` ${variable(key)} >= 1` : ` 1 <= ${variable(key)} <= ${max}`;
  });
  const solveFor = (key: string, sense: "Minimize" | "Maximize") => {
    const lp = [
      sense,
      ` obj: ${variable(key)}`,
      "Subject To",
      ...(lines.length > 0 ? lines : [` c0: ${variable(key)} >= 1`]),
      "Bounds",
      ...bounds,
      "General",
      ` ${[...names.values()].join(" ")}`,
      "End",
    ].join("\n");
    const solution = highs!.solve(lp, { output_flag: false });
    if (String(solution.Status).includes("nbounded")) return Number.POSITIVE_INFINITY;
    if (solution.Status !== "Optimal") throw new Error(`attack on ${key}: ${solution.Status}`);
    return Math.round(solution.ObjectiveValue);
  };
  return [...hidden].map((key) => ({ key, min: solveFor(key, "Minimize"), max: solveFor(key, "Maximize") }));
}
