import type { LoaderFunctionArgs } from "@remix-run/node";
import { publishedStatisticsOf } from "#app/auth/guard.server.ts";
import { publishedFileHeaders, statsWalesCsv } from "#app/spreadsheets/statswales.server.ts";

/** A published round in the layout StatsWales loads: one row per value, ONS area codes, notes codes. */
export async function loader({ params }: LoaderFunctionArgs) {
  const { collection, figures } = await publishedStatisticsOf("routes/statistics.$code.statswales[.]csv", { params });
  return new Response(statsWalesCsv(collection, figures), {
    headers: publishedFileHeaders(`${collection.code}-statswales.csv`, "text/csv; charset=utf-8"),
  });
}
