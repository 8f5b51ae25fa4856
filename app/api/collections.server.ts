/**
 * The machine API's collections and figures. Figures are the tidy table and the coverage totals
 * that the CSV export and the workbook use, read through the token owner's reader: an officer's
 * token gets what the officer could see in the browser, and a total's coverage where the total
 * is withheld.
 */
import { stringify } from "csv-stringify/sync";
import { coverageTotals } from "#app/models/aggregation.server.ts";
import { listCollections, type CollectionWithItems } from "#app/models/collection.server.ts";
import { collectionTidyCells } from "#app/spreadsheets/collection-workbook.server.ts";
import { jsonValue, tidyCsv, tidyValues, TIDY_COLUMNS } from "#app/spreadsheets/tidy-table.ts";
import { translator } from "#app/i18n/i18n.ts";
import { apiJson } from "./problem.server.ts";
import type { TokenCollectionGrant, TokenGrantResult } from "./token.server.ts";

function summary(c: {
  code: string;
  title_en: string;
  title_cy: string;
  reference_date: string;
  opens_on: string;
  due_on: string;
  status: "draft" | "open" | "closed";
}) {
  return {
    code: c.code,
    titleEn: c.title_en,
    titleCy: c.title_cy,
    referenceDate: c.reference_date,
    opensOn: c.opens_on,
    dueOn: c.due_on,
    status: c.status,
  };
}

export async function collectionList({ db }: TokenGrantResult) {
  const collections = await listCollections(db);
  return apiJson({ collections: collections.map(summary) });
}

export function collectionDetail(collection: CollectionWithItems) {
  return apiJson({
    ...summary(collection),
    items: collection.items.map((i) => ({
      code: i.code,
      position: i.position,
      required: i.required,
      labelEn: i.label_en,
      labelCy: i.label_cy,
      definitionEn: i.definition_en,
      definitionCy: i.definition_cy,
      minValue: i.min_value,
      maxValue: i.max_value,
      ageFrom: i.age_from,
      ageTo: i.age_to,
      parentCode: i.parent_code,
    })),
    rules: collection.rules,
  });
}

/** Whether the client asks for CSV before JSON (JSON when it names neither). */
function wantsCsv(request: Request) {
  const accept = (request.headers.get("Accept") ?? "").toLowerCase();
  const quality = (type: string) => {
    const part = accept.split(",").find((p) => p.trim().split(";")[0]!.trim() === type);
    if (!part) return -1;
    const q = /;\s*q=([\d.]+)/.exec(part)?.[1];
    return q === undefined ? 1 : Number(q);
  };
  return quality("text/csv") > Math.max(quality("application/json"), 0);
}

/**
 * The collection's figures: JSON with the tidy rows and the coverage of every total, or, by
 * Accept: text/csv, the tidy table (?table=coverage: the coverage table) as CSV.
 */
export async function collectionFigures(request: Request, { db, reader, collection, lang }: TokenCollectionGrant) {
  const t = translator(lang);
  const [cells, totals] = await Promise.all([collectionTidyCells(db, reader, collection.id), coverageTotals(db, reader, collection.id)]);
  const coverage = totals.map((c) => ({
    itemCode: c.itemCode,
    regionCode: c.regionCode,
    total: c.total === null ? null : Number(c.total),
    withheld: c.withheld,
    expected: Number(c.expected),
    comparable: Number(c.comparable),
    nonComparable: Number(c.nonComparable),
    notCollected: Number(c.notCollected),
    unknown: Number(c.unknown),
    notApplicable: Number(c.notApplicable),
    notAnswered: Number(c.notAnswered),
    noReturn: Number(c.noReturn),
  }));
  if (wantsCsv(request)) {
    const csv =
      new URL(request.url).searchParams.get("table") === "coverage"
        ? stringify([Object.keys(coverage[0] ?? { itemCode: "" }), ...coverage.map((c) => Object.values(c))])
        : tidyCsv(t, cells);
    return new Response(csv, { headers: { "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store", Vary: "Accept" } });
  }
  const rows = cells.map((cell) => {
    const values = tidyValues(t, cell);
    return Object.fromEntries(TIDY_COLUMNS.map((column) => [column, jsonValue(column, values[column])]));
  });
  return apiJson({ collection: collection.code, rows, coverage }, { headers: { Vary: "Accept" } });
}
