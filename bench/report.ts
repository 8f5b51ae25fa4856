/** The issue's goals, each worked out from every run's measurements, with its spread across the runs. */
import { combine, type LoadResult } from "./load.ts";

export interface RunFigures {
  views: Record<string, LoadResult>;
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
  /** From every run's samples pooled (at least --samples of each latency). */
  value: number;
  figures: string;
  met: boolean | null;
  /** Each run's own figure: the lowest and highest show the spread. */
  min: number;
  max: number;
  /** How many runs met the goal on their own (null: measured, no goal). */
  metIn: number | null;
  runs: { value: number; figures: string }[];
}

/** All the runs as one measurement: samples, requests, time and CPU added up. */
export function pool(runs: RunFigures[]): RunFigures {
  const each = <T>(of: (r: RunFigures) => Record<string, T>, merge: (parts: T[]) => T) =>
    Object.fromEntries(Object.keys(of(runs[0]!)).map((key) => [key, merge(runs.map((r) => of(r)[key]!))]));
  const sum = (f: (r: RunFigures) => number) => runs.reduce((total, r) => total + f(r), 0);
  const mean = (f: (r: RunFigures) => number) => sum(f) / runs.length;
  const historySeconds = sum((r) => r.exports.history.seconds);
  const limitSeconds = sum((r) => r.exports.limit.seconds);
  const cells = sum((r) => r.exports.history.cells);
  return {
    views: each((r) => r.views, combine),
    web: each((r) => r.web, combine),
    deadline: each(
      (r) => r.deadline,
      (parts) => ({
        floor: combine(parts.map((p) => p.floor)),
        day: combine(parts.map((p) => p.day)),
        rssHighWaterKb: Math.max(...parts.map((p) => p.rssHighWaterKb)),
      }),
    ),
    scaleOut: each((r) => r.scaleOut, combine),
    embedded: each((r) => r.embedded, combine),
    exports: {
      history: {
        seconds: historySeconds / runs.length,
        cells: cells / runs.length,
        cellsPerSecond: cells / historySeconds,
        peakRssKb: Math.max(...runs.map((r) => r.exports.history.peakRssKb)),
      },
      limit: {
        seconds: limitSeconds / runs.length,
        cellsPerSecond: cells / limitSeconds,
        peakRssKb: Math.max(...runs.map((r) => r.exports.limit.peakRssKb)),
      },
      workbook: { seconds: mean((r) => r.exports.workbook.seconds), cells: mean((r) => r.exports.workbook.cells) },
      upload: { uploadMs: mean((r) => r.exports.upload.uploadMs), importMs: mean((r) => r.exports.upload.importMs) },
    },
  };
}

const ms = (n: number) => (n >= 100 ? `${n.toFixed(0)} ms` : `${n.toFixed(1)} ms`);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const cpu = (r: { cpuMsPerRequest?: number }) => (r.cpuMsPerRequest === undefined ? "" : `, CPU ${r.cpuMsPerRequest.toFixed(1)} ms/req`);
const percent = (fraction: number) => `${(fraction * 100).toFixed(0)}%`;
const rate = (r: LoadResult) => `${r.rps.toFixed(0)} req/s${cpu(r)}`;
const routeP95 = (r: LoadResult, route: string) => r.routes[route]?.p95 ?? Number.NaN;

/** One view's latencies (and, for the page, the server's CPU per request) from the views' measurements. */
function viewFigures(views: RunFigures["views"], name: string, kind: "page" | "sql", age = "tenYears") {
  const result = views[`${name}.${age}.${kind}`]!;
  return { ...result.routes[kind]!, cpuMsPerRequest: kind === "page" ? result.cpuMsPerRequest : undefined };
}

/** A view's page p95 ÷ the p95 of all its SQL replayed alone, at ten years, with the figures behind it. */
export function pageOverSql(views: RunFigures["views"], name: string) {
  const page = viewFigures(views, name, "page");
  const sql = viewFigures(views, name, "sql");
  return {
    value: page.p95 / sql.p95,
    figures: `${ms(page.p95)} / ${ms(sql.p95)}; p50 ${ms(page.p50)} / ${ms(sql.p50)}${cpu(page)} (${page.samples} samples each)`,
  };
}

export function goalsTable(runs: RunFigures[]): Goal[] {
  const goals: Goal[] = [];
  const pooled = pool(runs);
  const add = (
    measure: string,
    goal: string,
    meets: ((v: number) => boolean) | null,
    of: (r: RunFigures) => { value: number; figures: string },
  ) => {
    const all = of(pooled);
    const per = runs.map(of);
    const values = per.map((p) => p.value);
    goals.push({
      measure,
      goal,
      value: all.value,
      figures: all.figures,
      met: meets ? meets(all.value) : null,
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
  const view = (r: RunFigures, name: string, kind: "page" | "sql", age = "tenYears") => viewFigures(r.views, name, kind, age);
  for (const name of ["board", "gaps", "totals", "item", "form", "trend"]) {
    const grows = ["form", "trend"].includes(name);
    add(`${name}: p95 at 10 years ÷ 1 round`, grows ? "measured" : "<= 1.3", grows ? null : atMost(1.3), (r) => {
      const ten = view(r, name, "page");
      const one = view(r, name, "page", "oneRound");
      return {
        value: ten.p95 / one.p95,
        figures: `${ms(ten.p95)}${cpu(ten)} / ${ms(one.p95)}${cpu(one)} (${ten.samples} samples each)`,
      };
    });
  }
  for (const name of ["board", "gaps", "totals", "item", "trend", "form"]) {
    add(`${name}: page p95 ÷ all its SQL p95 (10 years)`, "<= 2.5", atMost(2.5), (r) => pageOverSql(r.views, name));
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
        `Deadline day, ${connections} connections: ${route} p95 ÷ floor p95 at the same load`,
        goal ? "<= 3" : "measured",
        goal ? atMost(3) : null,
        (r) => {
          const d = r.deadline[connections]!;
          return {
            value: routeP95(d.day, route) / routeP95(d.day, "floor"),
            figures: `${route} ${ms(routeP95(d.day, route))} (${d.day.routes[route]?.samples} samples) / floor ${ms(routeP95(d.day, "floor"))} (${d.day.routes.floor?.samples} samples); saved form ${ms(routeP95(d.day, "saved form"))}, board ${ms(routeP95(d.day, "board"))} (${d.day.routes.board?.samples ?? 0} loads); ${rate(d.day)}; RSS peak ${mb(d.rssHighWaterKb)}`,
          };
        },
      );
    }
    for (const route of ["form", "save"]) {
      add(
        `Deadline day, ${connections} connections: ${route} p95 ÷ the floor alone's p95 at ${connections} connections`,
        "measured",
        null,
        (r) => {
          const d = r.deadline[connections]!;
          return {
            value: routeP95(d.day, route) / routeP95(d.floor, "floor"),
            figures: `floor alone ${ms(routeP95(d.floor, "floor"))}, ${rate(d.floor)}`,
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
    figures:
      `two ${rate(r.scaleOut.two!)}; one ${rate(r.scaleOut.one!)};` +
      ` the machine's cores busy ${percent(r.scaleOut.one!.machineBusy)} under one, ${percent(r.scaleOut.two!.machineBusy)} under two`,
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

/** The goals as a Markdown table (the README's Performance table). */
export function markdownTable(goals: Goal[], runs: number) {
  const rows = goals.map((g) => {
    const result = g.met === null ? "measured" : `${g.met ? "met" : "**missed**"}${runs > 1 ? ` (${g.metIn} of ${runs} runs)` : ""}`;
    return [g.measure, figure(g.value), `${figure(g.min)} – ${figure(g.max)}`, g.goal, result, g.figures];
  });
  const header = ["measure", `all ${runs} runs`, "spread (each run)", "goal", "result", "figures (all runs)"];
  return [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}
