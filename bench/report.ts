/** The goals, each worked out from every run's measurements, with its spread across the runs. */
import type { Latencies, LoadResult } from "./load.ts";

export interface RunFigures {
  views: Record<string, Latencies & { cpuMsPerRequest?: number }>;
  web: Record<string, LoadResult>;
  deadline: Record<string, { floor: LoadResult; day: LoadResult; rssHighWaterKb: number }>;
  scaleOut: Record<string, LoadResult>;
  embedded: Record<string, LoadResult>;
  exports: {
    history: { seconds: number; cells: number; cellsPerSecond: number; peakRssKb: number };
    limit: { seconds: number; cellsPerSecond: number; peakRssKb: number };
    workbook: { seconds: number; cells: number };
    upload: { uploadMs: number; importMs: number };
  };
}

export interface Goal {
  measure: string;
  goal: string;
  /** The median over the runs, and the lowest and highest. */
  median: number;
  min: number;
  max: number;
  /** How many runs met the goal (null: measured, no goal). */
  metIn: number | null;
  runs: { value: number; figures: string }[];
}

const ms = (n: number) => (n >= 100 ? `${n.toFixed(0)} ms` : `${n.toFixed(1)} ms`);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const cpu = (r: { cpuMsPerRequest?: number }) => (r.cpuMsPerRequest === undefined ? "" : `, CPU ${r.cpuMsPerRequest.toFixed(1)} ms/req`);
const rate = (r: LoadResult) => `${r.rps.toFixed(0)} req/s${cpu(r)}`;
const routeP95 = (r: LoadResult, route: string) => r.routes[route]?.p95 ?? Number.NaN;

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function goalsTable(runs: RunFigures[]): Goal[] {
  const goals: Goal[] = [];
  const add = (
    measure: string,
    goal: string,
    meets: ((v: number) => boolean) | null,
    of: (r: RunFigures) => { value: number; figures: string },
  ) => {
    const per = runs.map(of);
    const values = per.map((p) => p.value);
    goals.push({
      measure,
      goal,
      median: median(values),
      min: Math.min(...values),
      max: Math.max(...values),
      metIn: meets ? values.filter(meets).length : null,
      runs: per,
    });
  };
  const atLeast = (n: number) => (v: number) => v >= n;
  const atMost = (n: number) => (v: number) => v <= n;

  add("Form GET ÷ signed-in floor (throughput, 10 connections)", ">= 0.5", atLeast(0.5), (r) => ({
    value: r.web.form!.rps / r.web.floor!.rps,
    figures: `form ${rate(r.web.form!)}, p95 ${ms(routeP95(r.web.form!, "form"))}; floor ${rate(r.web.floor!)}`,
  }));
  add("Save ÷ signed-in floor (throughput, 10 connections)", ">= 0.4", atLeast(0.4), (r) => ({
    value: r.web.save!.rps / r.web.floor!.rps,
    figures: `save ${rate(r.web.save!)}, p95 ${ms(routeP95(r.web.save!, "save"))}; floor ${rate(r.web.floor!)}`,
  }));
  for (const view of ["board", "gaps", "totals", "item", "form", "trend"]) {
    const grows = ["form", "trend"].includes(view);
    add(`${view}: p95 at 10 years ÷ 1 round`, grows ? "measured" : "<= 1.3", grows ? null : atMost(1.3), (r) => {
      const ten = r.views[`${view}.tenYears.page`]!;
      const one = r.views[`${view}.oneRound.page`]!;
      return {
        value: ten.p95 / one.p95,
        figures: `${ms(ten.p95)}${cpu(ten)} / ${ms(one.p95)}${cpu(one)} (${ten.samples} samples)`,
      };
    });
  }
  for (const view of ["board", "gaps", "totals", "item", "trend", "form"]) {
    add(`${view}: page p95 ÷ all its SQL p95 (10 years)`, "<= 2.5", atMost(2.5), (r) => {
      const page = r.views[`${view}.tenYears.page`]!;
      const sql = r.views[`${view}.tenYears.sql`]!;
      return { value: page.p95 / sql.p95, figures: `${ms(page.p95)} / ${ms(sql.p95)}; p50 ${ms(page.p50)} / ${ms(sql.p50)}` };
    });
  }
  add("History export ÷ exceljs alone (cells/s)", ">= 0.8", atLeast(0.8), (r) => ({
    value: r.exports.history.cellsPerSecond / r.exports.limit.cellsPerSecond,
    figures: `${r.exports.history.seconds.toFixed(2)} s for ${r.exports.history.cells} cells (${r.exports.history.cellsPerSecond.toFixed(0)}/s); exceljs alone ${r.exports.limit.cellsPerSecond.toFixed(0)}/s`,
  }));
  add(
    "History export peak RSS (MB)",
    "< 250",
    (v) => v < 250,
    (r) => ({
      value: r.exports.history.peakRssKb / 1024,
      figures: `server ${mb(r.exports.history.peakRssKb)}; exceljs alone ${mb(r.exports.limit.peakRssKb)}`,
    }),
  );
  for (const connections of ["50", "200"]) {
    const goal = connections === "200";
    for (const route of ["form", "save"]) {
      add(
        `Deadline day, ${connections} connections: ${route} p95 ÷ floor p95`,
        goal ? "<= 3" : "measured",
        goal ? atMost(3) : null,
        (r) => {
          const d = r.deadline[connections]!;
          return {
            value: routeP95(d.day, route) / routeP95(d.floor, "floor"),
            figures: `${route} ${ms(routeP95(d.day, route))} (${d.day.routes[route]?.samples} samples) / floor ${ms(routeP95(d.floor, "floor"))}; saved form ${ms(routeP95(d.day, "saved form"))}, board ${ms(routeP95(d.day, "board"))} (${d.day.routes.board?.samples ?? 0} loads); ${rate(d.day)}; RSS peak ${mb(d.rssHighWaterKb)}`,
          };
        },
      );
    }
    add(`Deadline day, ${connections} connections: errors`, goal ? "0" : "measured", goal ? (v) => v === 0 : null, (r) => {
      const d = r.deadline[connections]!;
      return { value: d.day.errors + d.floor.errors, figures: `${d.day.requests + d.floor.requests} requests` };
    });
  }
  add("Two instances ÷ one (throughput, officers' loop, 50 connections)", ">= 1.7", atLeast(1.7), (r) => ({
    value: r.scaleOut.two!.rps / r.scaleOut.one!.rps,
    figures: `two ${rate(r.scaleOut.two!)}; one ${rate(r.scaleOut.one!)}`,
  }));
  add("PGlite ÷ PostgreSQL (throughput, officers' loop, 10 users)", ">= 0.8", atLeast(0.8), (r) => ({
    value: r.embedded.pglite!.rps / r.embedded.postgres!.rps,
    figures: `PGlite ${rate(r.embedded.pglite!)}, form p95 ${ms(routeP95(r.embedded.pglite!, "form"))}; PostgreSQL ${rate(r.embedded.postgres!)}, form p95 ${ms(routeP95(r.embedded.postgres!, "form"))}`,
  }));
  add("Workbook, one collection (s)", "measured", null, (r) => ({
    value: r.exports.workbook.seconds,
    figures: `${r.exports.workbook.cells} cells`,
  }));
  add("Template upload, full return (ms)", "measured", null, (r) => ({ value: r.exports.upload.uploadMs, figures: "" }));
  add("Bulk import, 22 authorities (ms)", "measured", null, (r) => ({ value: r.exports.upload.importMs, figures: "" }));
  return goals;
}

const figure = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));

/** The goals as a Markdown table (the README's Performance table), figures from the median run. */
export function markdownTable(goals: Goal[], runs: number) {
  const rows = goals.map((g) => {
    const medianRun = [...g.runs].sort((a, b) => a.value - b.value)[Math.floor((g.runs.length - 1) / 2)]!;
    const met = g.metIn === null ? "measured" : g.metIn === runs ? "met" : g.metIn === 0 ? "**missed**" : `met in ${g.metIn} of ${runs}`;
    return [g.measure, figure(g.median), `${figure(g.min)} – ${figure(g.max)}`, g.goal, met, medianRun.figures];
  });
  const header = ["measure", "median", `spread (${runs} runs)`, "goal", "result", "figures (median run)"];
  return [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}
