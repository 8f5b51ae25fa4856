/**
 * The suppression plan of decision record 011, made once per publication (see disclosure.ts for the
 * rules). For the hidden figures it solves, with HiGHS, the linear programme of everything
 * published: how far each figure can move from its true value. A figure pinned to one whole value
 * gets a companion hidden beside it, until none is pinned.
 */
import highsLoader from "highs";
import {
  isSmallCount,
  tableOf,
  type CellFigure,
  type EarlierRelease,
  type PlanInput,
  type SuppressionResult,
  type Table,
  type TotalFigure,
} from "#app/domain/disclosure.ts";
import type { CollectionWithItems } from "#app/models/collection.server.ts";

let highs: Promise<Awaited<ReturnType<typeof highsLoader>>> | undefined;

/**
 * A small count no plan can protect: the figures already published, with this release's, give it
 * away whatever else is hidden (a revision's new zero completing a rule, say). The release is
 * refused, and the coordinator told which figure, an authority's or a total's.
 */
export class UnprotectableSmallCount extends Error {
  /** The figure's key as the published table names it: "cell:<authority>:<item>" or "total:<item>:<region>". */
  readonly key: string;

  constructor(key: string) {
    super(`disclosure: nothing more can be hidden to protect ${key}`);
    // An earlier release's figure changed since is named after its release: "release0:cell:…".
    this.key = key.replace(/^release\d+:/, "");
  }
}

type Solver = Awaited<ReturnType<typeof highsLoader>>;

/** The plan for one round's figures, by its rules: what a publication and a coordinator's export with it hide. */
export function roundSuppressionPlan(
  collection: Pick<CollectionWithItems, "rules" | "items">,
  authorities: { code: string; region_code: string }[],
  cells: CellFigure[],
  totals: TotalFigure[],
  earlier: EarlierRelease[],
): Promise<SuppressionResult> {
  const regionOf = new Map(authorities.map((a) => [a.code, a.region_code]));
  return suppressionPlan({
    cells,
    totals,
    regionOf: (code) => regionOf.get(code) ?? "",
    rules: collection.rules.crossItem,
    smallCountMax: collection.rules.smallCountMax,
    itemMax: Object.fromEntries(collection.items.map((i) => [i.code, i.max_value])),
    earlier,
  });
}

/** The plan for one round's published figures. */
export async function suppressionPlan(input: PlanInput): Promise<SuppressionResult> {
  highs ??= highsLoader();
  const solver = await highs;
  const current = tableOf(input);
  const { table, known, hiddenBefore } = withEarlierReleases(current, input);
  const hidden = new Set<string>([
    ...[...current.value].filter(([, v]) => isSmallCount(v, input.smallCountMax)).map(([k]) => k),
    ...hiddenBefore,
  ]);
  // The small counts, this release's and the earlier releases' it hid: the figures the plan protects.
  // Every other hidden figure is a companion, hidden only to protect them.
  const primary = new Set([...hidden].filter((k) => isSmallCount(table.value.get(k) ?? null, input.smallCountMax)));
  const shown = new Set<string>();
  // Hiding one more figure only widens the others' ranges (it turns a constant into a variable),
  // so a figure found safe stays safe: each is checked until it is, and each companion in turn. A
  // figure readers already hold from an earlier release needs no protection, and gives none.
  let unchecked = new Set([...hidden].filter((k) => !known.has(k)));
  while (unchecked.size > 0) {
    // Two programmes clear most figures at once: pushing every unchecked figure up (at most one
    // above its true value) and down; a figure that moves by a whole unit either way is not pinned.
    for (const sense of ["Maximize", "Minimize"] as const) {
      const moved = solveProgramme(solver, table, hidden, known, [...unchecked], sense, { capped: true });
      if (moved === null) continue;
      for (const key of unchecked) {
        const shift = (moved.get(key) ?? table.value.get(key)!) - table.value.get(key)!;
        if ((sense === "Maximize" ? shift : -shift) >= 1 - 1e-6) unchecked.delete(key);
      }
    }
    const key = [...unchecked].sort()[0];
    if (key === undefined) break;
    if (!isPinned(feasibleRange(solver, table, hidden, known, key))) {
      unchecked.delete(key);
      continue;
    }
    const companion = companionFor(table, hidden, new Set([...known, ...shown]), key);
    if (companion === null && primary.has(key)) throw new UnprotectableSmallCount(key);
    if (companion === null) {
      // A companion readers can work out from figures published already, whatever else is hidden
      // (a region's total unchanged since an earlier release beside a zero, say): hiding it
      // protects nothing. Hidden by this plan alone, it is published, never chosen again, and
      // every hidden figure is checked anew without it, a constant where it was a variable.
      unchecked.delete(key);
      if (!hiddenBefore.has(key)) {
        hidden.delete(key);
        shown.add(key);
        unchecked = new Set([...hidden].filter((k) => !known.has(k)));
      }
      continue;
    }
    hidden.add(companion);
    unchecked = new Set([...unchecked, companion]);
  }
  return {
    smallCountMax: input.smallCountMax,
    cells: [...hidden].filter((k) => current.isCell.has(k)).sort(),
    totals: [...hidden].filter((k) => current.value.has(k) && !current.isCell.has(k)).sort(),
  };
}

/**
 * This release's table joined with the round's earlier releases, as a reader who kept them would
 * write it down, told what each revision changed. A figure unchanged from one release to the next
 * is one unknown in both: unchanged up to this release, it is this release's own figure (so a
 * figure a release hid stays hidden now), or, if a release published it, a number the reader
 * knows. A figure changed since is an unknown of its own, shared by the run of releases that gave
 * it the same value, protected as this release's hidden figures are, or a known number if one of
 * them published it.
 */
function withEarlierReleases(current: Table, input: PlanInput) {
  const relations = [...current.relations];
  const value = new Map(current.value);
  const upper = new Map(current.upper);
  const known = new Set<string>();
  const hiddenBefore = new Set<string>();
  const earlier = (input.earlier ?? []).map((release) => ({
    table: tableOf({ ...input, cells: release.cells, totals: release.totals }),
    hidden: new Set(release.hidden),
  }));
  const tables = [...earlier.map((release) => release.table), current];
  earlier.forEach((release, index) => {
    const keyThen = (key: string) => {
      const figure = release.table.value.get(key);
      let last = index;
      while (last < tables.length - 1 && tables[last + 1]!.value.get(key) === figure) last++;
      const name = last === tables.length - 1 ? key : `release${last}:${key}`;
      if (name !== key) {
        value.set(name, figure!);
        const limit = release.table.upper.get(key);
        if (limit !== undefined) upper.set(name, limit);
      }
      (release.hidden.has(key) ? hiddenBefore : known).add(name);
      return name;
    };
    for (const relation of release.table.relations) {
      relations.push({ kind: relation.kind, terms: relation.terms.map(([key, coefficient]) => [keyThen(key), coefficient]) });
    }
    // A figure in no relation then (counted differently, say) was published all the same: readers
    // know it if it is unchanged now, whatever relations it is in today.
    for (const key of release.table.value.keys()) keyThen(key);
  });
  // Known once published, whatever a later release hides.
  for (const key of known) hiddenBefore.delete(key);
  return { table: { relations, value, upper, isCell: current.isCell }, known, hiddenBefore };
}

/**
 * Whether the figure is pinned to one whole value. The bounds are the linear programme's, which
 * contain the integer ones: a range narrower than 1 holds at most one whole number. (The tests
 * attack with the integer programme besides.)
 */
function isPinned({ min, max }: { min: number; max: number }) {
  return Math.floor(max + 1e-6) - Math.ceil(min - 1e-6) < 1;
}

/** The least and greatest value a hidden figure can take, given everything else published. */
function feasibleRange(solver: Solver, table: Table, hidden: Set<string>, known: Set<string>, key: string) {
  const bound = (sense: "Minimize" | "Maximize") => {
    const solution = solveProgramme(solver, table, hidden, known, [key], sense, { capped: false });
    return solution === null ? Number.POSITIVE_INFINITY : solution.get(key)!;
  };
  return { min: bound("Minimize"), max: bound("Maximize") };
}

/**
 * The linear programme of everything published, with the hidden figures readers do not already
 * know as its variables, solved for the sum of `objective`: the attack the plan defends against,
 * run by the plan on itself. Capped, no variable goes more than one above its true value. Null
 * when unbounded.
 */
function solveProgramme(
  solver: Solver,
  table: Table,
  hidden: Set<string>,
  known: Set<string>,
  objective: string[],
  sense: "Minimize" | "Maximize",
  { capped }: { capped: boolean },
): Map<string, number> | null {
  const names = new Map([...hidden].filter((k) => !known.has(k)).map((k, i) => [k, `x${i}`]));
  const rows: string[] = [];
  table.relations.forEach((relation, index) => {
    let known = 0;
    const parts: string[] = [];
    for (const [k, coefficient] of relation.terms) {
      const name = names.get(k);
      if (name) parts.push(`${coefficient < 0 ? "-" : "+"} ${Math.abs(coefficient)} ${name}`);
      else known += coefficient * table.value.get(k)!;
    }
    if (parts.length > 0) rows.push(` r${index}: ${parts.join(" ")} ${relation.kind === "equal" ? "=" : "<="} ${-known}`);
  });
  const bounds = [...names].map(([k, name]) => {
    const limits = [table.upper.get(k), capped ? table.value.get(k)! + 1 : undefined].filter((v) => v !== undefined);
    return limits.length === 0 ? ` ${name} >= 1` : ` 1 <= ${name} <= ${Math.min(...limits)}`;
  });
  const lp = [
    sense,
    ` obj: ${objective.map((k) => `+ 1 ${names.get(k)}`).join(" ")}`,
    "Subject To",
    ...(rows.length > 0 ? rows : [" r: + 1 x0 >= 1"]),
    "Bounds",
    ...bounds,
    "End",
  ];
  const solution = solver.solve(lp.join("\n"), { output_flag: false });
  if (String(solution.Status).includes("nbounded")) return null;
  if (solution.Status !== "Optimal") throw new Error(`disclosure: the published table has no solution (${solution.Status})`);
  return new Map([...names].map(([k, name]) => [k, (solution.Columns[name] as { Primal: number }).Primal]));
}

/**
 * The next figure to hide for a pinned one: a published, non-zero figure in a relation with it (or,
 * when there is none, with any hidden figure it is linked to), the smallest, authorities' figures
 * before totals, so that totals stay published where they can; never one readers already know.
 */
function companionFor(table: Table, hidden: Set<string>, known: Set<string>, pinned: string): string | null {
  let reach = new Set([pinned]);
  for (let grown = true; grown; ) {
    const candidates = table.relations
      .filter((r) => r.terms.some(([k]) => reach.has(k)))
      .flatMap((r) => r.terms.map(([k]) => k))
      .filter((k) => !hidden.has(k) && !known.has(k) && table.value.get(k)! > 0);
    if (candidates.length > 0) {
      return [...new Set(candidates)].sort(
        (a, b) =>
          Number(table.isCell.has(b)) - Number(table.isCell.has(a)) || table.value.get(a)! - table.value.get(b)! || a.localeCompare(b),
      )[0]!;
    }
    const next = new Set(
      table.relations
        .filter((r) => r.terms.some(([k]) => reach.has(k)))
        .flatMap((r) => r.terms.map(([k]) => k))
        .filter((k) => hidden.has(k)),
    );
    grown = next.size > reach.size;
    reach = new Set([...reach, ...next]);
  }
  return null;
}
